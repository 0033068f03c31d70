"""Variant slots: approved variants of one brief behind one slot, one of them picked per recipient.

    slot = create_slot(lib, ["mat_a", "mat_b", "mat_c"], metric="clicked", actor="rui")
    got = pick(conn, slot, "9f86d081884c7d65…", arms=arm_stats(conn, slot))
    got.released          # the released version to send (library.released: nothing else)

A pick only ever chooses among the slot's variants that are released now, read through
library.released, so a variant retired or withdrawn by the rule rescan stops being picked at
once. A recipient keeps the variant they were given while it stays released (a newer release
of the same material replaces the version); only when it leaves is a new one chosen. A fixed
share of recipients (the holdout, by a hash of slot and recipient) is allocated uniformly; the
rest by Thompson sampling on the slot's outcome. Every assignment is recorded (recipient hash,
material, version, holdout), and outcome events attribute to it: an event of the slot's metric
for the same recipient and material, no earlier than an hour before the pick (clock slack).
"""

from __future__ import annotations

import random
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from contentgen.kernel.errors import UsageError
from library import bandit
from library import released as dq
from library._db import now
from library.bandit import Arm
from library.errors import NotFoundError, PermissionDenied
from library.migrations import migration
from library.outcomes import check_recipient, connection, transaction

if TYPE_CHECKING:
    from library.store import Library

METRICS: tuple[str, ...] = ("clicked", "replied", "converted", "read")
SLOT_ROLES: tuple[str, ...] = ("operator", "reviewer", "admin")
DEFAULT_HOLDOUT = 0.1
MAX_HOLDOUT = 0.5
MAX_VARIANTS = 20
# Variants of one brief reach the same people in the same form: these must agree.
SAME = ("channel", "locale", "content_type", "industry", "segment")
ATTRIBUTION_SLACK_DAYS = 1 / 24  # an event this long (an hour) before its pick still counts
_rng = random.Random()  # seeded from the OS; a pick's draw need not be reproducible


