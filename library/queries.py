"""Read side of the library: rows to models, listing and search, history, stats, delivery reads."""

from __future__ import annotations

import difflib
import sqlite3
from typing import Any

from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError
from library._db import dialect, loads
from library.errors import NotFoundError
from library.models import (
    STATUSES,
    AuditEvent,
    Material,
    MaterialVersion,
    Override,
    Page,
)

MATERIAL_COLS = (
    "id", "industry", "segment", "persona", "content_type", "channel", "locale", "tags",
    "plan_id", "send_at", "title", "status", "current_version", "released_version", "verdict",
    "finding_count", "created_by", "created_at", "updated_at",
)
VERSION_COLS = (
    "material_id", "version", "parent_version", "status", "content", "text", "title", "source",
    "prompt_ref", "model", "parameters", "brief", "generation", "compliance", "verdict", "author",
    "created_at", "override_by", "override_justification", "override_at", "withdrawn_from",
)
AUDIT_COLS = ("id", "at", "actor", "role", "action", "material_id", "version", "from_status",
              "to_status", "reason")
_M = ", ".join(f"m.{c}" for c in MATERIAL_COLS)
_V = ", ".join(f"v.{c}" for c in VERSION_COLS)
_A = ", ".join(AUDIT_COLS)
ORDERS = {
    "updated_desc": "m.updated_at DESC, m.seq DESC",
    "updated_asc": "m.updated_at ASC, m.seq ASC",
    "created_desc": "m.seq DESC",
    "created_asc": "m.seq ASC",
}
# Filters on a dimension column, with the vocabulary a value must come from (None: free text).
DIMENSIONS: dict[str, tuple[str, ...] | None] = {
    "industry": vocab.INDUSTRIES, "channel": vocab.CHANNELS, "segment": vocab.SEGMENTS,
    "locale": vocab.LOCALES, "content_type": vocab.CONTENT_TYPES, "persona": vocab.PERSONAS,
    "plan_id": None,
}
MAX_LIMIT = 1000


def no_material(material_id: str) -> NotFoundError:
    return NotFoundError(f"no material {material_id!r}; see: contentgen library list")


def material_from_row(row: tuple[Any, ...]) -> Material:
    d = dict(zip(MATERIAL_COLS, row, strict=True))
    d["tags"] = loads(d["tags"], [])
    return Material(**d)


def version_from_row(row: tuple[Any, ...]) -> MaterialVersion:
    d = dict(zip(VERSION_COLS, row, strict=True))
    for k, default in (("content", {}), ("model", None), ("parameters", {}), ("brief", None),
                       ("generation", {}), ("compliance", {})):
        d[k] = loads(d[k], default)
    by, why, at = d.pop("override_by"), d.pop("override_justification"), d.pop("override_at")
    d["override"] = Override(by=by, justification=why, at=at) if by else None
    return MaterialVersion(**d)


def get_material(conn: sqlite3.Connection, material_id: str) -> Material:
    row = conn.execute(f"SELECT {_M} FROM materials m WHERE m.id = ?", [material_id]).fetchone()
    if row is None:
        raise no_material(material_id)
    return material_from_row(row)


def get_version(conn: sqlite3.Connection, material_id: str, n: int) -> MaterialVersion:
    row = conn.execute(f"SELECT {_V} FROM versions v WHERE v.material_id = ? AND v.version = ?",
                       [material_id, n]).fetchone()
    if row is None:
        current = get_material(conn, material_id).current_version
        raise NotFoundError(f"{material_id} has no version {n}; versions are 1 to {current}")
    return version_from_row(row)


def versions(conn: sqlite3.Connection, material_id: str) -> list[MaterialVersion]:
    get_material(conn, material_id)
    rows = conn.execute(f"SELECT {_V} FROM versions v WHERE v.material_id = ? ORDER BY v.version",
                        [material_id]).fetchall()
    return [version_from_row(r) for r in rows]


def lineage_authors(conn: sqlite3.Connection, material_id: str, n: int) -> dict[int, str]:
    """Author of each version from n back to version 1, following parent links."""
    rows = dict(
        (r[0], (r[1], r[2])) for r in conn.execute(
            "SELECT version, parent_version, author FROM versions WHERE material_id = ? AND"
            " version <= ?", [material_id, n])
    )
    authors: dict[int, str] = {}
    cur: int | None = n
    while cur is not None and cur in rows and cur not in authors:
        parent, author = rows[cur]
        authors[cur] = author
        cur = parent
    return authors


