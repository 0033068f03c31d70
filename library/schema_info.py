"""What a table looks like (columns, key, identity columns), read from either backend's catalog.

Column types come back in SQLite's words (INTEGER, TEXT, REAL) so that the import's row models
(library._transfer_rows) are the same on both.
"""

from __future__ import annotations

from typing import Any

from library._db import dialect

_PG_TYPES = {"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER", "text": "TEXT",
             "double precision": "REAL", "real": "REAL", "boolean": "INTEGER", "bytea": "BLOB"}

# name, declared type, NOT NULL, default, position in the primary key (0: not in it)
Column = tuple[str, str, bool, Any, int]


def columns(conn: Any, table: str) -> list[Column]:
    if dialect(conn) != "postgresql":
        return [(name, str(decl).upper(), bool(notnull), default, int(pk))
                for _cid, name, decl, notnull, default, pk
                in conn.execute(f'PRAGMA table_info("{table}")')]
    keys = dict(conn.execute(
        "SELECT k.column_name, k.ordinal_position FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name"
        " AND k.table_schema = c.table_schema WHERE c.table_schema = current_schema()"
        " AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY'", [table]).fetchall())
    rows = conn.execute(
        "SELECT column_name, data_type, is_nullable = 'NO', column_default, is_identity = 'YES'"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()
    return [(name, _PG_TYPES.get(kind, kind.upper()), bool(notnull),
             "identity" if identity else default, int(keys.get(name, 0)))
            for name, kind, notnull, default, identity in rows]


def primary_key(conn: Any, table: str) -> list[str]:
    """The key's columns in key order; SQLite's rowid for a table without one."""
    key = sorted((pk, name) for name, _t, _n, _d, pk in columns(conn, table) if pk)
    return [name for _, name in key] or ["rowid"]


def identity_columns(conn: Any) -> list[tuple[str, str]]:
    """(table, column) of every PostgreSQL identity column; none on SQLite (rowids follow)."""
    if dialect(conn) != "postgresql":
        return []
    return [(t, c) for t, c in conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'").fetchall()]


def advance_identities(conn: Any) -> None:
    """After rows were inserted with their own ids: each identity continues past the largest."""
    for table, column in identity_columns(conn):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'),"
                     f" COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, false)")
