"""The one read path for released content: released versions only, keyset pages, the change
feed. The delivery API serves from it, and the Library's released_* methods wrap it.

Every query that hands out content joins a material to its `released_version` AND requires
that version's own status to be `released`: both have to agree before anything leaves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Filters a client may use on /v1/materials, mapped to their SQL.
FILTER_SQL: dict[str, str] = {
    "industry": "m.industry = ?",
    "segment": "m.segment = ?",
    "locale": "m.locale = ?",
    "content_type": "m.content_type = ?",
    "persona": "m.persona = ?",
    "plan_id": "m.plan_id = ?",
    "tag": "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = ?)",
}

# What an item shows besides its content, in ITEM_FIELDS order: a page reads only these and
# fetches `content` just for the items its caller has not serialised yet.
ITEM_FIELDS = (
    "id", "version", "channel", "industry", "segment", "persona", "content_type", "locale",
    "tags", "plan_id", "send_at", "title",
)
_ITEM_COLUMNS = """
    m.id, m.released_version AS version, m.channel, m.industry, m.segment, m.persona,
    m.content_type, m.locale, m.tags, m.plan_id, m.send_at, v.title
"""
# Whether the offline model wrote the version: the API marks its payload (issue 13).
_OFFLINE = "(CASE WHEN json_type(v.model, '$.offline') = 'true' THEN 1 ELSE 0 END) AS offline"
_COLUMNS = _ITEM_COLUMNS + ", v.content, " + _OFFLINE
_RELEASED = """
    FROM materials m
    JOIN versions v ON v.material_id = m.id AND v.version = m.released_version
    WHERE m.released_version IS NOT NULL AND v.status = 'released' AND m.status != 'retired'
"""


@dataclass(frozen=True)
class Released:
    """One released version, with the material's dimensions, ready to render."""

    row: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def version(self) -> int:
        return int(self.row["version"])


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _to_released(cursor: sqlite3.Cursor) -> list[Released]:
    names = [d[0] for d in cursor.description]
    out = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        tags = row["tags"]
        row["tags"] = [] if not tags or tags == "[]" else json.loads(tags)
        # content stays JSON text: the renderer decodes it only on a payload-cache miss.
        out.append(Released(row))
    return out


def released_page(
    conn: sqlite3.Connection,
    *,
    channels: Sequence[str],
    filters: dict[str, str] | None = None,
    after_id: str | None = None,
    limit: int = 50,
) -> tuple[list[Released], bool]:
    """Released versions on `channels` matching `filters`, by id after `after_id`; (items, more)."""
    if not channels:
        return [], False
    sql, params = _page_sql(_COLUMNS, channels, filters, after_id, limit)
    items = _to_released(conn.execute(sql, params))
    return items[:limit], len(items) > limit


def released_page_rows(
    conn: sqlite3.Connection,
    *,
    channels: Sequence[str],
    filters: dict[str, str] | None = None,
    after_id: str | None = None,
    limit: int = 50,
) -> tuple[list[tuple[Any, ...]], bool]:
    """As released_page, but raw ITEM_FIELDS tuples (tags as JSON text, no content); (rows, more)."""
    if not channels:
        return [], False
    sql, params = _page_sql(_ITEM_COLUMNS, channels, filters, after_id, limit)
    rows = conn.execute(sql, params).fetchall()
    return rows[:limit], len(rows) > limit


def _page_sql(columns: str, channels: Sequence[str], filters: dict[str, str] | None,
              after_id: str | None, limit: int) -> tuple[str, list[Any]]:
    sql = [f"SELECT {columns} {_RELEASED} AND m.channel IN ({_placeholders(channels)})"]
    params: list[Any] = list(channels)
    for name, value in sorted((filters or {}).items()):
        sql.append(f"AND {FILTER_SQL[name]}")
        params.append(value)
    if after_id is not None:
        sql.append("AND m.id > ?")
        params.append(after_id)
    sql.append("ORDER BY m.id LIMIT ?")
    params.append(limit + 1)
    return " ".join(sql), params


