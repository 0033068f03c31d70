"""Operational figures for the dashboard, from the audit trail and the material tables.

    w = metrics.window(30, utc_offset_minutes=480)     # the last 30 days, days end at UTC+8 midnight
    d = metrics.dashboard(lib, w, scope="single")      # scope="plan": plan touchpoints only

Each figure is one aggregate query; all of them are read in one snapshot, so they agree with
each other while reviewers keep working. Plan touchpoints (materials with a plan_id) and single
materials are counted apart: a 15-day plan adds dozens of items at once and would swamp the
single-material figures. A median of fewer than MIN_SAMPLES values is None, not a number: the
demo's instant approvals once showed a "median time 0 s" that meant nothing.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from contentgen.kernel.errors import UsageError

if TYPE_CHECKING:
    from library.store import Library

PERIODS: tuple[int, ...] = (7, 30, 90)
SCOPES: tuple[str, ...] = ("single", "plan", "all")
DIMENSIONS: tuple[str, ...] = ("industry", "channel", "segment")
DECISIONS: tuple[str, ...] = ("approve", "request_changes", "reject")
THROUGHPUT: tuple[str, ...] = ("approve", "request_changes", "reject", "release")
MIN_SAMPLES = 3
_SCOPE_SQL = {"single": "m.plan_id IS NULL", "plan": "m.plan_id IS NOT NULL", "all": "1 = 1"}
# +1 when an item enters review, -1 when it leaves (decision, or an edit pulls it back).
# An override keeps the status (in_review -> in_review) and so counts 0.
_DELTA = (
    "(CASE WHEN a.to_status = 'in_review' AND COALESCE(a.from_status, '') != 'in_review' THEN 1"
    " WHEN a.from_status = 'in_review' AND COALESCE(a.to_status, '') != 'in_review' THEN -1 ELSE 0 END)"
)
_ENTERED_REVIEW = "s.to_status = 'in_review' AND COALESCE(s.from_status, '') != 'in_review'"
_IN = "a.at >= :since AND a.at <= :now"
# Audit rows first, then their material: left to itself the planner starts from the scope's
# plan_id index and looks up every material's audit rows, ~10x slower on 20,000 materials.
# CROSS JOIN is SQLite's way to fix the order.
_AUDIT_M = "audit a CROSS JOIN materials m ON m.id = a.material_id"


@dataclass(frozen=True)
class Window:
    """The period the figures cover: whole local days, oldest first, the last one today."""

    days: tuple[str, ...]
    since: str  # UTC instant (stored-time format) at which the first local day begins
    now: str  # UTC instant the figures are taken at
    offset_minutes: int  # local time = UTC + this

    @property
    def shift(self) -> str:
        """The SQLite date() modifier that turns a stored UTC time into local time."""
        return f"{self.offset_minutes:+d} minutes"


def _iso(t: datetime) -> str:
    # Same text form as library._db.now(), so stored times compare correctly as text.
    return t.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def window(days: int, *, now: datetime | None = None, utc_offset_minutes: int = 0) -> Window:
    """The last `days` local days up to now (an aware datetime; default: the clock)."""
    if not 1 <= days <= 366:
        raise UsageError(f"a period is 1 to 366 days, not {days}")
    if not -14 * 60 <= utc_offset_minutes <= 14 * 60:
        raise UsageError(f"a UTC offset is -840 to +840 minutes, not {utc_offset_minutes}")
    t = now or datetime.now(UTC)
    if t.tzinfo is None:
        raise UsageError("window(now=...) needs a timezone-aware time")
    offset = timedelta(minutes=utc_offset_minutes)
    today = (t.astimezone(UTC) + offset).date()
    first = today - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - offset
    return Window(days=tuple((first + timedelta(days=i)).isoformat() for i in range(days)),
                  since=_iso(start), now=_iso(t), offset_minutes=utc_offset_minutes)


@dataclass(frozen=True)
class Bucket:
    """A run of whole days of a window, for charts that group days (a 90-day view by week)."""

    start: str  # its first local day
    end: str  # the day after its last one
    days: tuple[str, ...]


def buckets(w: Window, size: int) -> list[Bucket]:
    """The window's days in runs of `size`, the last run ending today (the first may be shorter)."""
    if size < 1:
        raise UsageError(f"a bucket is 1 day or more, not {size}")
    out: list[Bucket] = []
    stop = len(w.days)
    while stop > 0:
        start = max(0, stop - size)
        days = w.days[start:stop]
        after = (datetime.fromisoformat(days[-1]) + timedelta(days=1)).date().isoformat()
        out.append(Bucket(start=days[0], end=after, days=days))
        stop = start
    return out[::-1]


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Durations:
    """How many items were timed, and the median when there are enough of them."""

    samples: int
    median_seconds: float | None
    max_seconds: float | None


