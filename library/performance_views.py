"""What the Performance page reads, built on library.performance and library.slots (read only).

    view = overview(lib, by="segment", metric="clicked", since=window(30), trend="week")
    view.groups[0]        # the best group on clicked (thin groups last), with every rate
    view.trend[-1].start  # "2026-11-30": a week is named by its Monday, on a time axis
    slot_views(lib)[0].variants[0].title

performance() groups recipients by one dimension; the page also needs the whole period in one
figure, groups ordered best first, and weeks as dates. Those are derived here from its groups
(a recipient of a version belongs to exactly one send day, so day groups add up to the total)
rather than by a second query that could drift from the first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from contentgen.kernel.errors import UsageError
from library import slots
from library.bandit import wilson
from library.outcomes import connection
from library.performance import MIN_REACHED, RATES, performance

if TYPE_CHECKING:
    from library.store import Library

PERIODS: tuple[int, ...] = (7, 30, 90, 0)  # days back, today included; 0: since the first event
GROUPS: tuple[str, ...] = ("segment", "channel", "content_type", "industry", "persona", "prompt", "material",
                           "edited")
TRENDS: tuple[str, ...] = ("day", "week")


@dataclass(frozen=True)
class Rate:
    """A share of the reached recipients; value, low and high are None under the minimum sample."""

    count: int
    reached: int
    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Group:
    value: str | None  # the dimension's identifier (None: not set, e.g. no persona)
    reached: int
    rates: dict[str, Rate]

    @property
    def enough(self) -> bool:
        return any(r.value is not None for r in self.rates.values())


@dataclass(frozen=True)
class Point:
    start: str  # YYYY-MM-DD: the day, or the Monday of the week (UTC)
    reached: int
    rates: dict[str, Rate]


@dataclass(frozen=True)
class Overview:
    by: str
    metric: str
    since: str | None
    min_reached: int
    total: Group
    groups: list[Group]  # best first on `metric`; groups without enough data after, biggest first
    trend: list[Point]  # oldest first
    titles: dict[str, str]  # material id -> title, when grouped by material


@dataclass(frozen=True)
class VariantView:
    material_id: str
    title: str
    released_version: int | None  # None: not served now (retired, withdrawn, not yet released)
    picked: int
    outcomes: int
    rate: Rate
    lift: float | None  # against the slot's other variants pooled; None when either side is thin


@dataclass(frozen=True)
class SlotView:
    slot: slots.Slot
    min_picked: int
    variants: list[VariantView]


def window(days: int, today: date | None = None) -> str | None:
    """The first day (UTC, YYYY-MM-DD) of the last `days` days, today included; 0: no limit."""
    if days < 0:
        raise UsageError(f"a period is a number of days, not {days}")
    if days == 0:
        return None
    first = (today or datetime.now(UTC).date()) - timedelta(days=days - 1)
    return first.isoformat()


def short_id(material_id: str) -> str:
    """The end of a material id, for tables: ids made the same day share their start (a time),
    so the end is what tells variants apart, and a full id pushes figures off a 1024 px screen."""
    return material_id if len(material_id) <= 12 else f"…{material_id[-9:]}"


def _rate(count: int, reached: int, min_reached: int) -> Rate:
    if reached < min_reached or reached <= 0:
        return Rate(count, reached, None, None, None)
    low, high = wilson(count, reached)
    return Rate(count, reached, count / reached, low, high)


def _rates(counts: Mapping[str, int], reached: int, min_reached: int) -> dict[str, Rate]:
    return {name: _rate(int(counts.get(name, 0)), reached, min_reached) for name in RATES}


def _counts(group: Mapping[str, Any]) -> dict[str, int]:
    return {name: int(group["rates"][name]["count"]) for name in RATES}


def monday(week: str) -> str:
    """SQLite's '%Y-W%W' week ('2026-W48') as the date of its Monday ('2026-11-30')."""
    return datetime.strptime(f"{week}-1", "%Y-W%W-%w").date().isoformat()


def _best_first(groups: list[Group], metric: str) -> list[Group]:
    def key(g: Group) -> tuple[Any, ...]:
        r = g.rates[metric]
        # Unsubscribes and complaints are harms: for them the best group has the lowest rate.
        sign = 1 if metric in ("unsubscribed", "complained") else -1
        if r.value is None:
            return (1, -g.reached, str(g.value))
        return (0, sign * r.value, sign * (r.low or 0.0), -g.reached, str(g.value))

    return sorted(groups, key=key)


def _trend(lib: Library | sqlite3.Connection, trend: str, since: str | None,
           min_reached: int) -> list[Point]:
    found = performance(lib, by=[trend], since=since, min_reached=min_reached)["groups"]
    merged: dict[str, tuple[int, dict[str, int]]] = {}
    for g in found:
        raw = g["key"][trend]
        if raw is None:
            continue
        # Week 00 of a year and the last week of the one before share a Monday: one point.
        start = monday(raw) if trend == "week" else str(raw)
        reached, counts = merged.get(start, (0, dict.fromkeys(RATES, 0)))
        merged[start] = (reached + int(g["reached"]),
                         {k: counts[k] + v for k, v in _counts(g).items()})
    return [Point(start, reached, _rates(counts, reached, min_reached))
            for start, (reached, counts) in sorted(merged.items())]


def titles(lib: Library | sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Material id -> its current title (what people wrote or the model made: show as text)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = connection(lib).execute(f"SELECT id, title FROM materials WHERE id IN ({marks})", list(ids))
    return {str(i): str(t or "") for i, t in rows}


def overview(lib: Library | sqlite3.Connection, *, by: str, metric: str = "clicked",
             since: str | None = None, trend: str = "day", min_reached: int = MIN_REACHED) -> Overview:
    """The period's total, its groups of `by` best first on `metric`, and a trend by day or week."""
    if by not in GROUPS:
        raise UsageError(f"cannot group by {by}; choose from: {', '.join(GROUPS)}")
    if metric not in RATES:
        raise UsageError(f"unknown rate {metric}; choose from: {', '.join(RATES)}")
    if trend not in TRENDS:
        raise UsageError(f"a trend is per {' or '.join(TRENDS)}, not {trend}")
    found = performance(lib, by=[by], since=since, min_reached=min_reached)["groups"]
    groups = [Group(None if g["key"][by] is None else str(g["key"][by]), int(g["reached"]),
                    _rates(_counts(g), int(g["reached"]), min_reached)) for g in found]
    points = _trend(lib, trend, since, min_reached)
    reached = sum(p.reached for p in points)
    counts = {name: sum(p.rates[name].count for p in points) for name in RATES}
    total = Group(None, reached, _rates(counts, reached, min_reached))
    named = titles(lib, [g.value for g in groups if g.value is not None]) if by == "material" else {}
    return Overview(by, metric, since, min_reached, total, _best_first(groups, metric), points, named)


def slot_views(lib: Library | sqlite3.Connection, *, min_n: int = 30) -> list[SlotView]:
    """Every slot, newest first, with what `contentgen slots show` gives for each variant."""
    out = []
    for slot in slots.list_slots(lib):
        report = slots.report(lib, slot, min_n=min_n)
        named = titles(lib, list(slot.variants))
        variants = []
        for v in report["variants"]:
            picked, done = int(v["picked"]), int(v[slot.metric])
            rate = Rate(done, picked, v["rate"], v["low"], v["high"])
            variants.append(VariantView(str(v["material_id"]), named.get(str(v["material_id"]), ""),
                                        v["released_version"], picked, done, rate, v["lift_vs_others"]))
        out.append(SlotView(slot, int(report["min_picked"]), variants))
    return out
