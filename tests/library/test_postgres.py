"""PostgreSQL as a library backend (issue 14): what only a second backend can show.

These run in the `--backend postgresql` pass (make test runs it), where `lib` is a PostgreSQL
library and a SQLite file sits beside it: the same search on both, a verified copy from one to
the other, a clear error when the server is not there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contentgen.testing import cli_main, cli_ok
from library import Library
from library.errors import ConflictError, LibraryError
from tests.library.conftest import make_draft, word_checker

pytestmark = pytest.mark.usefixtures("pg_server")

BODIES = [
    "双十一 面霜 第二件半价，回复1领取试用装。",
    "新品 氨基酸洁面乳 上市，温和不紧绷。",
    "Our Vitamin C serum is back in stock: reply 1 for a sample.",
    "100% 纯棉 毛巾，满99减10_限时。",
    "秋冬补水 面膜 十片装，会员专享价。",
]
QUERIES = ["面霜", "洁面乳", "vitamin", "VITAMIN c", "serum stock", "100%", "99减10_", "_", "%",
           "补水 会员", "会员 不存在", "上市", "Our", "in"]


def _fill(lib: Library) -> None:
    for i, body in enumerate(BODIES):
        lib.save_draft(make_draft(body, key=f"k-{i}"), author="alice")


def _ids(lib: Library, q: str) -> list[str]:
    return sorted(m.id for m in lib.list(q=q, limit=100).items)


def test_search_answers_the_same_on_postgresql_as_on_sqlite(lib: Library, tmp_path: Path) -> None:
    sqlite_lib = Library.open(tmp_path / "same.db", checker=word_checker)
    sqlite_lib.users.add("alice", "operator")
    try:
        _fill(lib)
        _fill(sqlite_lib)
        by_key = {sqlite_lib.get_version(m.id, 1).text: m.id for m in sqlite_lib.list(limit=100).items}
        pg_key = {m.id: lib.get_version(m.id, 1).text for m in lib.list(limit=100).items}
        for q in QUERIES:
            pg = sorted(by_key[pg_key[i]] for i in _ids(lib, q))
            assert pg == _ids(sqlite_lib, q), q
        assert len(_ids(lib, "面霜")) == 1 and len(_ids(lib, "vitamin")) == 1
        assert _ids(lib, "会员 不存在") == []
    finally:
        sqlite_lib.close()


def _released_library(path: Path) -> Library:
    src = Library.open(path, checker=word_checker)
    for name, role in (("alice", "operator"), ("rita", "reviewer")):
        src.users.add(name, role)
    for i, body in enumerate(BODIES):
        mid = src.save_draft(make_draft(body, key=f"c-{i}"), author="alice").material_id
        src.submit(mid, 1, actor="alice")
        if i % 2 == 0:
            src.approve(mid, 1, actor="rita")
            src.release(mid, 1, actor="rita")
    src.tokens.create("pusher", ["sms"])
    return src


def test_a_sqlite_library_copies_up_verified_and_keeps_working(
        library_target: str, tmp_path: Path, pg_server: Any) -> None:
    _released_library(tmp_path / "team.db").close()
    target = pg_server.create_database("copy_up")
    out = cli_ok("db", "copy", "--from", str(tmp_path / "team.db"), "--to", target).output
    assert "verified" in out and "materials" in out and "5 rows" in out
    up = Library.open(target, checker=word_checker)
    try:
        assert up.list(limit=100).total == 5
        assert len(up.list(status="released").items) == 3
        assert up.tokens.list()[0].name == "pusher"
        # It goes on: a new draft gets a fresh id past the copied ones, four eyes still hold.
        mid = up.save_draft(make_draft("再来一条新品通知。", key="after"), author="alice").material_id
        up.submit(mid, 1, actor="alice")
        assert up.approve(mid, 1, actor="rita").status == "approved"
        assert up.audit_log()[0].action == "approve"
    finally:
        up.close()
    # A second copy into the same, no longer empty, database is refused and changes nothing.
    code, _, err = cli_main("db", "copy", "--from", str(tmp_path / "team.db"), "--to", target)
    assert code != 0 and "not empty" in err


def test_copy_refuses_the_same_library_and_a_missing_source(tmp_path: Path, pg_server: Any,
                                                            library_target: str) -> None:
    from library.db_copy import copy_library

    with pytest.raises(ConflictError, match="the same library"):
        copy_library(library_target, library_target)
    with pytest.raises(LibraryError, match="no library at"):
        copy_library(tmp_path / "absent.db", library_target)


def test_migrate_creates_then_reports_up_to_date(pg_server: Any, library_target: str) -> None:
    fresh = pg_server.create_database("fresh_migrate")
    first = cli_ok("db", "migrate", "--db", fresh).output
    assert "applied" in first and "m001_initial" in first
    assert "up to date" in cli_ok("db", "migrate", "--db", fresh).output
    assert "postgresql://" in first


def test_an_unreachable_server_is_a_clear_error(library_target: str) -> None:
    code, _, err = cli_main("library", "list", "--db",
                            "postgresql://nobody:s3cret-pw@127.0.0.1:1/none", "--format", "json")
    assert code != 0 and "unreachable" in err and "s3cret-pw" not in err
    assert err.count("\n") == 1  # one line, no traceback


def test_the_sqlite_functions_mean_the_same_on_postgresql(lib: Library, tmp_path: Path) -> None:
    import sqlite3

    pg = lib._db()
    lite = sqlite3.connect(":memory:")
    doc = json.dumps({"a": {"b": [1, "x", {"c": True}]}, "t": True, "f": False, "n": 2.5, "s": "v"})
    for sql in ["SELECT json_extract(?, '$.a.b') IS NOT NULL",
                "SELECT json_type(?, '$.t')", "SELECT json_type(?, '$.f')",
                "SELECT json_type(?, '$.n')", "SELECT json_type(?, '$.s')",
                "SELECT json_type(?, '$.a')", "SELECT json_array_length(?, '$.a.b')",
                "SELECT COUNT(*) FROM json_each(?, '$.a.b')"]:
        assert pg.execute(sql, [doc]).fetchone()[0] == lite.execute(sql, [doc]).fetchone()[0], sql
    for t in ["2026-12-02T05:09:27.123456Z", "2024-01-01T00:00:00Z", "2026-03-01T23:59:59Z"]:
        day = "SELECT julianday(?)"
        assert pg.execute(day, [t]).fetchone()[0] == pytest.approx(
            lite.execute(day, [t]).fetchone()[0], abs=1e-8), t  # well under a millisecond
        for sql in ["SELECT date(?, '+480 minutes')", "SELECT date(?, '-300 minutes')",
                    "SELECT strftime('%Y-W%W', ?)"]:
            assert pg.execute(sql, [t]).fetchone()[0] == lite.execute(sql, [t]).fetchone()[0], (sql, t)


def _backends(url: str) -> int:
    """Server connections to this library's database (other than the one asking)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND pid <> pg_backend_pid()").fetchone()
    return int(row[0]) if row else 0