def _where(filters: dict[str, Any]) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for key, value in filters.items():
        if value is None:
            continue
        if key not in DIMENSIONS:
            raise UsageError(f"unknown filter {key!r}; choose from: {', '.join(DIMENSIONS)}")
        allowed = DIMENSIONS[key]
        if allowed is not None and value not in allowed:
            raise UsageError(f"unknown {key.replace('_', ' ')} {value!r}; choose one of: "
                             f"{', '.join(allowed)}")
        clauses.append(f"m.{key} = ?")
        params.append(value)
    return clauses, params


def _search(q: str, dialect: str = "sqlite") -> tuple[list[str], list[Any]]:
    """Every whitespace-separated term must appear in title or body (substring, any script,
    ASCII case ignored).

    On SQLite the trigram index answers terms of 3+ characters; shorter ones (two CJK characters
    are a word) fall back to LIKE on the same FTS table. On PostgreSQL every term is an ILIKE,
    which the pg_trgm indexes answer for 3+ characters (library.pg_schema).
    """
    clauses: list[str] = []
    params: list[Any] = []
    like_op = "ILIKE" if dialect == "postgresql" else "LIKE"
    for term in q.split():
        if len(term) >= 3 and dialect != "postgresql":
            clauses.append("m.seq IN (SELECT rowid FROM material_search WHERE material_search MATCH ?)")
            params.append('"' + term.replace('"', '""') + '"')
        else:
            like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(f"m.seq IN (SELECT rowid FROM material_search WHERE title {like_op} ?"
                           f" ESCAPE '\\' OR body {like_op} ? ESCAPE '\\')")
            params += [like, like]
    return clauses, params


VERDICTS = ("block", "warn", "pass")
# Waiting for a compliance decision: drafts held back by error-level findings, and materials
# with a version the rule rescan withdrew (current or the one that was served).
COMPLIANCE_QUEUE_SQL = (
    "((m.status = 'draft' AND m.verdict = 'block') OR (m.status != 'retired' AND m.id IN"
    " (SELECT material_id FROM versions WHERE status = 'withdrawn')))"
)


def withdrawn_versions(conn: sqlite3.Connection, material_id: str) -> list[int]:
    """Versions of a material the rule rescan withdrew, newest first."""
    rows = conn.execute("SELECT version FROM versions WHERE material_id = ? AND status ="
                        " 'withdrawn' ORDER BY version DESC", [material_id]).fetchall()
    return [int(r[0]) for r in rows]


