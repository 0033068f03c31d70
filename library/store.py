"""The Library: save drafts, edit into new versions, move versions through review."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import sqlite_utils
from pydantic import BaseModel

from contentgen.kernel.errors import UsageError
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import Draft, content_text
from library import batch_save, migrations, queries, released, workflow
from library._db import audit, connections, dumps, immediate, is_url, now, redacted
from library.errors import LibraryError, NotFoundError, TransitionError
from library.models import AuditEvent, Change, Material, MaterialVersion, Page, content_model
from library.queries import MAX_LIMIT
from library.released import Released
from library.users import Tokens, Users

# check_content(content, *, locale, industry, channel, content_type, segment=None) -> report
Checker = Callable[..., ComplianceReport]
SYSTEM_ROLE = "system"  # recorded for authors that are not registered users (e.g. "generator")


def no_checker(content: BaseModel, **kw: Any) -> ComplianceReport:
    """The checker of a library opened without one: reading is fine, writing content is not."""
    raise LibraryError("this library was opened without a compliance checker, so it cannot record"
                       " new content; open it with contentgen.usecases.open_library(path)")


class Library:
    """The versioned material library. `Library.open(path)` creates or opens the file;
    `Library.open("postgresql://user@host/db")` opens (and migrates) a PostgreSQL database."""

    def __init__(self, path: str | Path, checker: Checker | None = None):
        # target: what connections are opened to (a file or a URL); path: the file, for SQLite.
        self.target: str | Path = str(path) if is_url(path) else Path(path)
        self.path = Path(path) if not is_url(path) else None
        self._conns = connections(self.target)
        self.checker: Checker = checker or no_checker
        self.users = Users(self._db)
        self.tokens = Tokens(self._db)

    @classmethod
    def open(cls, path: str | Path, *, checker: Checker | None = None) -> Library:
        if not is_url(path):
            path = Path(path)
            if path.parent and not path.parent.exists():
                raise UsageError(f"cannot open library {path}: folder {path.parent} does not exist")
        lib = cls(path, checker)
        try:
            db = lib._db()
            db.enable_wal()
            migrations.apply(db)
        except sqlite3.DatabaseError as e:
            lib.close()
            raise LibraryError(f"cannot open library {lib.name}: {e}") from None
        return lib

    @property
    def name(self) -> str:
        """The file, or the URL without its password: what messages call this library."""
        return redacted(str(self.target))

    def close(self) -> None:
        self._conns.close()

    def _db(self) -> sqlite_utils.Database:
        # On PostgreSQL a library.pg.Database, which speaks the same subset the library uses.
        return cast(sqlite_utils.Database, self._conns.db())

    def _role(self, actor: str) -> str:
        return self.users.get(actor).role

    # ---- creating and editing ------------------------------------------------------------

    def save_draft(self, draft: Draft, *, author: str, plan_id: str | None = None,
                   send_at: str | None = None, tags: builtins.list[str] | None = None) -> MaterialVersion:
        """Store a generated draft as a new material (version 1, draft); idempotent by draft.key."""
        return self.save_drafts([draft], author=author, plan_id=plan_id, send_at=send_at,
                                tags=tags)[0]

    def save_drafts(self, drafts: Iterable[Draft], *, author: str, plan_id: str | None = None,
                    send_at: str | None = None, tags: builtins.list[str] | None = None,
                    batch_size: int = 500) -> builtins.list[MaterialVersion]:
        """save_draft for many, committing every batch_size drafts (one transaction each)."""
        return list(self.iter_save_drafts(drafts, author=author, plan_id=plan_id,
                                          send_at=send_at, tags=tags, batch_size=batch_size))

    def iter_save_drafts(self, drafts: Iterable[Draft], *, author: str,
                         plan_id: str | None = None, send_at: str | None = None,
                         tags: builtins.list[str] | None = None,
                         batch_size: int = 500) -> Iterator[MaterialVersion]:
        """Yields each saved version only once its batch is committed (acknowledged)."""
        role = self._author_role(author)
        batch: builtins.list[Draft] = []
        for d in drafts:
            batch.append(d)
            if len(batch) >= batch_size:
                yield from self._save_batch(batch, author, role, plan_id, send_at, tags or [])
                batch = []
        if batch:
            yield from self._save_batch(batch, author, role, plan_id, send_at, tags or [])

    def saved_keys(self, keys: Iterable[str]) -> dict[str, str]:
        """Which draft keys (brief + variant) are already stored, mapped to their material ids."""
        rows = self._db().conn.execute(
            "SELECT draft_key, id FROM materials WHERE draft_key IN (SELECT value FROM json_each(?))",
            [dumps(list(keys))],
        ).fetchall()
        return {k: m for k, m in rows}

    def _author_role(self, author: str) -> str:
        try:
            role = self._role(author)
        except NotFoundError:
            return SYSTEM_ROLE
        workflow.check_role("create", author, role)
        return role

    def _save_batch(self, drafts: builtins.list[Draft], author: str, role: str, plan_id: str | None,
                    send_at: str | None, tags: builtins.list[str]) -> builtins.list[MaterialVersion]:
        # One transaction per batch: all of it is durable at COMMIT, or none of it is.
        with immediate(self._db()) as conn:
            return batch_save.save_batch(conn, drafts, author=author, role=role, plan_id=plan_id,
                                         send_at=send_at, tags=tags)

    def edit(self, material_id: str, *, base_version: int, content: dict[str, Any] | BaseModel,
             actor: str, source: str = "edited") -> MaterialVersion:
        """A new immutable version from base_version, re-checked for compliance, back to draft."""
        role = self._role(actor)
        workflow.check_role("edit", actor, role)
        if source not in ("edited", "auto_fixed"):
            raise UsageError(f"unknown source {source!r}; choose edited or auto_fixed")
        m = self.get(material_id)
        model = content_model(m.content_type, content)
        report = self.checker(model, locale=m.locale, industry=m.industry, channel=m.channel,
                              content_type=m.content_type, segment=m.segment)
        text, title = content_text(model), batch_save.title_of(model)
        at = now()
        with immediate(self._db()) as conn:
            cur = _locked_material(conn, material_id)
            if cur["status"] == "retired":
                raise TransitionError(f"{material_id} is retired; save a new material instead")
            workflow.check_current(material_id, base_version, cur["current_version"], cur["status"])
            n = base_version + 1
            conn.execute(
                "INSERT INTO versions (material_id, version, parent_version, status, content, text,"
                " title, source, prompt_ref, model, parameters, brief, generation, compliance,"
                " verdict, author, created_at) SELECT material_id, ?, version, 'draft', ?, ?, ?, ?,"
                " prompt_ref, model, parameters, brief, '{}', ?, ?, ?, ? FROM versions"
                " WHERE material_id = ? AND version = ?",
                [n, dumps(model.model_dump(mode="json")), text, title, source,
                 dumps(report.model_dump(mode="json")), report.verdict, actor, at,
                 material_id, base_version],
            )
            if cur["status"] in workflow.SUPERSEDED_BY_EDIT:
                conn.execute("UPDATE versions SET status = 'superseded' WHERE material_id = ?"
                             " AND version = ?", [material_id, base_version])
            conn.execute(
                "UPDATE materials SET current_version = ?, status = 'draft', title = ?, verdict = ?,"
                " finding_count = ?, updated_at = ? WHERE id = ?",
                [n, title, report.verdict, len(report.findings), at, material_id],
            )
            conn.execute("UPDATE material_search SET title = ?, body = ? WHERE rowid = ?",
                         [title, text, cur["seq"]])
            audit(conn, at, actor, role, "edit", material_id, n, cur["status"], "draft", None)
            return queries.get_version(conn, material_id, n)

    # ---- the review workflow -------------------------------------------------------------

    def submit(self, material_id: str, version: int, *, actor: str,
               reason: str | None = None) -> MaterialVersion:
        return self._transition("submit", material_id, version, actor, reason)

    def approve(self, material_id: str, version: int, *, actor: str,
                reason: str | None = None) -> MaterialVersion:
        return self._transition("approve", material_id, version, actor, reason)

    def may_approve(self, material_id: str, version: int, actor: str) -> str | None:
        """Why `actor` may not approve this version (four eyes over its whole lineage, or the
        role), or None when they may: what a face asks before offering the button."""
        try:
            workflow.check_role("approve", actor, self._role(actor))
            workflow.check_four_eyes(actor, version,
                                     queries.lineage_authors(self._db().conn, material_id, version))
        except LibraryError as e:
            return str(e)
        return None

    def reject(self, material_id: str, version: int, *, actor: str,
               reason: str | None = None) -> MaterialVersion:
        return self._transition("reject", material_id, version, actor, reason)

    def request_changes(self, material_id: str, version: int, *, actor: str,
                        reason: str | None = None) -> MaterialVersion:
        return self._transition("request_changes", material_id, version, actor, reason)

    def override(self, material_id: str, version: int, *, actor: str,
                 justification: str) -> MaterialVersion:
        """Let a version's error-level findings through, with a written justification."""
        if not (justification or "").strip():
            raise UsageError("an override needs a written justification (--reason '...')")
        if version in self.withdrawn_versions(material_id):
            return self._reinstate(material_id, version, actor, justification.strip())
        return self._transition("override", material_id, version, actor, justification.strip())

    def _reinstate(self, material_id: str, version: int, actor: str, reason: str) -> MaterialVersion:
        """The override of a withdrawn version: back to the status it had (served, if released)."""
        from library import withdrawal

        role = self._role(actor)
        workflow.check_role("reinstate", actor, role)
        with immediate(self._db()) as conn:
            m = _locked_material(conn, material_id)
            return withdrawal.reinstate(conn, material_id, m, version, actor=actor, role=role,
                                        reason=reason, at=now())

    def release(self, material_id: str, version: int, *, actor: str,
                reason: str | None = None) -> MaterialVersion:
        return self._transition("release", material_id, version, actor, reason)

    def retire(self, material_id: str, *, actor: str, reason: str | None = None,
               version: int | None = None) -> MaterialVersion:
        """Withdraw the released version (tombstone in the change feed); version checks it."""
        return self._transition("retire", material_id, version, actor, reason)

    def _transition(self, action: str, material_id: str, version: int | None, actor: str,
                    reason: str | None) -> MaterialVersion:
        role = self._role(actor)
        workflow.check_role(action, actor, role)
        reason = workflow.check_reason(action, reason)
        at = now()
        with immediate(self._db()) as conn:
            m = _locked_material(conn, material_id)
            if m["status"] == "retired":
                raise TransitionError(f"{material_id} is retired; no further steps are possible")
            if action == "retire":
                target = m["released_version"]
                if target is None:
                    raise TransitionError(
                        f"{material_id} was never released, so it cannot be retired; reject it instead"
                    )
                if version is not None and version != target:
                    raise _stale_release(material_id, version, target)
                version = target
            else:
                assert version is not None
                workflow.check_current(material_id, version, m["current_version"], m["status"])
            v = queries.get_version(conn, material_id, version)
            s = workflow.check_status(action, material_id, version, v.status)
            to_status = s.to_status or v.status
            _check_action(conn, action, actor, v)
            if action == "override":
                conn.execute(
                    "UPDATE versions SET override_by = ?, override_justification = ?,"
                    " override_at = ? WHERE material_id = ? AND version = ?",
                    [actor, reason, at, material_id, version],
                )
            else:
                conn.execute("UPDATE versions SET status = ? WHERE material_id = ? AND version = ?",
                             [to_status, material_id, version])
            released = m["released_version"]
            if action == "release":
                if released is not None:
                    conn.execute("UPDATE versions SET status = 'superseded' WHERE material_id = ?"
                                 " AND version = ?", [material_id, released])
                # A withdrawn earlier version is replaced too: it leaves the compliance queue.
                conn.execute("UPDATE versions SET status = 'superseded' WHERE material_id = ?"
                             " AND status = 'withdrawn' AND version < ?", [material_id, version])
                released = version
            elif action == "retire":
                released = None
            if action in ("release", "retire"):
                conn.execute(
                    "INSERT INTO changes (material_id, version, kind, channel, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [material_id, version, action, m["channel"], at],
                )
            conn.execute(
                "UPDATE materials SET status = ?, released_version = ?, updated_at = ? WHERE id = ?",
                [to_status, released, at, material_id],
            )
            audit(conn, at, actor, role, action, material_id, version, v.status, to_status, reason)
            return queries.get_version(conn, material_id, version)

    # ---- reading -------------------------------------------------------------------------

    def get(self, material_id: str) -> Material:
        return queries.get_material(self._db().conn, material_id)

    def get_version(self, material_id: str, n: int) -> MaterialVersion:
        return queries.get_version(self._db().conn, material_id, n)

    def versions(self, material_id: str) -> builtins.list[MaterialVersion]:
        return queries.versions(self._db().conn, material_id)

    def withdrawn_versions(self, material_id: str) -> builtins.list[int]:
        return queries.withdrawn_versions(self._db().conn, material_id)

    def list(self, **filters: Any) -> Page:
        """Filter, search (q) and page materials; see queries.list_materials for the filters."""
        return queries.list_materials(self._db().conn, **filters)

    def history(self, material_id: str) -> builtins.list[AuditEvent]:
        queries.get_material(self._db().conn, material_id)
        return queries.history(self._db().conn, material_id)

    def audit_log(self, limit: int = 100, offset: int = 0) -> builtins.list[AuditEvent]:
        return queries.audit_log(self._db().conn, limit, offset)

    def diff(self, material_id: str, a: int, b: int) -> str:
        return queries.diff(self._db().conn, material_id, a, b)

    def stats(self) -> dict[str, Any]:
        return queries.stats(self._db().conn)

    # The delivery reads, for embedders: the same read path the delivery API serves from.

    def released_page(self, *, channels: builtins.list[str], filters: dict[str, str] | None = None,
                      after: str | None = None, limit: int = 100) -> builtins.list[Released]:
        if not 1 <= limit <= MAX_LIMIT:
            raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        return released.released_page(self._db().conn, channels=channels, filters=filters,
                                      after_id=after, limit=limit)[0]

    def get_released(self, material_id: str, *, channels: builtins.list[str]) -> Released:
        """One released material; anything else (draft, retired, other channel) is not found."""
        found = released.released_by_ids(self._db().conn, [material_id]).get(material_id)
        if found is None or found.row["channel"] not in channels:
            raise NotFoundError(f"no released material {material_id!r}")
        return found

    def changes_since(self, *, channels: builtins.list[str], after_seq: int = 0,
                      limit: int = 100) -> builtins.list[Change]:
        if not 1 <= limit <= MAX_LIMIT or after_seq < 0:
            raise UsageError(f"limit must be 1-{MAX_LIMIT} and after_seq 0 or more")
        rows = released.change_rows(self._db().conn, channels=channels, after_seq=after_seq, limit=limit)
        return [Change(**dict(zip(released.CHANGE_FIELDS, r, strict=True))) for r in rows]

    def last_change_seq(self) -> int:
        return released.last_change_seq(self._db().conn)

    # ---- backup --------------------------------------------------------------------------

    def export_jsonl(self, fp: IO[str]) -> int:
        from library.transfer import export_jsonl

        return export_jsonl(self._db(), fp)

    def import_jsonl(self, fp: IO[str]) -> int:
        from library.transfer import import_jsonl

        return import_jsonl(self._db(), fp)


