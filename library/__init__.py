"""The versioned material library, review workflow and delivery API.

    lib = Library.open("contentgen.db", checker=...)   # contentgen.usecases.open_library wires
    mv = lib.save_draft(draft, author="alice")        # the compliance engine in
    lib.submit(mv.material_id, 1, actor="alice")

Names are loaded on first use (PEP 562): `import library.errors` (every CLI command module
does) must not pull in sqlite-utils and the store, which would slow `contentgen --help`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from library.models import AuditEvent, Change, Material, MaterialVersion, Page, Token, User
    from library.released import Released
    from library.store import Library

_HOME = {
    "AuditEvent": "library.models", "Change": "library.models", "Material": "library.models",
    "MaterialVersion": "library.models", "Page": "library.models", "Token": "library.models",
    "User": "library.models", "Released": "library.released", "Library": "library.store",
}

__all__ = ["AuditEvent", "Change", "Library", "Material", "MaterialVersion", "Page", "Released",
           "Token", "User"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'library' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
