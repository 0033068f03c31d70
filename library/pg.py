"""PostgreSQL as the library's second backend: the same SQL, spoken through psycopg 3.

The library writes one dialect, SQLite's, kept to what PostgreSQL also understands; this module
is the seam that carries it over (see ARCHITECTURE.md, "Storage"):

- `?` and `:name` placeholders become psycopg's `%s` and `%(name)s` (literals left alone);
- `a CROSS JOIN b ON` (SQLite's join-order hint) becomes a plain JOIN;
- `BEGIN IMMEDIATE` becomes `BEGIN` plus a transaction-level advisory lock, so a check-and-set
  that relies on SQLite's single writer is just as safe here (writers queue; readers never wait);
- the few SQLite functions the queries use (`json_each`, `json_extract`, `json_array_length`,
  `json_type`, `julianday`, `date`, `strftime`) exist as SQL functions with SQLite's meaning,
  made by `library.pg_schema`;
- psycopg's errors are raised as the sqlite3 classes the library already handles
  (IntegrityError, OperationalError, DatabaseError), with PostgreSQL's message.

Connections come from a psycopg_pool pool per library handle (CONTENTGEN_DB_POOL, default 10): a
thread borrows one for a statement, or for a transaction from BEGIN to its end, so many threads
(API workers, UI sessions) share a few server connections.

Values bind client-side (psycopg's ClientCursor), as literals PostgreSQL types from the column
they meet, which is how SQLite treats them too; booleans bind as 0/1, as SQLite stores them.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from library import pg_schema
from library._db import PerThread

POOL_SIZE = int(os.environ.get("CONTENTGEN_DB_POOL", "10"))  # connections per process and library
# One key for the whole library: `BEGIN IMMEDIATE` on SQLite takes the database's write lock.
WRITE_LOCK_KEY = 0x636F6E74  # "cont"
_TOKENS = re.compile(r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(\?)|(?<![:\w]):([A-Za-z_]\w*)|(%)""")


# SQLite's `a CROSS JOIN b ON …` pins the join order for its planner; PostgreSQL plans its own.
_CROSS_JOIN_ON = re.compile(r"\bCROSS JOIN (\w+ \w+) ON\b")