def _iso_utc(value: str) -> str:
    from datetime import UTC, datetime

    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{value!r} is not an ISO-8601 time (e.g. 2026-12-01T00:00:00Z)") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def list_materials(
    conn: sqlite3.Connection, *, status: str | None = None, industry: str | None = None,
    channel: str | None = None, segment: str | None = None, locale: str | None = None,
    content_type: str | None = None, persona: str | None = None, plan_id: str | None = None,
    has_findings: bool | None = None, q: str | None = None, limit: int = 50, offset: int = 0,
    order: str = "updated_desc", verdict: str | None = None, updated_before: str | None = None,
    compliance_queue: bool = False, author: str | None = None,
) -> Page:
    """compliance_queue: what waits for a compliance decision (COMPLIANCE_QUEUE_SQL);
    author: materials of which this person wrote any version (an operator's own work)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise UsageError(f"offset must be 0 or more, not {offset}")
    if order not in ORDERS:
        raise UsageError(f"unknown order {order!r}; choose one of: {', '.join(ORDERS)}")
    clauses, params = _where({"industry": industry, "channel": channel, "segment": segment,
                              "locale": locale, "content_type": content_type,
                              "persona": persona, "plan_id": plan_id})
    if status is not None:
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r}; choose one of: {', '.join(STATUSES)}")
        clauses.append("m.status = ?")
        params.append(status)
    if has_findings is not None:
        clauses.append("m.finding_count > 0" if has_findings else "m.finding_count = 0")
    if verdict is not None:
        if verdict not in VERDICTS:
            raise UsageError(f"unknown verdict {verdict!r}; choose one of: {', '.join(VERDICTS)}")
        clauses.append("m.verdict = ?")
        params.append(verdict)
    if compliance_queue:
        clauses.append(COMPLIANCE_QUEUE_SQL)
    if author is not None:
        clauses.append("EXISTS (SELECT 1 FROM versions va WHERE va.material_id = m.id AND va.author = ?)")
        params.append(author)
    if updated_before is not None:
        # Timestamps are stored as ISO-8601 UTC text, which sorts as time.
        clauses.append("m.updated_at < ?")
        params.append(_iso_utc(updated_before))
    if q and q.strip():
        c, p = _search(q, dialect(conn))
        clauses += c
        params += p
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    total = conn.execute(f"SELECT COUNT(*) FROM materials m{where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT {_M} FROM materials m{where} ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return Page(items=[material_from_row(r) for r in rows], total=total, limit=limit, offset=offset)


def _event(row: tuple[Any, ...]) -> AuditEvent:
    return AuditEvent(**dict(zip(AUDIT_COLS, row, strict=True)))


def history(conn: sqlite3.Connection, material_id: str) -> list[AuditEvent]:
    rows = conn.execute(f"SELECT {_A} FROM audit WHERE material_id = ? ORDER BY id",
                        [material_id]).fetchall()
    return [_event(r) for r in rows]


def audit_log(conn: sqlite3.Connection, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise UsageError(f"limit must be 1-{MAX_LIMIT} and offset 0 or more")
    rows = conn.execute(f"SELECT {_A} FROM audit ORDER BY id DESC LIMIT ? OFFSET ?",
                        [limit, offset]).fetchall()
    return [_event(r) for r in rows]


def diff(conn: sqlite3.Connection, material_id: str, a: int, b: int) -> str:
    va, vb = get_version(conn, material_id, a), get_version(conn, material_id, b)
    lines = difflib.unified_diff(va.text.splitlines(), vb.text.splitlines(),
                                 fromfile=f"{material_id} v{a}", tofile=f"{material_id} v{b}",
                                 lineterm="")
    return "\n".join(lines)


def _counts(conn: sqlite3.Connection, column: str) -> dict[str, int]:
    rows = conn.execute(f"SELECT {column}, COUNT(*) FROM materials GROUP BY {column} ORDER BY 2 DESC")
    return {r[0]: r[1] for r in rows}


def stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Dashboard figures, each one aggregate query (nothing loads the whole library)."""
    decisions = dict(conn.execute(
        "SELECT action, COUNT(*) FROM audit WHERE action IN ('approve', 'reject',"
        " 'request_changes') GROUP BY action").fetchall())
    decided = sum(decisions.values())
    first_approval = (
        "SELECT (julianday(MIN(a.at)) - julianday(m.created_at)) * 86400.0 AS s FROM audit a"
        " JOIN materials m ON m.id = a.material_id WHERE a.action = 'approve'"
        " GROUP BY a.material_id, m.created_at"
    )
    n = conn.execute(f"SELECT COUNT(*) FROM ({first_approval}) AS f").fetchone()[0]
    median: float | None = None
    if n:
        mid = conn.execute(f"SELECT s FROM ({first_approval}) AS f ORDER BY s LIMIT ? OFFSET ?",
                           [2 - n % 2, (n - 1) // 2]).fetchall()
        median = round(sum(r[0] for r in mid) / len(mid), 3)
    top = conn.execute(
        "SELECT json_extract(f.value, '$.rule') AS rule, COUNT(*) FROM materials m"
        " JOIN versions v ON v.material_id = m.id AND v.version = m.current_version,"
        " json_each(v.compliance, '$.findings') f WHERE m.finding_count > 0"
        " GROUP BY rule ORDER BY 2 DESC, rule LIMIT 10").fetchall()
    return {
        "total": conn.execute("SELECT COUNT(*) FROM materials").fetchone()[0],
        "by_status": _counts(conn, "status"),
        "by_channel": _counts(conn, "channel"),
        "by_industry": _counts(conn, "industry"),
        "decisions": decisions,
        "approval_rate": round(decisions.get("approve", 0) / decided, 4) if decided else None,
        "median_seconds_to_approval": median,
        "top_rules": [{"rule": r[0], "count": r[1]} for r in top],
    }