@dataclass(frozen=True)
class DayValue:
    day: str
    value: int


@dataclass(frozen=True)
class DayCount:
    day: str
    action: str
    count: int


@dataclass(frozen=True)
class RuleCount:
    rule: str
    materials: int
    message: str  # one of the rule's finding messages, to say in words what it is about


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # "" when none was written
    request_changes: int
    reject: int

    @property
    def total(self) -> int:
        return self.request_changes + self.reject


@dataclass(frozen=True)
class Breakdown:
    value: str | None  # the dimension's identifier (a segment may be absent)
    created: int  # materials created in the period
    waiting: int  # in review now
    approved: int  # approvals in the period
    sent_back: int  # rejections and change requests in the period


@dataclass(frozen=True)
class PlanSummary:
    created: int  # plans created in the period
    waiting: int  # plans with at least one touchpoint in review now
    touchpoints_waiting: int


@dataclass(frozen=True)
class Dashboard:
    window: Window
    scope: str
    materials: int
    waiting: Durations  # samples: items in review now; max: the oldest
    waiting_per_day: list[DayValue]
    throughput: list[DayCount]
    approval: Rate  # approvals among all review decisions in the period
    first_pass: Rate  # materials approved at their first review decision
    review_time: Durations  # submit -> decision, for decisions in the period
    blocking_rules: list[RuleCount]
    reasons: list[ReasonCount]
    by: dict[str, list[Breakdown]]
    plans: PlanSummary


def _scope(scope: str) -> str:
    if scope not in _SCOPE_SQL:
        raise UsageError(f"unknown scope {scope!r}; choose one of: {', '.join(SCOPES)}")
    return _SCOPE_SQL[scope]


def _durations(values: list[float]) -> Durations:
    clean = [max(0.0, v) for v in values]  # clock skew between writers never shows as negative
    median = statistics.median(clean) if len(clean) >= MIN_SAMPLES else None
    return Durations(samples=len(clean), median_seconds=median, max_seconds=max(clean, default=None))


def _args(w: Window) -> dict[str, str]:
    return {"since": w.since, "now": w.now, "shift": w.shift}


def material_count(conn: sqlite3.Connection, scope: str) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM materials m WHERE {_scope(scope)}").fetchone()[0])


def waiting_now(conn: sqlite3.Connection, w: Window, scope: str) -> Durations:
    """Items in review now, each aged from the moment it last entered review."""
    rows = conn.execute(
        f"SELECT (julianday(:now) - julianday(COALESCE((SELECT MAX(s.at) FROM audit s"
        f" WHERE s.material_id = m.id AND {_ENTERED_REVIEW}), m.updated_at))) * 86400.0"
        f" FROM materials m WHERE m.status = 'in_review' AND {_scope(scope)}", _args(w)).fetchall()
    return _durations([float(r[0]) for r in rows])


def waiting_per_day(conn: sqlite3.Connection, w: Window, scope: str) -> list[DayValue]:
    """How many items were in review at the end of each day (today: now).

    Walked back from the items in review now through the period's audit rows, so only the
    period is read; replaying the whole history forward gives the same on a complete trail.
    """
    where = _scope(scope)
    current = conn.execute(f"SELECT COUNT(*) FROM materials m WHERE m.status = 'in_review'"
                           f" AND {where}").fetchone()[0]
    deltas = dict(conn.execute(
        f"SELECT date(a.at, :shift) AS d, SUM({_DELTA}) FROM {_AUDIT_M}"
        f" WHERE {_IN} AND {where} GROUP BY d",
        _args(w)).fetchall())
    out, running = [], int(current)
    for day in reversed(w.days):
        out.append(DayValue(day, running))
        running -= int(deltas.get(day, 0))  # before this day's changes: the previous day's end
    return out[::-1]