@migration
def m155_slots(db: sqlite_utils.Database) -> None:
    # One statement per execute: executescript would commit the migration's transaction.
    db.execute(
        f"""
        CREATE TABLE slots (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            metric TEXT NOT NULL CHECK (metric IN ({", ".join(f"'{m}'" for m in METRICS)})),
            holdout REAL NOT NULL CHECK (holdout >= 0 AND holdout <= {MAX_HOLDOUT}),
            channel TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE slot_variants (
            slot_id TEXT NOT NULL REFERENCES slots(id),
            material_id TEXT NOT NULL REFERENCES materials(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (slot_id, material_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE slot_picks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            slot_id TEXT NOT NULL REFERENCES slots(id),
            recipient TEXT NOT NULL,
            material_id TEXT NOT NULL REFERENCES materials(id),
            version INTEGER NOT NULL,
            holdout INTEGER NOT NULL,
            picked_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_slot_picks_recipient ON slot_picks (slot_id, recipient, id)")
    db.execute("CREATE INDEX idx_slot_picks_material ON slot_picks (slot_id, material_id)")


@dataclass(frozen=True)
class Slot:
    id: str
    name: str
    metric: str
    holdout: float
    channel: str
    created_by: str
    created_at: str
    variants: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "metric": self.metric, "holdout": self.holdout,
                "channel": self.channel, "created_by": self.created_by,
                "created_at": self.created_at, "variants": list(self.variants)}


@dataclass(frozen=True)
class Pick:
    """One answer to "which variant for this recipient": the released version, and how."""

    slot_id: str
    recipient: str
    released: dq.Released
    holdout: bool
    new: bool  # False: the recipient's recorded assignment, returned again

    @property
    def allocation(self) -> str:
        return "holdout" if self.holdout else "thompson"


def create_slot(lib: Library, materials: Sequence[str], *, metric: str, actor: str,
                holdout: float = DEFAULT_HOLDOUT, name: str = "") -> Slot:
    """A new slot over approved (or released) variants of one brief; audited."""
    role = lib.users.get(actor).role
    if role not in SLOT_ROLES:
        raise PermissionDenied(f"{actor} ({role}) may not create slots: operators and reviewers "
                               "do (or an admin)")
    if metric not in METRICS:
        raise UsageError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    if not 0 <= holdout <= MAX_HOLDOUT:
        raise UsageError(f"holdout is a share of recipients between 0 and {MAX_HOLDOUT}, not {holdout}")
    ids = list(dict.fromkeys(m.strip() for m in materials if m.strip()))
    if not 2 <= len(ids) <= MAX_VARIANTS:
        raise UsageError(f"a slot needs 2 to {MAX_VARIANTS} different materials, not {len(ids)}")
    conn = lib._db().conn
    cols = ", ".join(f"m.{c}" for c in SAME)
    found: dict[str, tuple[Any, ...]] = {}
    for mid in ids:
        row = conn.execute(
            f"SELECT {cols}, m.status, m.released_version, v.status FROM materials m JOIN versions v"
            " ON v.material_id = m.id AND v.version = m.current_version WHERE m.id = ?", [mid]).fetchone()
        if row is None:
            raise NotFoundError(f"no material {mid!r}")
        status, released_version, current_status = row[len(SAME):]
        if status == "retired" or (released_version is None and current_status != "approved"):
            raise UsageError(f"{mid} is {status}: a slot holds approved or released variants only "
                             "(they are picked once released)")
        found[mid] = row[:len(SAME)]
    first = found[ids[0]]
    for mid in ids[1:]:
        for dim, a, b in zip(SAME, first, found[mid], strict=True):
            if a != b:
                raise UsageError(f"variants of one slot share their {dim}: {ids[0]} has {a}, "
                                 f"{mid} has {b}")
    slot_id = f"slot_{secrets.token_hex(8)}"
    at = now()
    with transaction(conn):
        conn.execute("INSERT INTO slots (id, name, metric, holdout, channel, created_by, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", [slot_id, name, metric, holdout, first[0], actor, at])
        conn.executemany("INSERT INTO slot_variants (slot_id, material_id, position) VALUES (?, ?, ?)",
                         [(slot_id, mid, i) for i, mid in enumerate(ids)])
        conn.execute(
            "INSERT INTO audit (at, actor, role, action, reason) VALUES (?, ?, ?, 'slot_create', ?)",
            [at, actor, role, f"slot {slot_id} on {metric}, holdout {holdout:g}: {', '.join(ids)}"])
    return get_slot(conn, slot_id)


def get_slot(lib: Library | sqlite3.Connection, slot_id: str) -> Slot:
    conn = connection(lib)
    row = conn.execute("SELECT id, name, metric, holdout, channel, created_by, created_at FROM slots"
                       " WHERE id = ?", [slot_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no slot {slot_id!r}; list them with: contentgen slots list")
    variants = tuple(r[0] for r in conn.execute(
        "SELECT material_id FROM slot_variants WHERE slot_id = ? ORDER BY position", [slot_id]))
    return Slot(str(row[0]), str(row[1]), str(row[2]), float(row[3]), str(row[4]), str(row[5]),
                str(row[6]), variants)


def list_slots(lib: Library | sqlite3.Connection) -> list[Slot]:
    conn = connection(lib)
    ids = [r[0] for r in conn.execute("SELECT id FROM slots ORDER BY created_at DESC, id")]
    return [get_slot(conn, i) for i in ids]


def arm_stats(conn: sqlite3.Connection, slot: Slot, *, holdout: bool | None = None) -> dict[str, Arm]:
    """Per variant: recipients picked, and how many of them did the slot's metric since."""
    where = "" if holdout is None else " AND p.holdout = ?"
    params: list[Any] = [slot.metric, ATTRIBUTION_SLACK_DAYS, slot.id] + ([] if holdout is None else [int(holdout)])
    rows = conn.execute(
        "SELECT p.material_id, COUNT(DISTINCT p.recipient), COUNT(DISTINCT CASE WHEN EXISTS ("
        " SELECT 1 FROM outcome_events e WHERE e.recipient = p.recipient"
        " AND e.material_id = p.material_id AND e.type = ?"
        " AND julianday(e.at) >= julianday(p.picked_at) - ?) THEN p.recipient END)"
        f" FROM slot_picks p WHERE p.slot_id = ?{where} GROUP BY p.material_id", params).fetchall()
    return {str(m): Arm(trials=int(t), successes=int(s)) for m, t, s in rows}


def _assignment(conn: sqlite3.Connection, slot_id: str, recipient: str) -> tuple[str, int, bool] | None:
    row = conn.execute("SELECT material_id, version, holdout FROM slot_picks WHERE slot_id = ? AND"
                       " recipient = ? ORDER BY id DESC LIMIT 1", [slot_id, recipient]).fetchone()
    return None if row is None else (str(row[0]), int(row[1]), bool(row[2]))


def pick(conn: sqlite3.Connection, slot: Slot, recipient: str, *, arms: Mapping[str, Arm] | None = None,
         rng: random.Random | None = None) -> Pick | None:
    """The released variant for `recipient`, recording a new assignment when one is needed;
    None when no variant of the slot is released now. `arms`: arm_stats (the API caches them)."""
    check_recipient(recipient)
    live = dq.released_by_ids(conn, list(slot.variants))
    if not live:
        return None
    held = _assignment(conn, slot.id, recipient)
    if held is not None and held[0] in live and live[held[0]].version == held[1]:
        return Pick(slot.id, recipient, live[held[0]], held[2], new=False)
    with transaction(conn):
        # Again under the write lock: a concurrent request may have assigned this recipient, and
        # a variant may have left since the read above.
        live = dq.released_by_ids(conn, list(slot.variants))
        if not live:
            return None
        held = _assignment(conn, slot.id, recipient)
        if held is not None and held[0] in live:
            chosen, in_holdout = held[0], held[2]
            if live[chosen].version == held[1]:
                return Pick(slot.id, recipient, live[chosen], in_holdout, new=False)
        else:
            in_holdout = bandit.in_holdout(slot.id, recipient, slot.holdout)
            stats = arms if arms is not None else arm_stats(conn, slot)
            chosen = bandit.choose(list(live), stats, holdout=in_holdout, rng=rng or _rng)
        conn.execute("INSERT INTO slot_picks (slot_id, recipient, material_id, version, holdout,"
                     " picked_at) VALUES (?, ?, ?, ?, ?, ?)",
                     [slot.id, recipient, chosen, live[chosen].version, int(in_holdout), now()])
    return Pick(slot.id, recipient, live[chosen], in_holdout, new=True)


def _rate(arm: Arm, min_n: int) -> dict[str, Any]:
    if arm.trials < min_n:
        return {"rate": None, "low": None, "high": None,
                "note": f"not enough data yet ({arm.trials} picked; {min_n} needed)"}
    low, high = bandit.wilson(arm.successes, arm.trials)
    return {"rate": arm.successes / arm.trials, "low": low, "high": high, "note": None}


def report(lib: Library | sqlite3.Connection, slot: Slot, *, min_n: int = 30) -> dict[str, Any]:
    """Per variant: served now or not, picks, outcomes, rate with its 95% Wilson interval, and
    lift against the slot's other variants pooled; thin data gives a note instead of a number."""
    conn = connection(lib)
    all_arms = arm_stats(conn, slot)
    held_out = arm_stats(conn, slot, holdout=True)
    live = dq.released_by_ids(conn, list(slot.variants))
    variants = []
    for mid in slot.variants:
        arm = all_arms.get(mid, Arm())
        others = Arm(sum(a.trials for m, a in all_arms.items() if m != mid),
                     sum(a.successes for m, a in all_arms.items() if m != mid))
        rate, other = _rate(arm, min_n), _rate(others, min_n)
        lift = None
        if rate["rate"] is not None and other["rate"]:
            lift = rate["rate"] / other["rate"] - 1
        hold = held_out.get(mid, Arm())
        variants.append({
            "material_id": mid, "released_version": live[mid].version if mid in live else None,
            "picked": arm.trials, slot.metric: arm.successes, **rate, "lift_vs_others": lift,
            "holdout_picked": hold.trials, f"holdout_{slot.metric}": hold.successes})
    return {"slot": slot.as_dict(), "min_picked": min_n, "variants": variants}
