"""Prompt evaluation runs and prompt promotions in the library: every SQL statement for them.

    run_id = record_run(lib, StoredRun(...))          # one `prompts eval` of one prompt version
    latest_run(lib, "push/reactivation", "1.1.0", model="offline:contentgen-offline-1")
    record_promotion(lib, actor="rita", prompt_id=..., ...)   # the audit row of a promotion

The library stores and retrieves; whether a run is good enough to promote is decided by the
use case (contentgen/usecases/prompt_promotion.py), which also rewrites the prompt files.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import sqlite_utils
from pydantic import BaseModel, Field

from library._db import dumps, immediate, loads, now
from library.errors import PermissionDenied
from library.migrations import migration

if TYPE_CHECKING:
    from library.store import Library

# A production prompt changes every draft that follows: the people who release content decide.
PROMOTE_ROLES = ("reviewer", "admin")
PROMOTE_ACTION = "prompt_promote"

_COLUMNS = ("id", "prompt_id", "version", "status", "fingerprint", "briefs", "model", "offline",
            "at", "drafts", "summary", "results")


@migration
def m120_prompt_eval_runs(db: sqlite_utils.Database) -> None:
    # One statement per execute: executescript would commit the migration's transaction.
    db.execute(
        """
        CREATE TABLE prompt_eval_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            prompt_id TEXT NOT NULL,
            version TEXT NOT NULL,
            status TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            briefs TEXT NOT NULL,
            model TEXT NOT NULL,
            offline INTEGER NOT NULL,
            at TEXT NOT NULL,
            drafts INTEGER NOT NULL,
            summary TEXT NOT NULL,
            results TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_prompt_eval_runs ON prompt_eval_runs (prompt_id, version, model, id)")


class StoredRun(BaseModel):
    """One evaluation of one prompt version on one model; `summary` holds the figures compared."""

    id: int | None = None
    prompt_id: str
    version: str
    status: str
    fingerprint: str = Field(description="sha256 of the prompt file without its status line")
    briefs: str = Field(description="sha256 of the eval briefs used")
    model: str = Field(description="provider:name")
    offline: bool
    at: str = ""
    drafts: int
    summary: dict[str, Any]
    results: list[dict[str, Any]] = Field(default_factory=list)


def _run(row: tuple[Any, ...]) -> StoredRun:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["offline"] = bool(data["offline"])
    data["summary"], data["results"] = loads(data["summary"]), loads(data["results"])
    return StoredRun(**data)


def record_run(lib: Library, run: StoredRun) -> StoredRun:
    """Store a run; returns it with its id and time."""
    at = run.at or now()
    with immediate(lib._db()) as conn:
        cur = conn.execute(
            "INSERT INTO prompt_eval_runs (prompt_id, version, status, fingerprint, briefs, model,"
            " offline, at, drafts, summary, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            [run.prompt_id, run.version, run.status, run.fingerprint, run.briefs, run.model,
             int(run.offline), at, run.drafts, dumps(run.summary), dumps(run.results)],
        )
        run_id = cur.fetchone()[0]
    return run.model_copy(update={"id": run_id, "at": at})


def latest_run(lib: Library, prompt_id: str, version: str, *, model: str | None = None) -> StoredRun | None:
    """The newest run of one prompt version (on one model, when given)."""
    sql = f"SELECT {', '.join(_COLUMNS)} FROM prompt_eval_runs WHERE prompt_id = ? AND version = ?"
    params: list[Any] = [prompt_id, version]
    if model is not None:
        sql += " AND model = ?"
        params.append(model)
    row = lib._db().conn.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
    return _run(row) if row else None


def list_runs(lib: Library, prompt_id: str | None = None, *, limit: int = 50) -> list[StoredRun]:
    """Newest first, without the per-draft results (they can be large)."""
    cols = ", ".join(c if c != "results" else "'[]'" for c in _COLUMNS)
    sql = f"SELECT {cols} FROM prompt_eval_runs"
    params: list[Any] = []
    if prompt_id:
        sql += " WHERE prompt_id = ?"
        params.append(prompt_id)
    rows = lib._db().conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
    return [_run(r) for r in rows]


def check_promoter(lib: Library, actor: str) -> str:
    """The actor's role, if it may promote prompts; PermissionDenied (one line) otherwise."""
    role = lib.users.get(actor).role
    if role not in PROMOTE_ROLES:
        raise PermissionDenied(f"{actor} ({role}) may not promote prompts: reviewers and admins do")
    return role


def record_promotion(lib: Library, *, actor: str, prompt_id: str, version: str,
                     previous: str | None, reason: str) -> None:
    """The promotion's audit row (append-only, like every other event of the library)."""
    role = check_promoter(lib, actor)
    what = f"{prompt_id} {version} to production" + (f" (was {previous})" if previous else "")
    with immediate(lib._db()) as conn:
        _insert_audit(conn, actor, role, f"{what}; {reason}")


def _insert_audit(conn: sqlite3.Connection, actor: str, role: str, reason: str) -> None:
    conn.execute(
        "INSERT INTO audit (at, actor, role, action, material_id, version, from_status,"
        " to_status, reason) VALUES (?, ?, ?, ?, NULL, NULL, 'candidate', 'production', ?)",
        [now(), actor, role, PROMOTE_ACTION, reason],
    )
