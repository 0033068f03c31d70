"""How content performed: outcome rates per material version, prompt version, segment, channel,
persona, industry, plan touchpoint, day or week, or whether the send was edited after approval, each with a 95% Wilson interval.

    report = performance(lib, by=["segment", "content_type"], since="2026-11-01")
    report["groups"][0]   # {"key": {...}, "reached": 812, "rates": {"clicked": {...}}, "note": None}

The unit is a recipient of a released version: "reached" counts the recipients with any event
for it (a click implies a delivery, whether or not the channel reported the delivery), and a
rate is the share of them with at least one event of that type. Each recipient belongs to the
day of their first event for the version (their send cohort), so a click the day after still
counts for the day of the send. Groups with fewer than `min_reached` recipients carry a note,
"not enough data yet", and no rate.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen.kernel.errors import UsageError
from library.bandit import wilson
from library.outcomes import connection

if TYPE_CHECKING:
    from library.store import Library

RATES: tuple[str, ...] = ("read", "clicked", "replied", "converted", "unsubscribed", "complained")
MIN_REACHED = 30
# --by names → their SQL over the per-recipient rows r, materials m, versions v, touchpoints t.
DIMENSIONS: dict[str, str] = {
    "material": "r.material_id",
    "version": "r.material_id || ' v' || r.version",
    "prompt": "v.prompt_ref",
    "segment": "m.segment",
    "channel": "m.channel",
    "persona": "m.persona",
    "industry": "m.industry",
    "content_type": "m.content_type",
    "locale": "m.locale",
    "plan": "m.plan_id",
    "touchpoint": "CASE WHEN t.seq IS NULL THEN NULL ELSE t.plan_id || '#' || t.seq END",
    "day": "substr(r.first_at, 1, 10)",
    "week": "strftime('%Y-W%W', r.first_at)",
    # Whether the send to this recipient was edited after approval (library.sent_text).
    "edited": "CASE ed.edited WHEN 1 THEN 'edited' WHEN 0 THEN 'as approved' ELSE 'not reported' END",
}
EDITED_VALUES: tuple[str, ...] = ("as approved", "edited", "not reported")
# A recipient's send was edited when any sent-text report for it says so: the report is matched
# to the recipient's events by event, by the recipient hash on that version, or (a report of a
# whole delivery, naming no event or recipient) by delivery. A report of one recipient's event
# never marks the other recipients of its delivery.
_EDITED = """
    , ed AS (
        SELECT e.material_id, e.version, e.recipient, MAX(s.edited) AS edited
        FROM outcome_events e JOIN sent_texts s ON s.material_id = e.material_id AND s.version = e.version
         AND ((s.event_id IS NULL AND s.recipient IS NULL AND e.delivery_id IS NOT NULL
               AND s.delivery_id = e.delivery_id)
              OR (s.client = e.source AND s.event_id = e.event_id) OR s.recipient = e.recipient)
        GROUP BY e.material_id, e.version, e.recipient
    )"""


def parse_by(value: str | Sequence[str]) -> list[str]:
    names = [n.strip() for n in (value.split(",") if isinstance(value, str) else value) if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise UsageError(f"cannot group by {', '.join(unknown)}; choose from: {', '.join(DIMENSIONS)}")
    if len(set(names)) != len(names):
        raise UsageError("give each --by dimension once")
    return names


def _day(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) < 10 or text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:10]).isdigit():
        raise UsageError(f"--{name} {value!r} is not a date; give YYYY-MM-DD (UTC)")
    return text


def _rates(row: Sequence[Any], reached: int, min_reached: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, count in zip(RATES, row, strict=True):
        count = int(count or 0)
        if reached < min_reached:
            out[name] = {"count": count, "rate": None, "low": None, "high": None}
        else:
            low, high = wilson(count, reached)
            out[name] = {"count": count, "rate": count / reached, "low": low, "high": high}
    return out


def performance(lib: Library | sqlite3.Connection, *, by: Sequence[str] = ("material",), since: str | None = None,
                until: str | None = None, min_reached: int = MIN_REACHED) -> dict[str, Any]:
    """Rates per group of `by`, for recipients first reached in [since, until) (UTC dates)."""
    dims = parse_by(list(by)) or ["material"]
    since, until = _day("since", since), _day("until", until)
    if min_reached < 1:
        raise UsageError("--min-n is at least 1")
    flags = ", ".join(f"MAX(CASE WHEN type = '{t}' THEN 1 ELSE 0 END) AS {t}" for t in RATES)
    having, params = [], []
    if since:
        having.append("MIN(at) >= ?")  # not the alias: PostgreSQL's HAVING cannot see it
        params.append(since)
    if until:
        having.append("MIN(at) < ?")
        params.append(until)
    keys = ", ".join(f"{DIMENSIONS[d]} AS k{i}" for i, d in enumerate(dims))
    group = ", ".join(f"k{i}" for i in range(len(dims)))
    sql = f"""
        WITH r AS (
            SELECT material_id, version, recipient, MIN(at) AS first_at, {flags},
                   SUM(CASE WHEN type = 'converted' THEN value END) AS value
            FROM outcome_events GROUP BY material_id, version, recipient
            {"HAVING " + " AND ".join(having) if having else ""}
        ){_EDITED if "edited" in dims else ""}
        SELECT {keys}, COUNT(*), {", ".join(f"SUM(r.{t})" for t in RATES)}, SUM(r.value)
        FROM r JOIN materials m ON m.id = r.material_id
        JOIN versions v ON v.material_id = r.material_id AND v.version = r.version
        LEFT JOIN plan_touchpoints t ON t.material_id = r.material_id
        {"LEFT JOIN ed ON ed.material_id = r.material_id AND ed.version = r.version AND ed.recipient = r.recipient"
         if "edited" in dims else ""}
        GROUP BY {group} ORDER BY {group}
    """
    groups = []
    for row in connection(lib).execute(sql, params):
        key = dict(zip(dims, row[:len(dims)], strict=True))
        reached = int(row[len(dims)])
        counts = row[len(dims) + 1:len(dims) + 1 + len(RATES)]
        value = row[-1]
        groups.append({
            "key": key, "reached": reached, "rates": _rates(counts, reached, min_reached),
            "converted_value": value,
            "note": None if reached >= min_reached else
            f"not enough data yet ({reached} reached; {min_reached} needed)",
        })
    return {"by": dims, "since": since, "until": until, "min_reached": min_reached, "rates": list(RATES),
            "groups": groups}


@dataclass(frozen=True)
class VersionOutcome:
    """One version's recipients and how many of them had each outcome (RATES), with its text."""

    material_id: str
    version: int
    title: str
    text: str
    status: str
    reached: int
    counts: dict[str, int]

    def rate(self, metric: str) -> float:
        return self.counts[metric] / self.reached


