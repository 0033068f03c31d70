"""The audit trail is append-only against raw SQL too (issue 10, item 5), on SQLite and on
PostgreSQL (a trigger there too, and UPDATE/DELETE/TRUNCATE revoked)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from contentgen.testing_pg import raw_connection
from library import Library

REWRITES = [
    "UPDATE audit SET actor = 'mallory' WHERE id = 1",
    "DELETE FROM audit WHERE id = 1",
    "INSERT OR REPLACE INTO audit (id, at, actor, role, action) VALUES (1, 'now', 'mallory', 'admin', 'create')",
    "REPLACE INTO audit (id, at, actor, role, action) VALUES (1, 'now', 'mallory', 'admin', 'create')",
    "INSERT INTO audit (id, at, actor, role, action) VALUES (1, 'now', 'mallory', 'admin', 'create')"
    " ON CONFLICT (id) DO UPDATE SET actor = excluded.actor",
    "INSERT INTO audit (id, at, actor, role, action) VALUES (1, 'now', 'mallory', 'admin', 'create')"
    " ON CONFLICT DO NOTHING",
    "UPDATE OR REPLACE audit SET id = 2 WHERE id = 1",
]


PG_REWRITES = [
    "UPDATE audit SET actor = 'mallory' WHERE id = 1",
    "DELETE FROM audit WHERE id = 1",
    "TRUNCATE audit CASCADE",
    "INSERT INTO audit (id, at, actor, role, action) VALUES (1, 'now', 'mallory', 'admin', 'create')"
    " ON CONFLICT (id) DO UPDATE SET actor = excluded.actor",
    "INSERT INTO audit (id, at, actor, role, action) VALUES (1, 'now', 'mallory', 'admin', 'create')",
    "WITH gone AS (DELETE FROM audit RETURNING id) SELECT COUNT(*) FROM gone",
]


@pytest.mark.parametrize("sql", PG_REWRITES)
def test_raw_sql_cannot_rewrite_the_audit_trail_on_postgresql(
        backend: str, lib: Library, draft_factory: Any, sql: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's statements; --backend postgresql runs them")
    mv = lib.save_draft(draft_factory(), author="alice")
    lib.submit(mv.material_id, 1, actor="alice")
    before = lib.audit_log()
    conn = raw_connection(lib.target)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only|permission denied|duplicate key"):
            conn.execute(sql)
    finally:
        conn.close()
    assert lib.audit_log() == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sql", REWRITES)
def test_raw_sql_cannot_rewrite_the_audit_trail(lib: Library, draft_factory: Any, sql: str) -> None:
    mv = lib.save_draft(draft_factory(), author="alice")
    lib.submit(mv.material_id, 1, actor="alice")
    before = lib.audit_log()
    conn = sqlite3.connect(lib.path, isolation_level=None)
    conn.execute("PRAGMA recursive_triggers = OFF")  # REPLACE's implicit delete fires no trigger
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    finally:
        conn.close()
    assert lib.audit_log() == before


def test_appending_still_works(lib: Library, draft_factory: Any, backend: str) -> None:
    mv = lib.save_draft(draft_factory(), author="alice")
    conn = raw_connection(lib.target)
    upsert = "INSERT OR REPLACE INTO" if backend == "sqlite" else "INSERT INTO"
    try:
        conn.execute("INSERT INTO audit (at, actor, role, action) VALUES ('now', 'x', 'system', 'note')")
        conn.execute(f"{upsert} audit (at, actor, role, action) VALUES ('now', 'x', 'system', 'n2')")
    finally:
        conn.close()
    assert [e.action for e in lib.audit_log()][:2] == ["n2", "note"]
    assert lib.history(mv.material_id)[0].action == "create"
