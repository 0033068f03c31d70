"""Export and import the whole library as JSON Lines, for backups and moves.

Line 1 is a header `{"format": "contentgen-library", "version": 1, "migrations": [...]}`; each
further line is `{"table": NAME, "row": {...}}`, tables in dependency order, rows by key.
Users keep their scrypt password hashes and tokens their sha256 hashes (never plaintext), so
a restored library logs people in and serves clients as before: keep the file as private as
the database. The search index is derived data: it is rebuilt on import, not exported.

An import file is untrusted input. Every row is validated against its table's model
(library._transfer_rows: known columns, vocabularies, types), text and titles are re-derived
from the content, and the whole file must tell one consistent story (library._transfer_checks:
authors agree with the audit trail, every approved or released version has a valid approval by
someone other than its authors). With a checker (the CLI passes the library's compliance
engine), served and current versions are re-checked with today's rules. Any problem refuses
the whole file with one line naming the line and field: nothing is written.

    report = import_into(lib, open("backup.jsonl"))    # re-checked with lib.checker
    print("\\n".join(report.lines()))
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import sqlite_utils
from pydantic import BaseModel

from contentgen.kernel.errors import UsageError
from contentgen.kernel.schemas import CONTENT_MODELS, content_text
from library import _transfer_checks as checks
from library import _transfer_rows as rows
from library import schema_info
from library._db import dialect, immediate, loads
from library.batch_save import title_of
from library.errors import ConflictError

if TYPE_CHECKING:
    from library.store import Library

FORMAT, FORMAT_VERSION = "contentgen-library", 1
# Known tables first, parents before children; tables other migrations add follow by name.
# (Parents first matters on PostgreSQL, whose foreign keys are checked row by row.)
ORDER = ["users", "tokens", "materials", "versions", "audit", "changes", "plans",
         "plan_touchpoints", "deliveries", "slots", "slot_variants", "slot_picks", "batches", "batch_items"]
_SKIP_PREFIXES = ("sqlite_", "material_search", "migrations")
MAX_LINE = 16 * 1024 * 1024  # one row; far above any real one (content is capped per field)


def _tables(db: sqlite_utils.Database) -> list[str]:
    names = [t for t in db.table_names() if not t.startswith(_SKIP_PREFIXES)]
    return [t for t in ORDER if t in names] + sorted(t for t in names if t not in ORDER)


def _order_by(db: sqlite_utils.Database, table: str) -> str:
    return ", ".join(f'"{c}"' for c in schema_info.primary_key(db.conn, table))


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$base64"} and isinstance(value["$base64"], str):
        try:
            return base64.b64decode(value["$base64"], validate=True)
        except ValueError:
            raise ValueError("bad $base64 value") from None
    return value


def export_jsonl(db: sqlite_utils.Database, fp: IO[str]) -> int:
    """Write every row; returns the number of rows. Reads one consistent snapshot."""
    conn = db.conn
    conn.execute("BEGIN")  # a read transaction: the export is one point in time
    try:
        applied = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY applied_at, name")]
        fp.write(json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "migrations": applied})
                 + "\n")
        count = 0
        for table in _tables(db):
            cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY {_order_by(db, table)}')
            cols = [d[0] for d in cur.description]
            for row in cur:
                # versions.rowid (PostgreSQL's stand-in for SQLite's hidden rowid) is not data.
                record = {c: _encode(v) for c, v in zip(cols, row, strict=True) if c != "rowid"}
                fp.write(json.dumps({"table": table, "row": record}, ensure_ascii=False) + "\n")
                count += 1
    finally:
        conn.execute("COMMIT")
    return count


@dataclass
class ImportReport:
    """What an import brought in, for the person who ran it to read before serving anything."""

    rows: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    users: dict[str, list[str]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    rederived: int = 0
    rechecked: int | None = None
    withdrawn: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    milder_drafts: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"imported {self.rows} rows: " + ", ".join(f"{t} {n}" for t, n in self.tables.items())]
        out.append("users: " + ("; ".join(f"{r} {', '.join(n)}" for r, n in sorted(self.users.items()))
                                or "none"))
        out.append("active tokens: " + (", ".join(self.tokens) or "none"))
        if self.rederived:
            out.append(f"re-derived from content: {self.rederived} stored texts or titles that did not match")
        if self.rechecked is None:
            out.append("compliance: not re-checked")
        else:
            out.append(f"compliance: {self.rechecked} current or served versions re-checked with today's rules")
        out += [f"withdrawn (now blocked, not served): {w}" for w in self.withdrawn]
        out += [f"back to draft (now blocked): {h}" for h in self.held_back]
        if self.milder_drafts:
            shown = ", ".join(self.milder_drafts[:10]) + (" ..." if len(self.milder_drafts) > 10 else "")
            out.append(f"drafts whose stored report is milder than today's rules (edit them before "
                       f"submitting): {len(self.milder_drafts)}: {shown}")
        return out


def import_jsonl(db: sqlite_utils.Database, fp: IO[str], *, checker: checks.Checker | None = None) -> int:
    """Load an export into an empty library; returns the number of rows. All or nothing."""
    return import_library(db, fp, checker=checker).rows


def import_into(lib: Library, fp: IO[str], *, checker: checks.Checker | None = None) -> ImportReport:
    """import_library into `lib`, re-checked with `checker` (default: the library's own)."""
    return import_library(lib._db(), fp, checker=checker or lib.checker)


def import_library(db: sqlite_utils.Database, fp: IO[str], *,
                   checker: checks.Checker | None = None) -> ImportReport:
    """Validate and load an export into an empty library, in one transaction; see the module doc."""
    header = _header(_read_header(fp))
    known = _tables(db)
    report = ImportReport()
    with immediate(db) as conn:
        if any(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in known):
            raise ConflictError(
                f"the library at {_name(db)} is not empty; import into a new file (--db new.db)"
                " or a new database")
        missing = [m for m in header["migrations"]
                   if not conn.execute("SELECT 1 FROM migrations WHERE name = ?", [m]).fetchone()]
        if missing:
            raise UsageError(f"the export needs migrations this version lacks: {', '.join(missing)}")
        if dialect(conn) == "sqlite":  # PostgreSQL checks each row's references as it is inserted
            conn.execute("PRAGMA defer_foreign_keys = ON")
        loader = _Loader(conn, known)
        for lineno, line in _lines(fp):
            loader.add(lineno, line)
        loader.check_references()
        checks.check_structure(conn, loader.lines)
        checks.check_authors(conn, loader.lines)
        checks.check_reviews(conn, loader.lines)
        if checker is not None:
            done = checks.recheck(conn, loader.lines, checker)
            report.rechecked, report.withdrawn = done.checked, done.withdrawn
            report.held_back, report.milder_drafts = done.held_back, done.milder_drafts
        report.rederived = loader.rederived + checks.derive_material_columns(conn)
        conn.execute(
            "INSERT INTO material_search (rowid, title, body) SELECT m.seq, m.title, v.text"
            " FROM materials m JOIN versions v ON v.material_id = m.id"
            " AND v.version = m.current_version"
        )
        schema_info.advance_identities(conn)
        report.rows, report.tables = loader.count, {t: n for t, n in loader.per_table.items() if n}
        report.users, report.tokens = checks.summary_of_people(conn)
    return report


def _read_header(fp: IO[str]) -> str:
    try:
        return fp.readline(MAX_LINE)
    except UnicodeDecodeError:
        raise UsageError("line 1: not UTF-8 text; an export is UTF-8 JSON Lines") from None


def _lines(fp: IO[str]) -> Iterator[tuple[int, str]]:
    lineno = 1
    while True:
        lineno += 1
        try:
            line = fp.readline(MAX_LINE)
        except UnicodeDecodeError:
            raise UsageError(f"line {lineno}: not UTF-8 text") from None
        if not line:
            return
        try:  # the CLI reads with surrogateescape: undecodable bytes show up here, by line
            line.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"line {lineno}: not UTF-8 text") from None
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            raise UsageError(f"line {lineno}: longer than {MAX_LINE // (1024 * 1024)} MiB")
        if line.strip():
            yield lineno, line


