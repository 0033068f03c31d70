"""What the outcome tests share: opaque recipient hashes and a released material to report on."""

from __future__ import annotations

import hashlib
from typing import Any

from library import Library


def h(i: int | str) -> str:
    """An opaque recipient hash, as a delivery system makes one."""
    return hashlib.sha256(f"customer-{i}".encode()).hexdigest()


def released(lib: Library, draft_factory: Any, **kw: Any) -> str:
    """A material saved by alice, approved and released by rita: something events may name."""
    mid = lib.save_draft(draft_factory(**kw), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    lib.approve(mid, 1, actor="rita")
    lib.release(mid, 1, actor="rita")
    return mid