def throughput_per_day(conn: sqlite3.Connection, w: Window, scope: str) -> list[DayCount]:
    """Approvals, change requests, rejections and releases per day and action, zeros included."""
    found = {(d, a): int(c) for d, a, c in conn.execute(
        f"SELECT date(a.at, :shift) AS d, a.action, COUNT(*) FROM {_AUDIT_M}"
        f" WHERE a.action IN"
        f" ({', '.join(repr(x) for x in THROUGHPUT)}) AND {_IN} AND {_scope(scope)}"
        f" GROUP BY d, a.action", _args(w))}
    return [DayCount(d, a, found.get((d, a), 0)) for d in w.days for a in THROUGHPUT]


_DECIDED = f"a.action IN ({', '.join(repr(x) for x in DECISIONS)})"


def approval_rate(conn: sqlite3.Connection, w: Window, scope: str) -> Rate:
    whole, part = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.action = 'approve' THEN 1 ELSE 0 END), 0) FROM {_AUDIT_M}"
        f" WHERE {_DECIDED} AND {_IN} AND {_scope(scope)}",
        _args(w)).fetchone()
    return Rate(part=int(part), whole=int(whole))


def first_pass(conn: sqlite3.Connection, w: Window, scope: str) -> Rate:
    """Of the materials whose first review decision fell in the period, those approved by it
    (no change request or rejection came first)."""
    # The period's decisions only, each kept when it is its material's first (an index lookup
    # on audit (material_id, id)), rather than grouping the whole audit history.
    whole, part = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.action = 'approve' THEN 1 ELSE 0 END), 0) FROM {_AUDIT_M}"
        f" WHERE {_DECIDED} AND {_IN} AND {_scope(scope)}"
        f" AND a.id = (SELECT MIN(b.id) FROM audit b WHERE b.material_id = a.material_id"
        f" AND b.action IN ({', '.join(repr(x) for x in DECISIONS)}))", _args(w)).fetchone()
    return Rate(part=int(part), whole=int(whole))


def review_time(conn: sqlite3.Connection, w: Window, scope: str) -> Durations:
    """Time from entering review to the decision, for the decisions made in the period."""
    rows = conn.execute(
        f"SELECT (julianday(a.at) - julianday((SELECT MAX(s.at) FROM audit s"
        f" WHERE s.material_id = a.material_id AND s.id < a.id AND {_ENTERED_REVIEW}))) * 86400.0"
        f" AS secs FROM {_AUDIT_M}"
        f" WHERE {_DECIDED} AND {_IN} AND {_scope(scope)}", _args(w)).fetchall()
    return _durations([float(r[0]) for r in rows if r[0] is not None])


def blocking_rules(conn: sqlite3.Connection, scope: str, *, limit: int = 10) -> list[RuleCount]:
    """Rules with error findings on current versions that nobody overrode, most materials first.

    A state of now, not of the period: a draft blocked a month ago is still blocked today.
    """
    rows = conn.execute(
        "SELECT json_extract(f.value, '$.rule') AS rule, COUNT(DISTINCT m.id) AS n,"
        " MAX(COALESCE(json_extract(f.value, '$.message'), '')) FROM materials m"
        " JOIN versions v ON v.material_id = m.id AND v.version = m.current_version,"
        " json_each(v.compliance, '$.findings') f"
        " WHERE m.finding_count > 0 AND m.status != 'retired' AND v.override_by IS NULL"
        f" AND json_extract(f.value, '$.severity') = 'error' AND {_scope(scope)}"
        " GROUP BY rule ORDER BY n DESC, rule LIMIT ?", [limit]).fetchall()
    return [RuleCount(rule=str(r[0]), materials=int(r[1]), message=str(r[2])) for r in rows]


def reasons(conn: sqlite3.Connection, w: Window, scope: str, *, limit: int = 10) -> list[ReasonCount]:
    """The reasons written with change requests and rejections in the period, most common first."""
    rows = conn.execute(
        "SELECT TRIM(COALESCE(a.reason, '')) AS r, SUM(CASE WHEN a.action = 'request_changes' THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN a.action = 'reject' THEN 1 ELSE 0 END) FROM {_AUDIT_M}"
        f" WHERE a.action IN ('request_changes', 'reject') AND {_IN} AND {_scope(scope)}"
        " GROUP BY r ORDER BY COUNT(*) DESC, r LIMIT :limit", {**_args(w), "limit": limit}).fetchall()
    return [ReasonCount(reason=str(r[0]), request_changes=int(r[1]), reject=int(r[2])) for r in rows]


