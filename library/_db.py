"""Connections (one per thread; SQLite files, or PostgreSQL through library.pg), write
transactions, ids, times and JSON columns."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000


def connections(target: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Any:
    """Per-thread connections to a library: a postgresql:// URL, or else a SQLite file."""
    if target is None or str(target) in ("", "None"):
        raise ValueError(f"no library given (got {target!r}): pass a SQLite file or a postgresql:// URL")
    if is_url(target):
        from library import pg  # psycopg loads only for a PostgreSQL library

        return pg.Connections(str(target), busy_timeout_ms=busy_timeout_ms)
    return Connections(Path(target), busy_timeout_ms=busy_timeout_ms)


def is_url(target: object) -> bool:
    """A PostgreSQL library is named by its URL (postgresql://user@host/db)."""
    return str(target).startswith(("postgresql://", "postgres://"))


def redacted(target: str) -> str:
    """A library's name for messages and logs: a URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", target)


def dialect(conn: Any) -> str:
    """"postgresql" for a connection (or database) of library.pg, else "sqlite"."""
    return str(getattr(conn, "dialect", "sqlite"))


class PerThread:
    """One connection per thread (sqlite3 and psycopg connections must not be shared
    mid-transaction), all closed together; a backend says how to open one."""

    def __init__(self, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        # How long a statement waits for another connection's write lock before "database is
        # locked": the CLI and UI wait long; the delivery API waits briefly and answers 503.
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def db(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None or not self._usable(db):
            db = self._open()
            self._local.db = db
            with self._lock:
                self._all.append(db.conn)
        return db

    def _open(self) -> Any:
        raise NotImplementedError

    def _usable(self, db: Any) -> bool:
        return True

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class Connections(PerThread):
    """SQLite: one connection per thread to the library file."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        super().__init__(busy_timeout_ms=busy_timeout_ms)
        self.path = path

    def db(self) -> sqlite_utils.Database:
        return cast(sqlite_utils.Database, super().db())

    def _open(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(
            str(self.path), timeout=self.busy_timeout_ms / 1000, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # FULL: a commit the caller saw is on disk, even after power loss (system of record).
        conn.execute("PRAGMA synchronous = FULL")
        # 64 MiB page cache: index and search-tree updates stay in memory on big libraries.
        conn.execute("PRAGMA cache_size = -65536")
        return sqlite_utils.Database(conn, execute_plugins=False)


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front: check-and-set cannot race."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def now() -> str:
    """UTC time as ISO-8601 with microseconds; sorts as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_material_id() -> str:
    """Time-ordered, random-suffixed: `mat_` + 11 hex of milliseconds + 10 random hex."""
    return f"mat_{int(time.time() * 1000):011x}{secrets.token_hex(5)}"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(value: str | None, default: Any = None) -> Any:
    return default if value is None else json.loads(value)


def audit(conn: sqlite3.Connection, at: str, actor: str, role: str, action: str,
           material_id: str | None, version: int | None, from_status: str | None,
           to_status: str | None, reason: str | None) -> None:
    """One row of the append-only audit trail, in the caller's transaction."""
    conn.execute(
        "INSERT INTO audit (at, actor, role, action, material_id, version, from_status,"
        " to_status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [at, actor, role, action, material_id, version, from_status, to_status, reason],
    )
