"""Generated drafts into the library: who authors them, saving as a batch runs, and the
operator's reviewed variant (the model's draft first, then the person's change as a version).

    saver = DraftSaver(lib, as_user="olga")       # checked before anything is generated
    ... saver.save(draft) for each finished draft ...; saver.flush()
    mv = save_variant(lib, draft, content, saved=None, author="olga", source="edited")
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel

from contentgen.kernel.schemas import Draft
from library.models import MaterialVersion
from library.store import Library
from library.workflow import check_role

SYSTEM_AUTHOR = "generator"  # saved drafts' author when nobody is named (--as, CONTENTGEN_USER)


def author_for(lib: Library, as_user: str | None) -> str:
    """The author to save as: a named user must exist and may author; nobody named is the
    system author."""
    if not as_user:
        return SYSTEM_AUTHOR
    user = lib.users.get(as_user)
    check_role("create", user.name, user.role)
    return user.name


class DraftSaver:
    """Saves drafts as a batch produces them, a few per transaction: at most `every` drafts or
    `within_s` seconds wait for their commit, and `flush()` (always call it, e.g. in finally)
    commits the rest. Each saved draft gets its material_id and version."""

    def __init__(self, lib: Library, as_user: str | None, *, every: int = 25, within_s: float = 1.0):
        self.lib = lib
        self.author = author_for(lib, as_user)
        self.every, self.within_s = every, within_s
        self._pending: list[Draft] = []
        self._since = time.monotonic()

    def save(self, draft: Draft) -> None:
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append(draft)
        if len(self._pending) >= self.every or time.monotonic() - self._since >= self.within_s:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            for draft, mv in zip(pending, self.lib.save_drafts(pending, author=self.author), strict=True):
                draft.material_id, draft.version = mv.material_id, mv.version


def save_variant(lib: Library, draft: Draft, content: dict[str, Any] | BaseModel, *,
                 saved: tuple[str, int] | None, saved_content: Any, author: str,
                 source: str) -> MaterialVersion | None:
    """Write a variant the operator worked on: the generated draft (idempotent) unless already
    saved (`saved` = material id, version), then their change as a new version when the content
    differs from what was last written. None when it was saved already and nothing changed."""
    mv: MaterialVersion | None = None
    if saved is None:
        mv = lib.save_draft(draft, author=author)
        now = lib.get(mv.material_id).current_version
        if now != mv.version:
            # The same brief and variant were saved before and edited since (a regenerated
            # brief): build on the version the material has now, never on a stale one.
            mv = lib.get_version(mv.material_id, now)
        saved = (mv.material_id, mv.version)
        saved_content = dict(mv.content)
    wanted = content.model_dump(mode="json") if isinstance(content, BaseModel) else content
    if wanted != saved_content:
        mv = lib.edit(saved[0], base_version=saved[1], content=wanted, actor=author, source=source)
    return mv