def _locked_material(conn: sqlite3.Connection, material_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT seq, status, current_version, released_version, channel FROM materials"
        " WHERE id = ?", [material_id]).fetchone()
    if row is None:
        raise queries.no_material(material_id)
    keys = ("seq", "status", "current_version", "released_version", "channel")
    return dict(zip(keys, row, strict=True))


def _stale_release(material_id: str, version: int, released: int) -> LibraryError:
    from library.errors import ConflictError

    return ConflictError(f"version {version} of {material_id} is not the released one: "
                         f"version {released} is; reload and retire version {released}")


def _check_action(conn: sqlite3.Connection, action: str, actor: str, v: MaterialVersion) -> None:
    if action == "submit" and v.verdict == "block" and v.override is None:
        rules = ", ".join(sorted({f.get("rule", "?") for f in v.error_findings})) or "?"
        raise TransitionError(
            f"version {v.version} of {v.material_id} has {len(v.error_findings)} error-level "
            f"compliance finding(s) ({rules}); fix them with an edit, or ask a compliance "
            "officer to override with a written justification"
        )
    if action == "approve":
        workflow.check_four_eyes(actor, v.version, queries.lineage_authors(conn, v.material_id, v.version))
    if action == "override":
        if not v.error_findings:
            raise TransitionError(
                f"version {v.version} of {v.material_id} has no error-level finding to override"
            )
        if v.override is not None:
            raise TransitionError(f"version {v.version} of {v.material_id} was already overridden "
                                  f"by {v.override.by} at {v.override.at}")