def by_version(lib: Library | sqlite3.Connection, *, locale: str, **where: str | None) -> list[VersionOutcome]:
    """Every version with outcome events among the materials of `locale` matching `where`
    (materials' columns: industry, segment, channel, content_type; None matches anything)."""
    unknown = set(where) - {"industry", "segment", "channel", "content_type"}
    if unknown:
        raise UsageError(f"cannot select versions by {', '.join(sorted(unknown))}")
    conds, params = ["m.locale = ?"], [locale]
    for column, value in where.items():
        if value is not None:
            conds.append(f"m.{column} = ?")
            params.append(value)
    flags = ", ".join(f"MAX(CASE WHEN type = '{t}' THEN 1 ELSE 0 END) AS {t}" for t in RATES)
    rows = connection(lib).execute(f"""
        WITH r AS (
            SELECT material_id, version, recipient, {flags}
            FROM outcome_events
            WHERE material_id IN (SELECT m.id FROM materials m WHERE {" AND ".join(conds)})
            GROUP BY material_id, version, recipient
        )
        SELECT r.material_id, r.version, v.title, v.text, v.status, COUNT(*),
               {", ".join(f"SUM(r.{t})" for t in RATES)}
        FROM r JOIN materials m ON m.id = r.material_id
        JOIN versions v ON v.material_id = r.material_id AND v.version = r.version
        WHERE {" AND ".join(conds)}
        GROUP BY r.material_id, r.version, v.title, v.text, v.status
        ORDER BY r.material_id, r.version
    """, params + params).fetchall()
    return [VersionOutcome(str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), int(row[5]),
                           {t: int(c or 0) for t, c in zip(RATES, row[6:], strict=True)})
            for row in rows]
