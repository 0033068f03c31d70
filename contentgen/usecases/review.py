"""Review decisions a face offers: may this person approve, and approve-everything-clean.

The library enforces both (roles, four eyes over the whole lineage); these tell a face what to
offer and run the bulk step the same way wherever it is started.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from library import sent_text
from library.errors import LibraryError
from library.presend import PresendScore, presend
from library.store import Library

BULK_LIMIT = 500  # per call: keeps one click bounded even with 10,000 waiting


@dataclass
class BulkOutcome:
    approved: int = 0
    skipped: int = 0  # four eyes, or decided by someone else meanwhile: left for others


def may_approve(lib: Library, material_id: str, version: int, actor: str) -> str | None:
    """Why actor may not approve this version, or None when they may."""
    return lib.may_approve(material_id, version, actor)


def approve_clean(lib: Library, actor: str, filters: dict[str, Any] | None = None, *,
                  limit: int = BULK_LIMIT) -> BulkOutcome:
    """Approve in-review items without findings (matching filters), page by page, up to limit;
    items actor may not approve are skipped, never forced."""
    out = BulkOutcome()
    q = {k: v for k, v in (filters or {}).items() if k not in ("has_findings", "status")}
    while out.approved + out.skipped < limit:
        page = lib.list(status="in_review", has_findings=False, **q, limit=50, offset=out.skipped)
        if not page.items:
            break
        for m in page.items:
            if out.approved + out.skipped >= limit:
                break
            if lib.may_approve(m.id, m.current_version, actor) is not None:
                out.skipped += 1
                continue
            try:
                lib.approve(m.id, m.current_version, actor=actor, reason="bulk: no findings")
                out.approved += 1
            except LibraryError:
                out.skipped += 1  # a concurrent decision got there first
    return out


def edited_sends(lib: Library, *, limit: int = 50) -> list[dict[str, Any]]:
    """Sends whose text differed from the approved one and no reviewer has looked at yet."""
    return sent_text.edited_after_approval(lib, status="open", limit=limit)


def edited_send_count(lib: Library) -> int:
    return sent_text.open_count(lib)


def close_edited_send(lib: Library, item_id: int, *, actor: str, note: str) -> dict[str, Any]:
    """A reviewer has looked at an edited send: out of the queue, the note in the audit trail."""
    return sent_text.resolve(lib, item_id, actor=actor, note=note)


def presend_score(lib: Library, material: Any, version: Any) -> PresendScore:
    """What this version may expect, from similar past sends to its segment on its channel
    (its own material's history left out)."""
    return presend(lib, text=version.text, locale=material.locale, segment=material.segment,
                   channel=material.channel, exclude=material.id)
