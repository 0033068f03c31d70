"""An operator's own work: what came back from review (with the reviewer's words first), what
compliance blocks, and their drafts; reopened, edited with a live re-check, and resubmitted.

    work = my_work(lib, "olga")           # .sent_back, .blocked, .drafts: WorkItem lists
    report = recheck(lib, material_id, content)           # what the rules say of an edit
    mv = resubmit(lib, material_id, base_version, content, actor="olga")   # edit + submit
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from contentgen.compliance import check_content
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import CONTENT_MODELS
from library.models import Material, MaterialVersion
from library.store import Library

PAGE = 50  # items listed per group (counts are whole): open work, not an archive


@dataclass(frozen=True)
class WorkItem:
    material: Material
    version: MaterialVersion  # the current one: what they would edit
    decided_by: str | None = None  # who sent it back, and why (the latest such decision)
    reason: str | None = None


@dataclass
class MyWork:
    sent_back: list[WorkItem] = field(default_factory=list)  # changes requested: reason first
    blocked: list[WorkItem] = field(default_factory=list)  # drafts with error-level findings
    drafts: list[WorkItem] = field(default_factory=list)  # drafts ready to submit
    counts: dict[str, int] = field(default_factory=dict)  # whole counts per group (lists stop at PAGE)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _item(lib: Library, m: Material) -> WorkItem:
    v = lib.get_version(m.id, m.current_version)
    back = next((e for e in reversed(lib.history(m.id)) if e.action == "request_changes"), None)
    return WorkItem(m, v, back.actor if back else None, back.reason if back else None)


def my_work(lib: Library, user: str) -> MyWork:
    """The open work of materials `user` wrote any version of, newest first."""
    out = MyWork()
    groups = (("sent_back", {"status": "changes_requested"}, out.sent_back),
              ("blocked", {"status": "draft", "verdict": "block"}, out.blocked),
              ("drafts", {"status": "draft", "verdict": "warn"}, out.drafts),
              ("drafts", {"status": "draft", "verdict": "pass"}, out.drafts))
    for name, filters, items in groups:
        page = lib.list(**filters, author=user, limit=PAGE)
        out.counts[name] = out.counts.get(name, 0) + page.total
        items.extend(_item(lib, m) for m in page.items[:PAGE - len(items)])
    return out


def _model(lib: Library, material_id: str, content: dict[str, Any] | BaseModel) -> tuple[Material, BaseModel]:
    m = lib.get(material_id)
    model = content if isinstance(content, BaseModel) else \
        CONTENT_MODELS[m.content_type].model_validate(content)
    return m, model


def recheck(lib: Library, material_id: str, content: dict[str, Any] | BaseModel) -> ComplianceReport:
    """The compliance report the library would record for this content on this material."""
    m, model = _model(lib, material_id, content)
    return check_content(model, locale=m.locale, industry=m.industry, channel=m.channel,
                         content_type=m.content_type, segment=m.segment)


def resubmit(lib: Library, material_id: str, base_version: int,
             content: dict[str, Any] | BaseModel | None, *, actor: str,
             reason: str | None = None) -> MaterialVersion:
    """Save the edit as a new version (when content differs from base_version) and submit it.
    The library refuses a stale base version and a version compliance blocks, saying why; the
    edit is kept as a draft in that case."""
    mv = lib.get_version(material_id, base_version)
    if content is not None:
        _, model = _model(lib, material_id, content)
        if model.model_dump(mode="json") != dict(mv.content):
            mv = lib.edit(material_id, base_version=base_version, content=model, actor=actor)
    return lib.submit(material_id, mv.version, actor=actor, reason=reason or "resubmitted")