def test_many_threads_share_a_few_pooled_connections(library_target: str) -> None:
    import threading

    from library import pg

    lib = Library.open(library_target)
    conns = lib._conns
    assert isinstance(conns, pg.Connections) and conns.pool.max_size == pg.POOL_SIZE
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(3):
                lib.save_draft(make_draft(f"线程 {i} 第 {j} 条 面霜上新。", key=f"t{i}-{j}"), author="alice")
                lib.list(limit=5)
        except BaseException as e:  # noqa: BLE001 - collected, asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors[:3]
        assert lib.list(limit=1).total == 120
        # 40 threads wrote and read, yet the server saw at most the pool's connections.
        assert _backends(library_target) <= pg.POOL_SIZE
        assert conns.pool.get_stats().get("connections_num", 0) <= pg.POOL_SIZE
    finally:
        lib.close()
    assert _backends(library_target) == 0  # closing the library gives every connection back


def test_a_pool_with_every_connection_in_a_transaction_says_busy(library_target: str) -> None:
    import threading

    from library import pg

    conns = pg.Connections(library_target, busy_timeout_ms=1000, size=1)
    try:
        mine = conns.db().conn
        mine.execute("BEGIN")
        mine.execute("SELECT 1")
        seen: list[str] = []
        other = threading.Thread(target=lambda: seen.append(_try(conns)))
        other.start()
        other.join()
        assert seen and seen[0].startswith("database is busy: no free connection in 1 s (pool of 1")
        mine.execute("ROLLBACK")  # the transaction ends: its connection is free again
        assert _try(conns) == "ok"
    finally:
        conns.close()


def _try(conns: Any) -> str:
    import sqlite3

    try:
        conns.db().conn.execute("SELECT 1").fetchone()
    except sqlite3.OperationalError as e:
        return str(e)
    return "ok"


def test_connections_the_server_dropped_are_replaced(library_target: str) -> None:
    import sqlite3

    import psycopg

    lib = Library.open(library_target)
    try:
        _fill(lib)
        with psycopg.connect(library_target, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        failures = 0
        for _ in range(3):
            try:
                assert lib.list(limit=10).total == len(BODIES)
            except sqlite3.OperationalError as e:
                assert "unreachable" in str(e) or "terminat" in str(e), e
                failures += 1
        assert failures <= 1  # the first statement may meet a dead connection; the rest do not
        assert lib.list(limit=10).total == len(BODIES)
    finally:
        lib.close()
