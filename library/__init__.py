"""The versioned material library, review workflow and delivery API.

    lib = Library.open("contentgen.db")
    mv = lib.save_draft(draft, author="alice")
    lib.submit(mv.material_id, 1, actor="alice")
"""

from library.models import (
    AuditEvent,
    Change,
    Material,
    MaterialVersion,
    Page,
    Released,
    Token,
    User,
)
from library.store import Library

__all__ = [
    "AuditEvent",
    "Change",
    "Library",
    "Material",
    "MaterialVersion",
    "Page",
    "Released",
    "Token",
    "User",
]
