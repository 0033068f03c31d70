"""Plans in the library: a plan row, its touchpoints as materials, review as a unit.

    stored = save_plan(lib, generated_plan, author="alice")
    submit_plan(lib, stored.id, actor="alice")
    outcome = approve_plan(lib, stored.id, actor="rita")   # approves every clean touchpoint
    edit_touchpoint(lib, stored.id, 3, content={...}, actor="alice")   # only #3 goes back

A plan's status is derived from its touchpoints' materials, so a touchpoint moved on its own
(`contentgen library ...`) never leaves the plan saying something stale. Every step on a
touchpoint is the library's own transition: four eyes, roles and the compliance gate apply
exactly as for single materials.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from contentgen.kernel.calendar import Send
from contentgen.kernel.errors import ContentgenError, PlanConstraintError, UsageError
from library import workflow
from library._db import dumps, immediate, loads, now
from library.errors import NotFoundError, PermissionDenied
from library.models import MaterialVersion

if TYPE_CHECKING:
    from library.store import Library

PLAN_STATUSES = ("draft", "in_review", "changes_requested", "approved", "released", "partially_released", "retired")
_ACTIVE = ("draft", "in_review", "approved", "changes_requested", "released")  # counts toward caps


class Touchpoint(BaseModel):
    """One scheduled step of a stored plan with where its material stands."""

    seq: int
    day: int
    local_date: str
    local_time: str
    send_at: str
    channel: str
    content_type: str
    purpose: str
    prompt: str
    material_id: str
    status: str
    current_version: int
    released_version: int | None = None
    verdict: str
    finding_count: int
    title: str


class StoredPlan(BaseModel):
    id: str
    name: str
    objective: str
    segment: str
    industry: str
    persona: str
    locale: str
    days: int
    start_date: str
    timezone: str
    channels: list[str]
    request: dict[str, Any]
    author: str
    created_at: str
    status: str
    counts: dict[str, int]
    touchpoints: list[Touchpoint] = []


@dataclass
class PlanOutcome:
    """What a plan-level action did to each touchpoint."""

    plan_id: str
    action: str
    done: list[tuple[int, str, int]] = field(default_factory=list)  # seq, material, version
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # seq, material, reason
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "action": self.action,
            "status": self.status,
            "done": [{"seq": s, "material_id": m, "version": v} for s, m, v in self.done],
            "skipped": [{"seq": s, "material_id": m, "reason": r} for s, m, r in self.skipped],
        }


def plan_status(statuses: list[str]) -> str:
    """A plan's status from its touchpoints' statuses (the weakest link decides)."""
    s = set(statuses)
    if not s:
        return "draft"
    if s <= {"retired"}:
        return "retired"
    if s <= {"released"}:
        return "released"
    if "released" in s and s <= {"released", "approved", "retired"}:
        return "partially_released"
    if s <= {"approved", "released"}:
        return "approved"
    if s <= {"draft"}:
        return "draft"
    if s & {"changes_requested", "rejected"}:
        return "changes_requested"
    if "in_review" in s:
        return "in_review"
    return "changes_requested"  # some touchpoints moved on, a draft (e.g. blocked) did not


# ---- storing ---------------------------------------------------------------------------------


class PlanToStore(Protocol):
    """What save_plan reads of a generated plan (contentgen.plans.GeneratedPlan): the library
    stores plans without importing the engine that makes them."""

    id: str
    request: Any  # contentgen.plans.PlanRequest: objective, segment, industry, persona, ...
    touchpoints: list[Any]  # .draft (kernel Draft) and .slot (the scheduled calendar slot)

    @property
    def title(self) -> str: ...


def save_plan(lib: Library, plan: PlanToStore, *, author: str) -> StoredPlan:
    """Store every touchpoint as a draft material with its send_at, then the plan in one transaction.

    Idempotent by plan id and draft keys; the plan row and its calendar appear together or not at all.
    """
    r = plan.request
    tags = [f"plan:{plan.id}", f"objective:{r.objective}"]
    for t in plan.touchpoints:
        mv = lib.save_draft(t.draft, author=author, plan_id=plan.id, send_at=t.slot.send_at_iso, tags=tags)
        t.draft.material_id, t.draft.version = mv.material_id, mv.version
    db = lib._db()
    with immediate(db) as conn:
        if not _exists(conn, plan.id):
            conn.execute(
                "INSERT INTO plans (id, name, objective, segment, industry, persona, locale, days,"
                " start_date, timezone, channels, request, author, created_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [plan.id, plan.title, r.objective, r.segment, r.industry, r.persona, r.locale, r.days,
                 r.start.isoformat(), r.tz, dumps(r.channels), dumps(r.model_dump(mode="json")),
                 author, now()],
            )
            conn.executemany(
                "INSERT INTO plan_touchpoints (plan_id, seq, day, local_date, local_time, send_at,"
                " channel, content_type, purpose, prompt, material_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [[plan.id, t.slot.seq, t.slot.day, t.slot.local_date.isoformat(),
                  t.slot.local_time.strftime("%H:%M"), t.slot.send_at_iso, t.slot.channel,
                  t.slot.content_type, t.slot.purpose, t.slot.prompt, t.draft.material_id]
                 for t in plan.touchpoints],
            )
    return get_plan(lib, plan.id)


def _exists(conn: sqlite3.Connection, plan_id: str) -> bool:
    return conn.execute("SELECT 1 FROM plans WHERE id = ?", [plan_id]).fetchone() is not None


# ---- reading ---------------------------------------------------------------------------------

_PLAN_COLS = ("id", "name", "objective", "segment", "industry", "persona", "locale", "days",
              "start_date", "timezone", "channels", "request", "author", "created_at")
_TP_COLS = ("seq", "day", "local_date", "local_time", "send_at", "channel", "content_type",
            "purpose", "prompt", "material_id", "status", "current_version", "released_version",
            "verdict", "finding_count", "title")


def _touchpoints(conn: sqlite3.Connection, plan_id: str) -> list[Touchpoint]:
    rows = conn.execute(
        "SELECT t.seq, t.day, t.local_date, t.local_time, t.send_at, t.channel, t.content_type,"
        " t.purpose, t.prompt, t.material_id, m.status, m.current_version, m.released_version,"
        " m.verdict, m.finding_count, m.title FROM plan_touchpoints t JOIN materials m"
        " ON m.id = t.material_id WHERE t.plan_id = ? ORDER BY t.seq", [plan_id]).fetchall()
    return [Touchpoint(**dict(zip(_TP_COLS, r, strict=True))) for r in rows]


def _plan(row: tuple[Any, ...], tps: list[Touchpoint]) -> StoredPlan:
    data = dict(zip(_PLAN_COLS, row, strict=True))
    data["channels"] = loads(data["channels"], [])
    data["request"] = loads(data["request"], {})
    counts: dict[str, int] = {}
    for t in tps:
        counts[t.status] = counts.get(t.status, 0) + 1
    return StoredPlan(**data, status=plan_status([t.status for t in tps]), counts=counts, touchpoints=tps)


def get_plan(lib: Library, plan_id: str) -> StoredPlan:
    conn = lib._db().conn
    row = conn.execute(f"SELECT {', '.join(_PLAN_COLS)} FROM plans WHERE id = ?", [plan_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no plan {plan_id!r}; see `contentgen plan list`")
    return _plan(row, _touchpoints(conn, plan_id))


def list_plans(lib: Library, *, status: str | None = None, segment: str | None = None,
               limit: int = 50, offset: int = 0) -> list[StoredPlan]:
    """Newest first; touchpoints included (a plan has at most a few dozen)."""
    if status is not None and status not in PLAN_STATUSES:
        raise UsageError(f"unknown plan status {status!r}; choose one of: {', '.join(PLAN_STATUSES)}")
    if not 1 <= limit <= 500:
        raise UsageError(f"limit must be between 1 and 500, not {limit}")
    conn = lib._db().conn
    where, params = ("WHERE segment = ?", [segment]) if segment else ("", [])
    if status is None:
        rows = conn.execute(
            f"SELECT {', '.join(_PLAN_COLS)} FROM plans {where} ORDER BY created_at DESC, id"
            " LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        return [_plan(r, _touchpoints(conn, r[0])) for r in rows]
    # A plan's status is derived from its touchpoints, so it is filtered here; offset and limit
    # count matching plans, walked in pages until enough are found.
    plans: list[StoredPlan] = []
    to_skip, after = offset, 0
    while len(plans) < limit:
        rows = conn.execute(
            f"SELECT {', '.join(_PLAN_COLS)} FROM plans {where} ORDER BY created_at DESC, id"
            " LIMIT ? OFFSET ?", [*params, 200, after]).fetchall()
        if not rows:
            break
        after += len(rows)
        for r in rows:
            p = _plan(r, _touchpoints(conn, r[0]))
            if p.status != status:
                continue
            if to_skip:
                to_skip -= 1
                continue
            plans.append(p)
            if len(plans) == limit:
                break
    return plans


def touchpoint(lib: Library, plan_id: str, seq: int) -> Touchpoint:
    for t in get_plan(lib, plan_id).touchpoints:
        if t.seq == seq:
            return t
    raise NotFoundError(f"plan {plan_id} has no touchpoint #{seq}; see `contentgen plan show {plan_id}`")


def scheduled_sends(lib: Library, segment: str, *, exclude_plan: str | None = None) -> list[Send]:
    """Sends other live plans already hold for this segment: they count toward its caps."""
    rows = lib._db().conn.execute(
        "SELECT t.send_at, t.channel FROM plan_touchpoints t JOIN plans p ON p.id = t.plan_id"
        " JOIN materials m ON m.id = t.material_id WHERE p.segment = ? AND p.id != ?"
        f" AND m.status IN ({', '.join('?' for _ in _ACTIVE)})",
        [segment, exclude_plan or "", *_ACTIVE]).fetchall()
    return [Send(datetime.fromisoformat(at.replace("Z", "+00:00")), ch) for at, ch in rows]


# ---- review as a unit ------------------------------------------------------------------------


def _each(lib: Library, plan_id: str, action: str, actor: str,
          pick: Callable[[Touchpoint], str | None], step: Callable[[Touchpoint], Any]) -> PlanOutcome:
    """Run one library transition on every touchpoint `pick` accepts (None = go; text = skip why)."""
    role = lib.users.get(actor).role
    workflow.check_role(action, actor, role)  # the role is the same for all: say it once
    outcome = PlanOutcome(plan_id, action)
    for t in get_plan(lib, plan_id).touchpoints:
        why = pick(t)
        if why is not None:
            if why:
                outcome.skipped.append((t.seq, t.material_id, why))
            continue
        try:
            mv: MaterialVersion = step(t)
        except (PermissionDenied, ContentgenError) as e:
            outcome.skipped.append((t.seq, t.material_id, str(e)))
        else:
            outcome.done.append((t.seq, t.material_id, mv.version))
    outcome.status = get_plan(lib, plan_id).status
    return outcome


def submit_plan(lib: Library, plan_id: str, *, actor: str) -> PlanOutcome:
    """Send every draft touchpoint to review; a blocked one stays back and says why."""
    return _each(
        lib, plan_id, "submit", actor,
        lambda t: None if t.status in ("draft", "changes_requested") else "",
        lambda t: lib.submit(t.material_id, t.current_version, actor=actor),
    )


def approve_plan(lib: Library, plan_id: str, *, actor: str, reason: str | None = None,
                 include_warnings: bool = False) -> PlanOutcome:
    """Approve every clean touchpoint in review; the others wait for a decision of their own.

    Clean means no finding that needs a person's judgement: no errors (unless a compliance
    officer overrode them) and, unless include_warnings, no warnings.
    """

    return _each(lib, plan_id, "approve", actor,
                 lambda t: unit_approval_hold(t, include_warnings=include_warnings),
                 lambda t: lib.approve(t.material_id, t.current_version, actor=actor, reason=reason))


def unit_approval_hold(t: Touchpoint, *, include_warnings: bool = False) -> str | None:
    """Whether approving the plan as a unit takes this touchpoint: None = it goes, "" = not in
    review, a sentence = held back and why (what approve_plan and a face's preview both use)."""
    if t.status != "in_review":
        return ""
    if t.verdict == "warn" and not include_warnings:
        return "has warnings: read them and approve this touchpoint on its own"
    return None


def unit_approval_summary(plan: StoredPlan, *, include_warnings: bool = False) -> dict[str, int]:
    """What approving the plan as a unit would do: in review, approved together, held back."""
    holds = [unit_approval_hold(t, include_warnings=include_warnings) for t in plan.touchpoints]
    clean = sum(h is None for h in holds)
    held = sum(bool(h) for h in holds)
    return {"in_review": clean + held, "clean": clean, "held": held}


def release_plan(lib: Library, plan_id: str, *, actor: str) -> PlanOutcome:
    """Release every approved touchpoint: the delivery API starts serving it at its send_at."""
    return _each(
        lib, plan_id, "release", actor,
        lambda t: None if t.status == "approved" else "",
        lambda t: lib.release(t.material_id, t.current_version, actor=actor),
    )


def review_touchpoint(lib: Library, plan_id: str, seq: int, action: str, *, actor: str,
                      reason: str | None = None) -> MaterialVersion:
    """approve | reject | request_changes | release one touchpoint of a plan."""
    t = touchpoint(lib, plan_id, seq)
    steps: dict[str, Callable[..., MaterialVersion]] = {
        "approve": lib.approve, "reject": lib.reject, "request_changes": lib.request_changes,
        "release": lib.release, "submit": lib.submit,
    }
    if action not in steps:
        raise UsageError(f"unknown action {action!r}; choose one of: {', '.join(steps)}")
    return steps[action](t.material_id, t.current_version, actor=actor, reason=reason)


def edit_touchpoint(lib: Library, plan_id: str, seq: int, *, content: dict[str, Any] | BaseModel,
                    actor: str, submit: bool = True) -> MaterialVersion:
    """A new version of one touchpoint; it alone goes back to review, the others keep their status."""
    from contentgen.kernel.schemas import CONTENT_MODELS, channel_problems
    from library.models import content_model

    t = touchpoint(lib, plan_id, seq)
    m = lib.get(t.material_id)
    model = content_model(m.content_type, content)
    assert isinstance(model, tuple(CONTENT_MODELS.values()))
    problems = channel_problems(model, m.channel, m.locale)
    if problems:
        raise PlanConstraintError("channel limits", f"touchpoint #{seq}: " + "; ".join(problems))
    mv = lib.edit(t.material_id, base_version=t.current_version, content=model, actor=actor)
    if submit and mv.verdict != "block":
        mv = lib.submit(t.material_id, mv.version, actor=actor, reason="edited in plan review")
    return mv


# ---- delivery --------------------------------------------------------------------------------


def due_released(conn: sqlite3.Connection, *, channels: list[str], due_before: str,
                 due_after: str | None = None, plan_id: str | None = None,
                 limit: int = 100, after: tuple[str, str] | None = None) -> list[tuple[str, str, str, int]]:
    """(send_at, material_id, plan_id, seq) of released plan touchpoints due in the window, in send order."""
    if not channels:
        return []
    clauses = ["m.released_version IS NOT NULL", "t.send_at < ?",
               f"m.channel IN ({', '.join('?' for _ in channels)})"]
    params: list[Any] = [due_before, *channels]
    if due_after is not None:
        clauses.append("t.send_at >= ?")
        params.append(due_after)
    if plan_id is not None:
        clauses.append("t.plan_id = ?")
        params.append(plan_id)
    if after is not None:
        clauses.append("(t.send_at, t.material_id) > (?, ?)")
        params += list(after)
    rows = conn.execute(
        "SELECT t.send_at, t.material_id, t.plan_id, t.seq FROM plan_touchpoints t JOIN materials m"
        f" ON m.id = t.material_id WHERE {' AND '.join(clauses)} ORDER BY t.send_at, t.material_id"
        " LIMIT ?", [*params, limit]).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
