"""A provider's rate-limit state in the library's database, shared by every worker on every host.

    store = SharedRateStore(lib, "openai")      # a contentgen.providers.rate_limit.RateStore
    RateLimiter(Limits(rpm=1200), store=store)

One row per limit; `update` reads it under a row lock (PostgreSQL: SELECT ... FOR UPDATE, which
waits only for other limiters, not for library writes; SQLite: the write lock), applies the
pure arithmetic of contentgen.kernel.rate with the database's clock (one clock for all hosts),
and writes it back in the same short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import sqlite_utils

from contentgen.kernel.rate import RateState
from library._db import dialect
from library.migrations import migration

if TYPE_CHECKING:
    from library.store import Library

T = TypeVar("T")

_NOW = {
    "postgresql": "SELECT extract(epoch FROM clock_timestamp())::double precision",
    "sqlite": "SELECT (julianday('now') - 2440587.5) * 86400.0",
}


class SharedRateStore:
    blocking = True  # a database round trip: async callers run it on a thread

    def __init__(self, lib: Library, name: str) -> None:
        self.lib, self.name = lib, name

    def update(self, fn: Callable[[RateState, float], tuple[RateState, T]]) -> T:
        conn = self.lib._db().conn
        pg = dialect(conn) == "postgresql"
        select = "SELECT state FROM rate_limits WHERE name = ?" + (" FOR UPDATE" if pg else "")
        conn.execute("BEGIN" if pg else "BEGIN IMMEDIATE")
        try:
            row = conn.execute(select, [self.name]).fetchone()
            if row is None:  # the first request under this name
                conn.execute("INSERT INTO rate_limits (name, state) VALUES (?, '') ON CONFLICT (name) DO NOTHING",
                             [self.name])
                row = conn.execute(select, [self.name]).fetchone()
            (text,) = row
            (now,) = conn.execute(_NOW["postgresql" if pg else "sqlite"]).fetchone()
            state, out = fn(RateState.loads(text), float(now))
            conn.execute("UPDATE rate_limits SET state = ? WHERE name = ?", [state.dumps(), self.name])
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return out


@migration
def m170_rate_limits(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE rate_limits (name TEXT PRIMARY KEY, state TEXT NOT NULL)")