def _header(line: str) -> dict[str, Any]:
    try:
        header = rows.parse_json(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise UsageError("not a contentgen library export: the first line must be its header")
    if header.get("version") != FORMAT_VERSION:
        raise UsageError(f"export format version {str(header.get('version'))[:20]} is not supported "
                         f"(this contentgen reads version {FORMAT_VERSION})")
    migrations = header.get("migrations")
    if not isinstance(migrations, list) or not all(isinstance(m, str) for m in migrations):
        raise UsageError("line 1: the header's migrations must be a list of names")
    return header


class _Loader:
    """Validates and inserts one row at a time, remembering what later checks need."""

    def __init__(self, conn: sqlite3.Connection, tables: list[str]):
        self.conn = conn
        self.columns = {t: rows.columns(conn, t) for t in tables}
        self.models = {t: rows.MODELS.get(t) or rows.generic_model(t, c) for t, c in self.columns.items()}
        self.lines = checks.Lines()
        self.material_info: dict[str, tuple[str, str]] = {}  # id -> (content_type, channel)
        self.row_lines: dict[tuple[str, int], int] = {}  # (table, rowid) -> line
        self.per_table = dict.fromkeys(tables, 0)
        self.count = self.rederived = 0
        self._sql: dict[tuple[str, tuple[str, ...]], str] = {}
        # Cross-row checks per table (users and tokens: their row model is enough).
        self._checks = {"materials": self._materials, "versions": self._versions,
                        "audit": self._audit, "changes": self._changes}

    def add(self, lineno: int, line: str) -> None:
        table, row = self._record(lineno, line)
        cols = self.columns[table]
        rows.validate(self.models[table], table, row, lineno, cols)
        check = self._checks.get(table)
        if check is not None:
            check(lineno, row)
        names = tuple(c for c in cols if c in row)  # the schema's own names, never the file's keys
        sql = self._sql.get((table, names))
        if sql is None:
            quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in names)
            sql = self._sql[(table, names)] = (
                f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" for _ in names)})')
        try:
            cur = self.conn.execute(sql, [row[c] for c in names])
        except sqlite3.IntegrityError as e:
            raise UsageError(f"line {lineno}: {table}: {_integrity(e)}") from None
        except UnicodeEncodeError:
            raise UsageError(f"line {lineno}: {table}: text that is not valid Unicode") from None
        self.row_lines[(table, int(getattr(cur, "lastrowid", 0) or 0))] = lineno
        self.per_table[table] += 1
        self.count += 1

    def _record(self, lineno: int, line: str) -> tuple[str, dict[str, Any]]:
        try:
            rec = rows.parse_json(line)
        except ValueError as e:
            raise UsageError(f"line {lineno}: {e}") from None
        if not isinstance(rec, dict) or set(rec) != {"table", "row"}:
            raise UsageError(f"line {lineno}: not a {{\"table\", \"row\"}} record")
        table, row = rec["table"], rec["row"]
        if not isinstance(table, str) or table not in self.columns:
            raise UsageError(f"line {lineno}: unknown table {str(table)[:60]!r}")
        if not isinstance(row, dict) or not row:
            raise UsageError(f"line {lineno}: the row of a {table} record must be a JSON object")
        try:
            return table, {k: _decode(v) for k, v in row.items()}
        except ValueError as e:
            raise UsageError(f"line {lineno}: {table}: {e}") from None

    def _material(self, lineno: int, mid: Any, table: str) -> tuple[str, str]:
        info = self.material_info.get(mid) if isinstance(mid, str) else None
        if info is None:
            raise UsageError(f"line {lineno}: {table}.material_id {str(mid)[:60]!r} is not a material "
                             "listed before it")
        return info

    def _materials(self, lineno: int, row: dict[str, Any]) -> None:
        self.material_info[row["id"]] = (row["content_type"], row["channel"])
        self.lines.materials[row["id"]] = lineno

    def _versions(self, lineno: int, row: dict[str, Any]) -> None:
        mid, n = row["material_id"], row["version"]
        content_type, _ = self._material(lineno, mid, "versions")
        where = f"line {lineno}: versions"
        if row.get("parent_version") != (n - 1 if n > 1 else None):
            raise UsageError(f"{where}.parent_version of {mid} v{n} must be {n - 1 if n > 1 else 'null'}"
                             " (every version is made from the one before it)")
        model = _content(where, content_type, row["content"])
        text, title = content_text(model), title_of(model)
        if row["text"] != text or row.get("title", "") != title:
            # What is shown and searched is what the content says, which is what is served.
            row["text"], row["title"] = text, title
            self.rederived += 1
        report = loads(row.get("compliance") or '{"verdict": "pass"}')
        if row.get("verdict", "pass") != report.get("verdict"):
            raise UsageError(f"{where}.verdict of {mid} v{n} is {row.get('verdict', 'pass')!r} but its "
                             f"compliance report says {report.get('verdict')!r}")
        override = [row.get(k) for k in ("override_by", "override_justification", "override_at")]
        if any(override) and not all(override):
            raise UsageError(f"{where}.override_* of {mid} v{n}: give all of by, justification and at, or none")
        if (row.get("withdrawn_from") is None) != (row["status"] != "withdrawn"):
            raise UsageError(f"{where}.withdrawn_from of {mid} v{n} is set exactly when it is withdrawn")
        self.lines.versions[(mid, n)] = lineno

    def _audit(self, lineno: int, row: dict[str, Any]) -> None:
        if row.get("material_id") is not None:
            self._material(lineno, row["material_id"], "audit")
        self.lines.audit[row["id"]] = lineno

    def _changes(self, lineno: int, row: dict[str, Any]) -> None:
        _, channel = self._material(lineno, row["material_id"], "changes")
        if row["channel"] != channel:
            raise UsageError(f"line {lineno}: changes.channel is {row['channel']}, but "
                             f"{row['material_id']} is on {channel}")

    def check_references(self) -> None:
        """Every reference (deferred until now: plans follow their touchpoints) points at a row."""
        if dialect(self.conn) != "sqlite":
            return  # checked row by row as they were inserted (see _integrity)
        for table, rowid, parent, _fk in self.conn.execute("PRAGMA foreign_key_check").fetchall()[:1]:
            line = self.row_lines.get((table, rowid), "?")
            raise UsageError(f"line {line}: {table} refers to a row of {parent} that the file does not have")


def _content(where: str, content_type: str, raw: str) -> BaseModel:
    data = loads(raw)
    try:
        model = CONTENT_MODELS[content_type].model_validate(data)
    except ValueError as e:
        first = e.errors()[0] if hasattr(e, "errors") else {"loc": (), "msg": str(e)}
        loc = ".".join(str(x) for x in first.get("loc", ()))
        raise UsageError(f"{where}.content{'.' + loc if loc else ''}: "
                         f"{str(first.get('msg', e)).removeprefix('Value error, ')}") from None
    canonical = model.model_dump(mode="json")
    if any(canonical.get(k) != v for k, v in data.items()):
        raise UsageError(f"{where}.content is not {content_type} content as the library stores it")
    return model


def _integrity(e: sqlite3.IntegrityError) -> str:
    text = str(e)
    if text.startswith("UNIQUE constraint failed: "):
        return f"{text.removeprefix('UNIQUE constraint failed: ')} appears twice"
    cause = e.__cause__
    diag = getattr(cause, "diag", None)
    if type(cause).__name__ == "ForeignKeyViolation" and diag is not None:  # PostgreSQL
        return f"refers to a row of {_referenced(diag.message_detail)} that the file does not have"
    if type(cause).__name__ == "UniqueViolation" and diag is not None:
        return f"{diag.message_detail or text} appears twice"
    return text


def _referenced(detail: str | None) -> str:
    found = re.search(r'table "([^"]+)"', detail or "")
    return found.group(1) if found else "another table"


def _name(db: Any) -> str:
    if dialect(db.conn) == "sqlite":
        return str(db.conn.execute("PRAGMA database_list").fetchone()[2])
    return "this PostgreSQL database"
