"""Saving generated drafts in bulk: the rows of a whole batch, one executemany per table."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic_core import from_json

from contentgen.kernel.schemas import Draft, content_fields, content_text
from library._db import dumps, now
from library.models import MaterialVersion
from library.queries import VERSION_COLS, version_from_row

MATERIAL_COLUMNS = (
    "seq", "id", "draft_key", "industry", "segment", "persona", "content_type", "channel",
    "locale", "tags", "plan_id", "send_at", "title", "status", "current_version", "verdict",
    "finding_count", "created_by", "created_at", "updated_at",
)
VERSION_COLUMNS = (
    "material_id", "version", "parent_version", "status", "content", "text", "title", "source",
    "prompt_ref", "model", "parameters", "brief", "generation", "compliance", "verdict",
    "author", "created_at",
)
AUDIT_COLUMNS = ("at", "actor", "role", "action", "material_id", "version", "from_status",
                 "to_status", "reason")
SEARCH_COLUMNS = ("rowid", "title", "body")
# Table -> columns, in the order they are written (versions and audit reference materials).
TABLES: dict[str, tuple[str, ...]] = {
    "materials": MATERIAL_COLUMNS, "versions": VERSION_COLUMNS, "audit": AUDIT_COLUMNS,
    "material_search": SEARCH_COLUMNS,
}
_INSERTS = {
    table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for table, cols in TABLES.items()
}
# One query finds every key of the batch already saved (json_each: any batch size, one parameter).
_EXISTING = (
    "SELECT m.draft_key, " + ", ".join(f"v.{c}" for c in VERSION_COLS)
    + " FROM materials m JOIN versions v ON v.material_id = m.id AND v.version = 1"
    " WHERE m.draft_key IN (SELECT value FROM json_each(?))"
)


@dataclass
class BatchRows:
    """Row tuples for each table, and the versions they make, for drafts not yet saved."""

    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {table: [] for table in TABLES})
    saved: list[MaterialVersion] = field(default_factory=list)

    def as_dicts(self) -> dict[str, list[dict[str, Any]]]:
        """The same rows as dicts (what sqlite-utils insert_all takes)."""
        return {t: [dict(zip(TABLES[t], r, strict=True)) for r in rows]
                for t, rows in self.rows.items()}


def title_of(content: BaseModel) -> str:
    fields = content_fields(content)
    title = fields.get("headline") or fields.get("title") or ""
    return title or content_text(content).split("\n", 1)[0][:60]


def material_ids(n: int) -> list[str]:
    """n time-ordered ids (see _db.new_material_id), with one clock read and one random draw."""
    prefix = f"mat_{int(time.time() * 1000):011x}"
    rand = secrets.token_hex(5 * n)
    return [prefix + rand[i:i + 10] for i in range(0, 10 * n, 10)]


def build_rows(drafts: list[Draft], *, author: str, role: str, plan_id: str | None,
               send_at: str | None, tags: list[str], first_seq: int) -> BatchRows:
    """Every row one batch save writes: material, version 1, audit event, search entry."""
    out = BatchRows()
    materials, versions = out.rows["materials"], out.rows["versions"]
    audit, search = out.rows["audit"], out.rows["material_search"]
    at, tags_json = now(), dumps(list(tags))  # one commit, one time for the whole batch
    for seq, mid, d in zip(range(first_seq, first_seq + len(drafts)), material_ids(len(drafts)),
                           drafts, strict=True):
        b, report = d.brief, d.compliance
        title = title_of(d.content)
        source = ("auto_fixed" if any(a.purpose == "rewrite" and a.ok for a in d.attempts)
                  else "generated")
        # Each value is serialised once, in Rust by pydantic; the returned version decodes it.
        content, model = d.content.model_dump_json(), d.model.model_dump_json()
        brief, compliance = b.model_dump_json(), report.model_dump_json()
        generation = dumps({"variant": d.variant, "timing": d.timing,
                            "attempts": [a.model_dump(mode="json") for a in d.attempts]})
        parameters = dumps(d.parameters) if d.parameters else "{}"
        materials.append((seq, mid, d.key, b.industry, b.segment, b.persona, b.content_type,
                          b.channel, b.locale, tags_json, plan_id, send_at, title, "draft", 1,
                          report.verdict, len(report.findings), author, at, at))
        versions.append((mid, 1, None, "draft", content, d.text, title, source, d.prompt_ref,
                         model, parameters, brief, generation, compliance, report.verdict,
                         author, at))
        audit.append((at, author, role, "create", mid, 1, None, "draft", None))
        search.append((seq, title, d.text))
        # Built from values just validated and written: no need to validate them again.
        # pydantic_core's Rust parser decodes them about 3x faster than json.loads.
        out.saved.append(MaterialVersion.model_construct(
            material_id=mid, version=1, parent_version=None, status="draft",
            content=from_json(content), text=d.text, title=title, source=source,
            prompt_ref=d.prompt_ref, model=from_json(model), parameters=dict(d.parameters),
            brief=from_json(brief), generation=from_json(generation),
            compliance=from_json(compliance), verdict=report.verdict, author=author,
            created_at=at, override=None,
        ))
    return out


def save_batch(conn: sqlite3.Connection, drafts: list[Draft], *, author: str, role: str,
               plan_id: str | None, send_at: str | None,
               tags: list[str]) -> list[MaterialVersion]:
    """Save a batch inside the caller's write transaction; idempotent by draft.key.

    A key already stored (or repeated within the batch) returns its existing version 1.
    """
    keys = [d.key for d in drafts]
    found = {r[0]: version_from_row(r[1:])
             for r in conn.execute(_EXISTING, [json.dumps(keys)]).fetchall()}
    fresh: list[Draft] = []
    seen = set(found)
    for d in drafts:
        if d.key not in seen:  # the first draft of a key repeated within the batch wins
            seen.add(d.key)
            fresh.append(d)
    # Inside BEGIN IMMEDIATE nobody else writes: the next seqs are ours (FTS rowid = seq).
    first_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM materials").fetchone()[0]
    out = build_rows(fresh, author=author, role=role, plan_id=plan_id, send_at=send_at,
                     tags=tags, first_seq=first_seq)
    for table, rows in out.rows.items():
        if rows:
            conn.executemany(_INSERTS[table], rows)
    found.update((d.key, v) for d, v in zip(fresh, out.saved, strict=True))
    return [found[k] for k in keys]