def translate(sql: str, named: bool = False) -> str:
    """SQLite-style placeholders to psycopg's; every literal `%` doubled (psycopg scans for it)."""
    sql = _CROSS_JOIN_ON.sub(r"JOIN \1 ON", sql)

    def sub(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            return m.group(0).replace("%", "%%")
        if m.group(3):
            return "%s"
        if m.group(4):
            return f"%({m.group(4)})s" if named else m.group(0)
        return "%%"
    return _TOKENS.sub(sub, sql)


def _value(v: Any) -> Any:
    return int(v) if isinstance(v, bool) else v


def _params(params: Any) -> Any:
    if params is None:
        return ()
    if isinstance(params, Mapping):
        return {k: _value(v) for k, v in params.items()}
    return [_value(v) for v in params]


class IntegrityError(sqlite3.IntegrityError):
    """A PostgreSQL constraint or trigger refusal, as the library's sqlite3 class."""


class OperationalError(sqlite3.OperationalError):
    """PostgreSQL unreachable, a lock timeout, a cancelled statement."""


class DatabaseError(sqlite3.DatabaseError):
    """Any other PostgreSQL error."""


@contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except psycopg.errors.IntegrityError as e:
        raise IntegrityError(_message(e)) from e
    except psycopg.errors.RaiseException as e:  # a trigger's RAISE: the audit trail's refusal
        raise IntegrityError(_message(e)) from e
    except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as e:
        # Worded as SQLite's busy error, which every face already answers (the API: 503).
        raise OperationalError(f"database is locked: {_message(e)}") from e
    except psycopg.OperationalError as e:
        raise OperationalError(f"database is unreachable: {_message(e)}") from e
    except psycopg.Error as e:
        raise DatabaseError(_message(e)) from e


def _message(e: psycopg.Error) -> str:
    diag = getattr(e, "diag", None)
    primary = diag.message_primary if diag is not None else None
    return " ".join((primary or str(e) or type(e).__name__).split())  # one line


class Cursor:
    """What the library reads of a sqlite3 cursor: fetchone, fetchall, iteration, rowcount.

    The rows are read when the statement runs (psycopg has the whole result by then anyway),
    so the connection goes back to the pool at once."""

    def __init__(self, cur: psycopg.Cursor[Any]):
        self.description = cur.description
        self.rowcount = cur.rowcount
        self._rows: list[Any] = cur.fetchall() if cur.description is not None else []
        self._next = 0

    def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[Any]:
        rest, self._next = self._rows[self._next:], len(self._rows)
        return rest

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """A thread's connection to the library: a pooled psycopg connection borrowed for one
    statement, or from BEGIN to COMMIT/ROLLBACK for a transaction, then given back. So a
    process holds connections only while it uses them, and never more than the pool's size
    (autocommit: transactions are the library's explicit BEGINs)."""

    dialect = "postgresql"

    def __init__(self, pool: ConnectionPool[Any], *, wait_s: float, owns_pool: bool = False):
        self.pool = pool
        self.wait_s = wait_s  # for a free connection, before "database is busy"
        self.owns_pool = owns_pool  # a connection of one's own (see own_connection): closes it
        self._held: psycopg.Connection[Any] | None = None  # inside a transaction

    @property
    def in_transaction(self) -> bool:
        return self._held is not None

    @contextmanager
    def _raw(self) -> Iterator[psycopg.Connection[Any]]:
        raw = self._held
        if raw is None:
            try:
                raw = self.pool.getconn(timeout=self.wait_s)
            except PoolTimeout as e:
                raise self._no_connection() from e
            except PoolClosed as e:
                raise OperationalError("the library is closed") from e
        try:
            with _mapped():
                yield raw
        finally:
            if raw.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
                self._held = raw  # until the transaction ends
            else:  # idle, or broken: the pool discards a broken one
                self._held = None
                broken = raw.closed or raw.info.transaction_status == TransactionStatus.UNKNOWN
                self.pool.putconn(raw)
                if broken:  # the server went away? test the idle ones too, before they are lent
                    self.pool.check()

    def _no_connection(self) -> OperationalError:
        """Why the pool had no connection to lend: every connection is in use, or the server is
        gone (the pool lost its connections and cannot make new ones: one probe says why)."""
        if self.pool.get_stats().get("pool_size", 0) < self.pool.max_size:
            try:
                psycopg.connect(str(self.pool.conninfo), connect_timeout=2).close()
            except psycopg.Error as e:
                return OperationalError(f"database is unreachable: {_message(e)}")
        return OperationalError(f"database is busy: no free connection in {self.wait_s:g} s "
                                f"(pool of {self.pool.max_size}; CONTENTGEN_DB_POOL sets it)")

    def execute(self, sql: str, params: Any = None) -> Cursor:
        stripped = sql.strip().rstrip(";").upper()
        if stripped == "BEGIN IMMEDIATE":
            self._run("BEGIN", ())
            try:
                return self._run("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            except BaseException:  # like SQLite's failed BEGIN IMMEDIATE: no transaction left
                self._run("ROLLBACK", ())
                raise
        if stripped == "BEGIN" and self.in_transaction:
            raise OperationalError("cannot start a transaction within a transaction")
        return self._run(translate(sql, isinstance(params, Mapping)), _params(params))

    def _run(self, sql: str, params: Any) -> Cursor:
        with self._raw() as raw:
            cur = raw.cursor()
            cur.execute(sql, params)
            return Cursor(cur)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        # Server-side binding here: one prepared INSERT for the whole batch (client-side, each
        # row would be parsed and planned again: ~30% slower saves, benchmarks/bench_pg.py).
        # Batches bind str/int/float/None into their own columns, which PostgreSQL assigns.
        with self._raw() as raw:
            cur = psycopg.Cursor(raw)
            cur.executemany(translate(sql), [_params(r) for r in rows])
            return Cursor(cur)

    def executescript(self, script: str) -> None:
        """Several statements, no placeholders, in the current transaction (if one is open)."""
        with self._raw() as raw:
            raw.execute(script)

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    def close(self) -> None:
        """End a transaction left open (the library is closing, maybe from another thread while
        this one still works in it): the connection is closed, so the server rolls it back and
        nothing after it can commit half of it; the pool replaces it."""
        raw, self._held = self._held, None
        if raw is not None:
            raw.close()
            if not self.pool.closed:
                self.pool.putconn(raw)
        if self.owns_pool:
            self.pool.close()


class Database:
    """What the library uses of a sqlite_utils.Database, for PostgreSQL: execute, conn, tables."""

    dialect = "postgresql"

    def __init__(self, conn: Connection):
        self.conn = conn

    def execute(self, sql: str, params: Any = None) -> Cursor:
        return self.conn.execute(pg_schema.ddl(sql), params)

    def executescript(self, script: str) -> None:
        """A migration's script: its column types in PostgreSQL's words (library.pg_schema)."""
        self.conn.executescript(pg_schema.ddl_script(script))

    def table_names(self) -> list[str]:
        rows = self.execute("SELECT table_name FROM information_schema.tables"
                            " WHERE table_schema = current_schema() ORDER BY table_name").fetchall()
        return [r[0] for r in rows]

    def enable_wal(self) -> None:
        """SQLite's journal mode; PostgreSQL always logs ahead."""


class Connections(PerThread):
    """PostgreSQL: a pool of psycopg connections for the process (CONTENTGEN_DB_POOL, default
    10), each thread borrowing one per statement or transaction; a connection the server
    dropped is replaced by the pool."""

    def __init__(self, url: str, *, busy_timeout_ms: int, size: int = POOL_SIZE):
        super().__init__(busy_timeout_ms=busy_timeout_ms)
        self.url = url
        self.size = max(1, size)
        self._handles: weakref.WeakSet[Connection] = weakref.WeakSet()
        self._pool: ConnectionPool[Any] | None = None

    @property
    def pool(self) -> ConnectionPool[Any]:
        """Opened on first use, like a SQLite file's first connection."""
        with self._lock:
            if self._pool is None:
                with _mapped():  # unreachable or refused: say so now, in one line, not after a timeout
                    psycopg.connect(self.url, connect_timeout=10).close()
                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=self.size, open=True, name="contentgen",
                    kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor, "connect_timeout": 10},
                    configure=self._configure)
            return self._pool

    def _configure(self, raw: psycopg.Connection[Any]) -> None:
        raw.execute(f"SET lock_timeout = {int(self.busy_timeout_ms)}")

    def db(self) -> Database:
        # A thread's handle costs no server connection; it goes with its thread (a UI rerun's,
        # an idle API worker's), so handles are only weakly tracked for close().
        db = getattr(self._local, "db", None)
        if db is None:
            pool = self.pool
            db = self._local.db = Database(Connection(pool, wait_s=max(1.0, self.busy_timeout_ms / 1000)))
            with self._lock:
                self._handles.add(db.conn)
        return cast(Database, db)

    def close(self) -> None:
        with self._lock:
            handles = list(self._handles)
            self._handles.clear()
        for conn in handles:
            conn.close()
        self._local = threading.local()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


def own_connection(url: str, *, lock_timeout_ms: int) -> Connection:
    """A connection of one's own, outside any library handle (tools, tests): a pool of one."""
    conns = Connections(url, busy_timeout_ms=lock_timeout_ms, size=1)
    return Connection(conns.pool, wait_s=max(1.0, lock_timeout_ms / 1000), owns_pool=True)
