"""Outcome events: what happened after a send (delivered, read, clicked, replied, converted,
unsubscribed, complained), reported by the delivery system or imported from a channel export.

    result = ingest(conn, [OutcomeEventIn(...), ...], source="wecom-app", channels=["wecom_1v1"])
    result.accepted, result.duplicates

A batch is all or nothing: one event that is refused (a recipient that is not an opaque hash,
a version never released, a channel outside the token) refuses the batch, and the error lists
every problem; nothing is stored. Each event's `id` is its idempotency key within its source
(the token's name, or the importer's source name): sending a batch again adds nothing and
counts its events as duplicates; an id reused for a different event is a conflict.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError
from library import released as dq
from library._db import dumps, now
from library.errors import ConflictError, LibraryError, PermissionDenied
from library.migrations import migration

if TYPE_CHECKING:
    from library.store import Library

EVENT_TYPES: tuple[str, ...] = ("delivered", "read", "clicked", "replied", "converted",
                                "unsubscribed", "complained")
EventType = Literal["delivered", "read", "clicked", "replied", "converted", "unsubscribed",
                    "complained"]
MAX_BATCH = 5000  # events per API request: ~1 MiB, the API's body cap
_INT64 = 2**63 - 1
_FUTURE_SLACK = timedelta(days=1)  # clocks differ; a day ahead means a wrong clock or zone
_SHOWN_PROBLEMS = 20
_COLUMNS = ("source", "event_id", "fingerprint", "delivery_id", "material_id", "version", "channel",
            "recipient", "type", "at", "value", "received_at")


@migration
def m150_outcome_events(db: sqlite_utils.Database) -> None:
    # One statement per execute: executescript would commit the migration's transaction.
    db.execute(
        f"""
        CREATE TABLE outcome_events (
            seq INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            event_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            delivery_id INTEGER,
            material_id TEXT NOT NULL REFERENCES materials(id),
            version INTEGER NOT NULL,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ({", ".join(f"'{t}'" for t in EVENT_TYPES)})),
            at TEXT NOT NULL,
            value REAL,
            received_at TEXT NOT NULL,
            UNIQUE (source, event_id)
        )
        """
    )
    # Performance groups by version and recipient; slot attribution looks up one recipient.
    db.execute("CREATE INDEX idx_outcome_version ON outcome_events (material_id, version, recipient)")
    db.execute("CREATE INDEX idx_outcome_recipient ON outcome_events (recipient, material_id, type)")


def connection(source: Library | sqlite3.Connection) -> sqlite3.Connection:
    """The connection to use: a face passes its Library, the delivery API its own connection."""
    return source._db().conn if hasattr(source, "_db") else source


# ---- recipients are opaque hashes -------------------------------------------------------------

_HASHLIKE = re.compile(r"^[A-Za-z0-9+/=_:.\-]{16,128}$")
_PHONE_CHARS = re.compile(r"[\s\-().+]")
NO_PII = ("send recipients as opaque hashes, e.g. the hex sha256 of your customer id with a "
          "secret salt (16-128 letters and digits); phone numbers, e-mail addresses and names are "
          "never stored")


def recipient_problem(value: str) -> str | None:
    """Why `value` is not accepted as a recipient, or None; never repeats the value itself
    (it may be personal data, and error messages end up in client logs)."""
    if "@" in value:
        return "recipient looks like an e-mail address"
    squeezed = _PHONE_CHARS.sub("", value)
    if squeezed.isdigit() or (squeezed[:-1].isdigit() and squeezed[-1:] in "Xx" and len(squeezed) > 6):
        return "recipient looks like a phone, account or ID number (digits only)"
    if any(c.isspace() for c in value) or not value.isascii():
        return "recipient looks like a name (spaces or non-Latin letters)"
    if value.isalpha() and len(value) < 32:
        # A base64 digest of 32+ characters can be letters only by chance; a short one is a word.
        return "recipient looks like a name (letters only)"
    if not _HASHLIKE.match(value):
        return "recipient is not hash-like (too short, too long or odd characters)"
    return None


class RecipientRefused(LibraryError, UsageError):
    """A recipient that is not an opaque hash (a pick asked for a phone number, say)."""


def check_recipient(value: str) -> str:
    problem = recipient_problem(value)
    if problem is not None:
        raise RecipientRefused(f"{problem}: {NO_PII}")
    return value


# ---- the event as sent ---------------------------------------------------------------------------


class OutcomeEventIn(BaseModel):
    """One outcome: a delivery (`delivery_id`) or a released version on a channel, a recipient."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200, description="unique per event: the idempotency key")
    delivery_id: int | None = Field(default=None, ge=1, le=_INT64,
                                    description="id returned by POST /v1/deliveries")
    material_id: str | None = Field(default=None, min_length=1, max_length=200)
    version: int | None = Field(default=None, ge=1, le=_INT64)
    channel: str | None = None
    recipient: str = Field(min_length=1, max_length=200, description="an opaque hash, never personal data")
    type: EventType
    at: datetime = Field(description="ISO-8601 time with a zone, e.g. 2026-11-02T09:30:00+08:00")
    value: float | None = Field(default=None, ge=-1e15, le=1e15, allow_inf_nan=False,
                                description="e.g. the order amount of a conversion")

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        if v is not None and v not in vocab.CHANNELS:
            raise ValueError(f"unknown channel {v!r}; choose one of: {', '.join(vocab.CHANNELS)}")
        return v

    @field_validator("at")
    @classmethod
    def _zoned(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("time has no zone; add Z for UTC or an offset such as +08:00")
        return v

    @model_validator(mode="after")
    def _target(self) -> OutcomeEventIn:
        if self.delivery_id is None and (self.material_id is None or self.version is None
                                         or self.channel is None):
            raise ValueError("give delivery_id, or material_id, version and channel")
        return self


class EventsRefused(LibraryError, UsageError):
    """A batch refused for what its events say; `problems` lists them, one line each."""

    def __init__(self, problems: list[str], advice: str | None = None):
        self.problems, self.advice = problems, advice
        shown = problems[:_SHOWN_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__("; ".join(shown) + (f"; and {more} more" if more else "")
                         + (f". To fix: {advice}" if advice else "")
                         + ". Nothing in this batch was stored: fix these and send it again.")


@dataclass(frozen=True)
class IngestResult:
    received: int
    accepted: int
    duplicates: int

    def as_dict(self) -> dict[str, int]:
        return {"received": self.received, "accepted": self.accepted, "duplicates": self.duplicates}


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _deliveries(conn: sqlite3.Connection, ids: set[int]) -> dict[int, tuple[str, int, str, str]]:
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT id, material_id, version, channel, client FROM deliveries "
        "WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))", [dumps(sorted(ids))]).fetchall()
    return {int(r[0]): (str(r[1]), int(r[2]), str(r[3]), str(r[4])) for r in rows}


def prepare(conn: sqlite3.Connection, events: Sequence[OutcomeEventIn], *, source: str,
            channels: Sequence[str] | None = None, delivery_client: str | None = None,
            labels: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
    """Each event resolved and checked, as its row; PermissionDenied when an event's channel is
    outside `channels`, EventsRefused listing every other problem. `delivery_client`: only that
    client's deliveries may be named; `labels`: how messages name each event (e.g. "line 4")."""
    names = labels or [f"event {i + 1} (id {e.id!r})" for i, e in enumerate(events)]
    acked = _deliveries(conn, {e.delivery_id for e in events if e.delivery_id is not None})
    problems: list[str] = []
    targets: list[tuple[str, int, str] | None] = []
    for name, e in zip(names, events, strict=True):
        target = (e.material_id, e.version, e.channel)
        if e.delivery_id is not None:
            found = acked.get(e.delivery_id)
            if found is None or (delivery_client is not None and found[3] != delivery_client):
                problems.append(f"{name}: no delivery {e.delivery_id} was acknowledged"
                                + (f" by token {delivery_client!r}" if delivery_client else ""))
                targets.append(None)
                continue
            if any(given is not None and given != have for given, have in zip(target, found[:3], strict=True)):
                problems.append(f"{name}: delivery {e.delivery_id} is {found[0]} v{found[1]} on "
                                f"{found[2]}; the event names another material, version or channel")
            target = found[:3]
        targets.append((str(target[0]), int(target[1] or 0), str(target[2])))
    if channels is not None:
        outside = sorted({t[2] for t in targets if t is not None and t[2] not in channels})
        if outside:
            raise PermissionDenied(f"token {source!r} may report events on {', '.join(channels)}, "
                                   f"not {', '.join(outside)}")
    pii = False
    released: dict[tuple[str, int], bool] = {}
    on_channel: dict[str, str | None] = {}
    latest = datetime.now(UTC) + _FUTURE_SLACK
    received = now()
    rows: list[tuple[Any, ...]] = []
    for name, e, t in zip(names, events, targets, strict=True):
        if t is None:
            continue
        problem = recipient_problem(e.recipient)
        if problem:
            problems.append(f"{name}: {problem}")
            pii = True
        if e.at > latest:
            problems.append(f"{name}: time {e.at.isoformat()} is more than a day ahead; check the "
                            "sender's clock and time zone")
        mid, version, channel = t
        if mid not in on_channel:
            on_channel[mid] = dq.material_channel(conn, mid)
        if (mid, version) not in released:
            released[(mid, version)] = on_channel[mid] is not None and dq.was_released(conn, mid, version)
        if not released[(mid, version)]:
            problems.append(f"{name}: material {mid!r} version {version} was never released; "
                            "outcomes are recorded only for released versions")
        elif on_channel[mid] != channel:
            problems.append(f"{name}: material {mid} is on channel {on_channel[mid]}, not {channel}")
        at = _utc(e.at)
        # What the event says, normalised (the same instant in another zone is the same event).
        canonical = f"{e.delivery_id}|{mid}|{version}|{channel}|{e.recipient}|{e.type}|{at}|{e.value!r}"
        fingerprint = hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()
        rows.append((source, e.id, fingerprint, e.delivery_id, mid, version, channel, e.recipient,
                     e.type, at, e.value, received))
    if problems:
        raise EventsRefused(problems, NO_PII if pii else None)
    return rows


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction on a raw connection (the API's own), lock taken up front."""
    conn.execute("BEGIN IMMEDIATE")  # check-and-insert under the write lock: no double insert
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def store(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> IngestResult:
    """Insert prepared rows once each: ids already stored (or repeated in the batch) with the
    same event are duplicates; with a different event, ConflictError and nothing is stored."""
    fresh: dict[tuple[str, str], tuple[Any, ...]] = {}
    duplicates = 0
    conflicts: set[str] = set()
    for row in rows:
        key = (row[0], row[1])
        seen = fresh.get(key)
        if seen is None:
            fresh[key] = row
        elif seen[2] == row[2]:
            duplicates += 1
        else:
            conflicts.add(row[1])
    with transaction(conn):
        for source in {k[0] for k in fresh}:
            ids = [k[1] for k in fresh if k[0] == source]
            for event_id, fingerprint in conn.execute(
                    "SELECT event_id, fingerprint FROM outcome_events WHERE source = ? AND event_id IN "
                    "(SELECT value FROM json_each(?))", [source, dumps(ids)]):
                if fresh.pop((source, event_id))[2] == fingerprint:
                    duplicates += 1
                else:
                    conflicts.add(event_id)
        if conflicts:
            listed = ", ".join(repr(c) for c in sorted(conflicts)[:10])
            raise ConflictError(f"event id {listed} already stands for a different event; give each "
                                "event its own id (nothing in this batch was stored)")
        conn.executemany(insert_sql(), list(fresh.values()))
    return IngestResult(received=len(rows), accepted=len(fresh), duplicates=duplicates)


def ingest(conn: sqlite3.Connection, events: Sequence[OutcomeEventIn], *, source: str,
           channels: Sequence[str] | None = None, delivery_client: str | None = None,
           labels: Sequence[str] | None = None) -> IngestResult:
    """prepare, then store: one batch, all or nothing."""
    rows = prepare(conn, events, source=source, channels=channels, delivery_client=delivery_client,
                   labels=labels)
    return store(conn, rows)


def insert_sql() -> str:
    """The INSERT that store runs (the benchmark's raw baseline uses the same statement)."""
    return (f"INSERT INTO outcome_events ({', '.join(_COLUMNS)}) VALUES "
            f"({', '.join('?' for _ in _COLUMNS)})")


def count(source: Library | sqlite3.Connection) -> int:
    return int(connection(source).execute("SELECT COUNT(*) FROM outcome_events").fetchone()[0])