def released_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Released]:
    """The currently released version of each of `ids` that has one."""
    if not ids:
        return {}
    cursor = conn.execute(f"SELECT {_COLUMNS} {_RELEASED} AND m.id IN ({_placeholders(ids)})", list(ids))
    return {r.id: r for r in _to_released(cursor)}


def released_rows_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """As released_by_ids, but raw ITEM_FIELDS tuples (tags as JSON text, no content)."""
    if not ids:
        return {}
    rows = conn.execute(f"SELECT {_ITEM_COLUMNS} {_RELEASED} AND m.id IN ({_placeholders(ids)})", list(ids))
    return {r[0]: r for r in rows}


def to_released(row: tuple[Any, ...], content: str, offline: bool = False) -> Released:
    """A raw ITEM_FIELDS row and its version's content, as released_page would have given it."""
    out = dict(zip(ITEM_FIELDS, row, strict=True))
    tags = out["tags"]
    out["tags"] = [] if not tags or tags == "[]" else json.loads(tags)
    out["content"] = content
    out["offline"] = offline
    return Released(out)


def offline_versions(conn: sqlite3.Connection, keys: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which of these (material_id, version) the offline model wrote."""
    out: set[tuple[str, int]] = set()
    for start in range(0, len(keys), 400):
        chunk = keys[start:start + 400]
        where = " OR ".join("(material_id = ? AND version = ?)" for _ in chunk)
        params = [x for key in chunk for x in key]
        sql = f"SELECT material_id, version FROM versions WHERE ({where}) AND json_type(model, '$.offline') = 'true'"
        out.update((mid, version) for mid, version in conn.execute(sql, params))
    return out


def version_contents(conn: sqlite3.Connection, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The content (JSON text) of each (material_id, version); versions are immutable."""
    out: dict[tuple[str, int], str] = {}
    for start in range(0, len(keys), 400):  # two bound parameters per key, well under the limit
        chunk = keys[start:start + 400]
        where = " OR ".join("(material_id = ? AND version = ?)" for _ in chunk)
        params = [x for key in chunk for x in key]
        for mid, version, content in conn.execute(
                f"SELECT material_id, version, content FROM versions WHERE {where}", params):
            out[(mid, version)] = content
    return out


def material_channel(conn: sqlite3.Connection, material_id: str) -> str | None:
    row = conn.execute("SELECT channel FROM materials WHERE id = ?", [material_id]).fetchone()
    return None if row is None else str(row[0])


def last_change_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
    return int(row[0])


CHANGE_FIELDS = ("seq", "material_id", "version", "kind", "channel", "at")


def changes_after(
    conn: sqlite3.Connection, *, channels: Sequence[str], after_seq: int, limit: int
) -> tuple[list[tuple[int, str, int, str]], bool]:
    """(seq, material_id, version, kind) on `channels` after `after_seq`, oldest first; (rows, more)."""
    if not channels:
        return [], False
    rows = conn.execute(
        "SELECT seq, material_id, version, kind FROM changes "
        f"WHERE seq > ? AND channel IN ({_placeholders(channels)}) ORDER BY seq LIMIT ?",
        [after_seq, *channels, limit + 1],
    ).fetchall()
    typed = [(int(s), str(m), int(v), str(k)) for s, m, v, k in rows]
    return typed[:limit], len(typed) > limit


def change_rows(conn: sqlite3.Connection, *, channels: Sequence[str], after_seq: int,
                limit: int) -> list[tuple[Any, ...]]:
    """As changes_after, with every CHANGE_FIELDS column (for embedders, not the hot path)."""
    if not channels:
        return []
    return conn.execute(
        f"SELECT {', '.join(CHANGE_FIELDS)} FROM changes "
        f"WHERE seq > ? AND channel IN ({_placeholders(channels)}) ORDER BY seq LIMIT ?",
        [after_seq, *channels, limit]).fetchall()


def was_released(conn: sqlite3.Connection, material_id: str, version: int) -> bool:
    """Whether this version has ever been released (a delivery may ack a just-superseded one)."""
    row = conn.execute(
        "SELECT 1 FROM changes WHERE material_id = ? AND version = ? AND kind = 'release' LIMIT 1",
        [material_id, version],
    ).fetchone()
    return row is not None
