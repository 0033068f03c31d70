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

Values bind client-side (psycopg's ClientCursor), as literals PostgreSQL types from the column
they meet, which is how SQLite treats them too; booleans bind as 0/1, as SQLite stores them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from psycopg.pq import TransactionStatus

from library import pg_schema
from library._db import PerThread

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
    """What the library reads of a sqlite3 cursor: fetchone, fetchall, iteration, rowcount."""

    def __init__(self, cur: psycopg.Cursor[Any]):
        self._cur = cur

    def fetchone(self) -> Any:
        if self._cur.description is None:
            return None
        with _mapped():
            return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        if self._cur.description is None:
            return []
        with _mapped():
            return self._cur.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self) -> Any:
        return self._cur.description


class Connection:
    """One psycopg connection (autocommit: transactions are the library's explicit BEGINs)."""

    dialect = "postgresql"

    def __init__(self, url: str, *, lock_timeout_ms: int):
        with _mapped():
            self.raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor,
                                       connect_timeout=10)
        self.lock_timeout_ms = lock_timeout_ms
        self.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Any = None) -> Cursor:
        stripped = sql.strip().rstrip(";").upper()
        if stripped == "BEGIN IMMEDIATE":
            self._run("BEGIN", ())
            try:
                return self._run("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            except BaseException:  # like SQLite's failed BEGIN IMMEDIATE: no transaction left
                self.raw.execute("ROLLBACK")
                raise
        if stripped == "BEGIN" and self.in_transaction:
            raise OperationalError("cannot start a transaction within a transaction")
        return self._run(translate(sql, isinstance(params, Mapping)), _params(params))

    def _run(self, sql: str, params: Any) -> Cursor:
        cur = self.raw.cursor()
        with _mapped():
            cur.execute(sql, params)
        return Cursor(cur)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        # Server-side binding here: one prepared INSERT for the whole batch (client-side, each
        # row would be parsed and planned again: ~30% slower saves, benchmarks/bench_pg.py).
        # Batches bind str/int/float/None into their own columns, which PostgreSQL assigns.
        cur = psycopg.Cursor(self.raw)
        with _mapped():
            cur.executemany(translate(sql), [_params(r) for r in rows])
        return Cursor(cur)

    def executescript(self, script: str) -> None:
        """Several statements, no placeholders, in the current transaction (if one is open)."""
        with _mapped():
            self.raw.execute(script)

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def __del__(self) -> None:  # a library nobody closed (a CLI command's): close, quietly
        raw = getattr(self, "raw", None)
        if raw is not None and not raw.closed:
            raw.close()


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
    """PostgreSQL: one connection per thread, like library._db.Connections for SQLite files;
    a connection the server dropped is replaced on next use."""

    def __init__(self, url: str, *, busy_timeout_ms: int):
        super().__init__(busy_timeout_ms=busy_timeout_ms)
        self.url = url

    def db(self) -> Database:
        return cast(Database, super().db())

    def _open(self) -> Database:
        return Database(Connection(self.url, lock_timeout_ms=self.busy_timeout_ms))

    def _usable(self, db: Any) -> bool:
        return not db.conn.raw.closed
