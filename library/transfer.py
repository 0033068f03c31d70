"""Export and import the whole library as JSON Lines, for backups and moves.

Line 1 is a header `{"format": "contentgen-library", "version": 1, "migrations": [...]}`; each
further line is `{"table": NAME, "row": {...}}`, tables in dependency order, rows by key.
Users keep their scrypt password hashes and tokens their sha256 hashes (never plaintext), so
a restored library logs people in and serves clients as before: keep the file as private as
the database. The search index is derived data: it is rebuilt on import, not exported.
"""

from __future__ import annotations

import base64
import json
from typing import IO, Any

import sqlite_utils

from contentgen.errors import ConflictError, UsageError
from library._db import immediate

FORMAT, FORMAT_VERSION = "contentgen-library", 1
# Known tables first, parents before children; tables other migrations add follow by name.
ORDER = ["users", "tokens", "materials", "versions", "audit", "changes"]
_SKIP_PREFIXES = ("sqlite_", "material_search", "migrations")


def _tables(db: sqlite_utils.Database) -> list[str]:
    names = [t for t in db.table_names() if not t.startswith(_SKIP_PREFIXES)]
    return [t for t in ORDER if t in names] + sorted(t for t in names if t not in ORDER)


def _order_by(db: sqlite_utils.Database, table: str) -> str:
    pks = db.table(table).pks
    return ", ".join(f"[{c}]" for c in pks)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$base64"}:
        return base64.b64decode(value["$base64"])
    return value


def export_jsonl(db: sqlite_utils.Database, fp: IO[str]) -> int:
    """Write every row; returns the number of rows. Reads one consistent snapshot."""
    conn = db.conn
    conn.execute("BEGIN")  # a read transaction: the export is one point in time
    try:
        applied = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")]
        fp.write(json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "migrations": applied})
                 + "\n")
        count = 0
        for table in _tables(db):
            cur = conn.execute(f"SELECT * FROM [{table}] ORDER BY {_order_by(db, table)}")
            cols = [d[0] for d in cur.description]
            for row in cur:
                record = {c: _encode(v) for c, v in zip(cols, row, strict=True)}
                fp.write(json.dumps({"table": table, "row": record}, ensure_ascii=False) + "\n")
                count += 1
    finally:
        conn.execute("COMMIT")
    return count


def import_jsonl(db: sqlite_utils.Database, fp: IO[str]) -> int:
    """Load an export into an empty library; returns the number of rows. All or nothing."""
    header = _header(fp.readline())
    known = set(_tables(db))
    count = 0
    with immediate(db) as conn:
        if any(conn.execute(f"SELECT 1 FROM [{t}] LIMIT 1").fetchone() for t in known):
            raise ConflictError(
                f"the library at {db.conn.execute('PRAGMA database_list').fetchone()[2]} is not "
                "empty; import into a new file (--db new.db)"
            )
        missing = [m for m in header["migrations"]
                   if not conn.execute("SELECT 1 FROM migrations WHERE name = ?", [m]).fetchone()]
        if missing:
            raise UsageError(f"the export needs migrations this version lacks: {', '.join(missing)}")
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for lineno, line in enumerate(fp, start=2):
            if not line.strip():
                continue
            table, row = _record(line, lineno, known)
            cols = ", ".join(f"[{c}]" for c in row)
            marks = ", ".join("?" for _ in row)
            conn.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})",
                         [_decode(v) for v in row.values()])
            count += 1
        conn.execute(
            "INSERT INTO material_search (rowid, title, body) SELECT m.seq, m.title, v.text"
            " FROM materials m JOIN versions v ON v.material_id = m.id"
            " AND v.version = m.current_version"
        )
    return count


def _header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise UsageError("not a contentgen library export: the first line must be its header")
    if header.get("version") != FORMAT_VERSION:
        raise UsageError(f"export format version {header.get('version')} is not supported "
                         f"(this contentgen reads version {FORMAT_VERSION})")
    return header


def _record(line: str, lineno: int, known: set[str]) -> tuple[str, dict[str, Any]]:
    try:
        rec = json.loads(line)
        table, row = rec["table"], rec["row"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise UsageError(f"line {lineno}: not a {{\"table\", \"row\"}} record") from None
    if table not in known or not isinstance(row, dict) or not row:
        raise UsageError(f"line {lineno}: unknown table {table!r}")
    return table, row
