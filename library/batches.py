"""Queued generation batches: what a `generate --queue` run asked for, and where each draft is.

    batch = create(lib, id, author=..., source=..., options=..., items=[...])  # rerun: resumes
    item = start(lib, batch_id, key, worker="gen-1")      # None: done or failed already
    finish(lib, batch_id, key, material_id, version, verdict) / fail(...) / requeue(...)
    progress(lib, batch_id)                               # counts, from any host
    resume(lib, batch_id)                                 # failed items queued again

An item is one (brief, variant), keyed like the library's draft_key, so a draft is generated
once however often its job runs. Status: queued → running → done | failed; `starts` counts
how often a worker took it (a worker killed mid-draft leaves it running; the next start
counts again, and a brief that keeps killing workers ends failed, not retried forever).
The queue itself (jobs, workers, retries) is Procrastinate's, in its own schema; these tables
are what people see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from library._db import dumps, now
from library.errors import NotFoundError
from library.migrations import migration

if TYPE_CHECKING:
    from library.store import Library

STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class Item:
    batch_id: str
    key: str
    variant: int
    variants: int
    brief: dict[str, Any]
    source: str
    status: str
    starts: int
    material_id: str | None = None
    version: int | None = None
    verdict: str | None = None
    error: str | None = None
    worker: str | None = None  # the last worker that took it
    updated_at: str | None = None


@dataclass(frozen=True)
class Batch:
    id: str
    created_at: str
    author: str
    source: str
    total: int
    options: dict[str, Any]


@dataclass(frozen=True)
class Progress:
    batch_id: str
    total: int
    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    blocked: int = 0  # done, but the compliance check blocks the draft (it stays for review)
    updated_at: str | None = None  # the last change to any item: a batch that stops moving shows

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def complete(self) -> bool:
        return self.finished >= self.total

    @property
    def state(self) -> str:
        """queued (nothing taken yet), running, done, or failed (finished with failures)."""
        if not self.complete:
            return "running" if self.running or self.finished else "queued"
        return "failed" if self.failed else "done"

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "total": self.total, "queued": self.queued,
                "running": self.running, "done": self.done, "failed": self.failed,
                "blocked": self.blocked, "complete": self.complete, "updated_at": self.updated_at}


_ITEM_COLS = ("batch_id, key, variant, variants, brief, source, status, starts, material_id, version, verdict,"
              " error, worker, updated_at")


def _item(row: Any) -> Item:
    b, k, v, vs, brief, src, st, starts, mid, ver, verdict, err, worker, at = row
    return Item(b, k, v, vs, json.loads(brief), src, st, starts, mid, ver, verdict, err, worker, at)


def create(lib: Library, batch_id: str, *, author: str, source: str, options: dict[str, Any],
           items: list[dict[str, Any]]) -> tuple[Batch, list[str]]:
    """Record a batch (or find it again: the same briefs, author and options give the same id)
    and its items; failed items of an earlier run go back to queued. Returns the batch and the
    keys to put on the queue (every item not done)."""
    conn = lib._db().conn
    at = now()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO batches (id, created_at, author, source, total, options) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                     [batch_id, at, author, source, len({i["key"] for i in items}), dumps(options)])
        conn.executemany(
            "INSERT INTO batch_items (batch_id, key, variant, variants, brief, source, status, starts,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?) ON CONFLICT (batch_id, key) DO NOTHING",
            [[batch_id, i["key"], i["variant"], i["variants"], dumps(i["brief"]), i.get("source", ""), at]
             for i in items])
        keys = _reopen(conn, batch_id, at)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return get(lib, batch_id), keys


def resume(lib: Library, batch_id: str) -> list[str]:
    """Failed items of a batch go back to queued, with their starts counted afresh; returns
    the keys to put on the queue (every item not done). The batch must exist."""
    get(lib, batch_id)
    conn = lib._db().conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        keys = _reopen(conn, batch_id, now())
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return keys


def _reopen(conn: Any, batch_id: str, at: str) -> list[str]:
    conn.execute("UPDATE batch_items SET status = 'queued', starts = 0, updated_at = ? "
                 "WHERE batch_id = ? AND status = 'failed'", [at, batch_id])
    return [r[0] for r in conn.execute(
        "SELECT key FROM batch_items WHERE batch_id = ? AND status IN ('queued', 'running') ORDER BY key",
        [batch_id])]


def get(lib: Library, batch_id: str) -> Batch:
    row = lib._db().conn.execute(
        "SELECT id, created_at, author, source, total, options FROM batches WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no batch {batch_id!r}; `contentgen batch list` shows the batches")
    return Batch(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))


def item(lib: Library, batch_id: str, key: str) -> Item:
    row = lib._db().conn.execute(f"SELECT {_ITEM_COLS} FROM batch_items WHERE batch_id = ? AND key = ?",
                                 [batch_id, key]).fetchone()
    if row is None:
        raise NotFoundError(f"batch {batch_id} has no item {key!r}")
    return _item(row)


def items(lib: Library, batch_id: str, status: str | None = None, *, limit: int | None = None,
          by_line: bool = False) -> list[Item]:
    """A batch's items by key, or (by_line) in the order of their briefs file: "briefs:9"
    before "briefs:10" (the same prefix, so shorter is earlier), variants in order."""
    where, params = "batch_id = ?", [batch_id]
    if status is not None:
        where, params = where + " AND status = ?", [*params, status]
    order = " ORDER BY LENGTH(source), source, variant, key" if by_line else " ORDER BY key"
    limit_sql = order if limit is None else f"{order} LIMIT {int(limit)}"
    rows = lib._db().conn.execute(f"SELECT {_ITEM_COLS} FROM batch_items WHERE {where}{limit_sql}", params)
    return [_item(r) for r in rows]


def start(lib: Library, batch_id: str, key: str, worker: str) -> Item | None:
    """A worker takes an item: counted in `starts`; None when it is done or failed already."""
    row = lib._db().conn.execute(
        "UPDATE batch_items SET status = 'running', starts = starts + 1, worker = ?, updated_at = ? "
        f"WHERE batch_id = ? AND key = ? AND status IN ('queued', 'running') RETURNING {_ITEM_COLS}",
        [worker, now(), batch_id, key]).fetchone()
    lib._db().conn.commit()  # sqlite3 opened a transaction for the UPDATE (PostgreSQL: autocommit)
    return None if row is None else _item(row)


def finish(lib: Library, batch_id: str, key: str, *, material_id: str, version: int, verdict: str) -> None:
    lib._db().conn.execute(
        "UPDATE batch_items SET status = 'done', material_id = ?, version = ?, verdict = ?, error = NULL,"
        " updated_at = ? WHERE batch_id = ? AND key = ?", [material_id, version, verdict, now(), batch_id, key])
    lib._db().conn.commit()


def fail(lib: Library, batch_id: str, key: str, error: str) -> None:
    lib._db().conn.execute("UPDATE batch_items SET status = 'failed', error = ?, updated_at = ? "
                           "WHERE batch_id = ? AND key = ? AND status <> 'done'", [error, now(), batch_id, key])
    lib._db().conn.commit()


def requeue(lib: Library, batch_id: str, key: str, error: str) -> None:
    """A transient failure: the queue retries the item later; the error says why it waits."""
    lib._db().conn.execute("UPDATE batch_items SET status = 'queued', error = ?, updated_at = ? "
                           "WHERE batch_id = ? AND key = ? AND status = 'running'", [error, now(), batch_id, key])
    lib._db().conn.commit()


def progress(lib: Library, batch_id: str) -> Progress:
    batch = get(lib, batch_id)
    rows = lib._db().conn.execute(
        "SELECT status, COUNT(*), SUM(CASE WHEN verdict = 'block' THEN 1 ELSE 0 END), MAX(updated_at)"
        " FROM batch_items WHERE batch_id = ? GROUP BY status", [batch_id]).fetchall()
    counts = {s: int(n) for s, n, _, _ in rows}
    blocked = sum(int(b or 0) for s, _, b, _ in rows if s == "done")
    last = max((at for *_, at in rows if at), default=None)
    return Progress(batch_id, batch.total, counts.get("queued", 0), counts.get("running", 0),
                    counts.get("done", 0), counts.get("failed", 0), blocked, last)


def recent(lib: Library, limit: int = 20) -> list[tuple[Batch, Progress]]:
    rows = lib._db().conn.execute("SELECT id FROM batches ORDER BY created_at DESC, id LIMIT ?", [limit])
    return [(get(lib, r[0]), progress(lib, r[0])) for r in rows.fetchall()]


@migration
def m175_batches(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE batches (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            author TEXT NOT NULL,
            source TEXT NOT NULL,
            total INTEGER NOT NULL,
            options TEXT NOT NULL
        )""")
    db.execute(f"""
        CREATE TABLE batch_items (
            batch_id TEXT NOT NULL REFERENCES batches(id),
            key TEXT NOT NULL,
            variant INTEGER NOT NULL,
            variants INTEGER NOT NULL,
            brief TEXT NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
            starts INTEGER NOT NULL,
            worker TEXT,
            material_id TEXT,
            version INTEGER,
            verdict TEXT,
            error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (batch_id, key)
        )""")
    db.execute("CREATE INDEX batch_items_by_status ON batch_items (batch_id, status)")