def breakdowns(conn: sqlite3.Connection, w: Window, scope: str) -> dict[str, list[Breakdown]]:
    """Per value of each dimension: created, waiting, approved and sent back; busiest first."""
    # One pass over the period's audit rows and one over the materials, grouped by all three
    # dimensions at once (a few hundred combinations at most), then summed per dimension here:
    # a query per dimension, or a subquery per material, is several times slower on 20,000.
    rows = conn.execute(
        "WITH ev AS (SELECT a.material_id AS id, SUM(CASE WHEN a.action = 'approve' THEN 1 ELSE 0 END) AS ok,"
        " SUM(CASE WHEN a.action IN ('reject', 'request_changes') THEN 1 ELSE 0 END) AS back FROM audit a"
        f" WHERE a.action IN ('approve', 'reject', 'request_changes') AND {_IN}"
        " GROUP BY a.material_id)"
        " SELECT m.industry, m.channel, m.segment,"
        " SUM(CASE WHEN m.created_at >= :since AND m.created_at <= :now THEN 1 ELSE 0 END), SUM(CASE WHEN m.status = 'in_review' THEN 1 ELSE 0 END),"
        " COALESCE(SUM(ev.ok), 0), COALESCE(SUM(ev.back), 0)"
        " FROM materials m LEFT JOIN ev ON ev.id = m.id"
        f" WHERE {_scope(scope)} GROUP BY m.industry, m.channel, m.segment", _args(w)).fetchall()
    out: dict[str, list[Breakdown]] = {}
    for i, dimension in enumerate(DIMENSIONS):
        sums: dict[str | None, list[int]] = {}
        for r in rows:
            acc = sums.setdefault(r[i], [0, 0, 0, 0])
            for k in range(4):
                acc[k] += int(r[3 + k])
        found = [Breakdown(v, *acc) for v, acc in sums.items() if any(acc)]
        found.sort(key=lambda b: (-b.created, -b.waiting, -b.approved, -b.sent_back, b.value or ""))
        out[dimension] = found
    return out


def breakdown(conn: sqlite3.Connection, w: Window, dimension: str, scope: str) -> list[Breakdown]:
    """breakdowns() of one dimension."""
    if dimension not in DIMENSIONS:
        raise UsageError(f"unknown dimension {dimension!r}; choose one of: {', '.join(DIMENSIONS)}")
    return breakdowns(conn, w, scope)[dimension]


def plan_summary(conn: sqlite3.Connection, w: Window) -> PlanSummary:
    created, waiting, touchpoints = conn.execute(
        "SELECT (SELECT COUNT(*) FROM plans WHERE created_at >= :since AND created_at <= :now),"
        " (SELECT COUNT(DISTINCT plan_id) FROM materials WHERE plan_id IS NOT NULL"
        "  AND status = 'in_review'),"
        " (SELECT COUNT(*) FROM materials WHERE plan_id IS NOT NULL AND status = 'in_review')",
        _args(w)).fetchone()
    return PlanSummary(created=int(created), waiting=int(waiting), touchpoints_waiting=int(touchpoints))


@contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: in WAL mode every query inside sees the same committed state."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written; ending the read is all this does


def collect(conn: sqlite3.Connection, w: Window, *, scope: str = "single") -> Dashboard:
    """Every dashboard figure for one scope and period."""
    _scope(scope)
    with _snapshot(conn):
        return Dashboard(
            window=w, scope=scope, materials=material_count(conn, scope),
            waiting=waiting_now(conn, w, scope), waiting_per_day=waiting_per_day(conn, w, scope),
            throughput=throughput_per_day(conn, w, scope), approval=approval_rate(conn, w, scope),
            first_pass=first_pass(conn, w, scope), review_time=review_time(conn, w, scope),
            blocking_rules=blocking_rules(conn, scope), reasons=reasons(conn, w, scope),
            by=breakdowns(conn, w, scope),
            plans=plan_summary(conn, w),
        )


def dashboard(lib: Library, w: Window, *, scope: str = "single") -> Dashboard:
    """collect() on the library's connection for this thread."""
    return collect(lib._db().conn, w, scope=scope)
