"""What was sent is what was approved: the text a delivery client says it actually sent,
compared with the released payload of that version, and every material edit queued for review.

    check = check_sent(conn, renderer, checker, material_id="mat_…", version=2,
                       channel="wecom_1v1", sent_text="张三，您好！…", recipient_name="张三")
    record(conn, check, client="wecom-app", sender="zhang.wei", delivery_id=42)  # in a transaction
    edited_after_approval(lib)        # the reviewer's queue, newest first
    resolve(lib, 7, actor="rita", note="price line restored with the salesperson")

Salespeople edit in WeCom before sending. check_sent renders the released payload
(library.payloads), takes its reader-visible text and compares (library.sent_text_compare:
whitespace and the recipient's name do not count). A material difference is a Finding
"edited_after_approval" on the material: the edited text (name replaced), its difflib diff, and
a compliance re-check of the sent text by the injected checker (the library never imports the
engine; contentgen.usecases.open_library wires it). Its severity is error when the re-check
blocks, warning otherwise (a person must still look). No checker, or content the checker cannot
read: the finding says "not re-checked" and is queued all the same, since the send has happened
and refusing its report would only hide it.

The recipient's name is used for the comparison only and never stored. Every report is one row
of `sent_texts` with `edited` 0 or 1, which is what performance figures join on:

    -- was the send behind outcome event e edited? (1, 0, or NULL when no sent text was reported)
    SELECT MAX(s.edited) FROM sent_texts s
    WHERE (s.delivery_id = e.delivery_id AND e.delivery_id IS NOT NULL
           AND s.event_id IS NULL AND s.recipient IS NULL)      -- a report of the whole delivery
       OR (s.client = e.source AND s.event_id = e.event_id)
       OR (s.recipient = e.recipient AND s.material_id = e.material_id AND s.version = e.version)
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils
from pydantic import BaseModel

from contentgen.kernel.errors import ContentgenError, UsageError
from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import CONTENT_MODELS
from library import released as dq
from library._db import audit, dumps, immediate, loads, now
from library.errors import ConflictError, LibraryError, NotFoundError, PermissionDenied
from library.migrations import migration
from library.outcomes import connection, transaction
from library.payloads import PayloadRenderer
from library.sent_text_compare import Comparison, compare, control_character, payload_text

if TYPE_CHECKING:
    from library.store import Checker, Library

MAX_SENT_TEXT = 20_000  # characters: an official-account article's limit; beyond it is not a send
MAX_NAME = 100
RULE = "edited_after_approval"
ACTION = "sent_edited"  # the audit trail's action for an edited send
REVIEWED = "sent_edit_reviewed"
REVIEW_ROLES = ("reviewer", "compliance", "admin")
STATUSES = ("open", "reviewed")
_COLUMNS = ("id", "client", "delivery_id", "event_id", "recipient", "material_id", "version",
            "channel", "sender", "edited", "status", "sent_text", "diff", "changes", "finding",
            "recheck_verdict", "recheck", "recheck_error", "received_at", "reviewed_by",
            "reviewed_at", "review_note")


@migration
def m160_sent_texts(db: sqlite_utils.Database) -> None:
    # One statement per execute: executescript would commit the migration's transaction.
    db.execute(
        """
        CREATE TABLE sent_texts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client TEXT NOT NULL,
            delivery_id INTEGER,
            event_id TEXT,
            recipient TEXT,
            material_id TEXT NOT NULL REFERENCES materials(id),
            version INTEGER NOT NULL,
            channel TEXT NOT NULL,
            sender TEXT,
            edited INTEGER NOT NULL CHECK (edited IN (0, 1)),
            status TEXT CHECK (status IN ('open', 'reviewed')),
            sent_sha256 TEXT NOT NULL,
            sent_text TEXT,
            diff TEXT,
            changes TEXT,
            finding TEXT,
            recheck_verdict TEXT,
            recheck TEXT,
            recheck_error TEXT,
            received_at TEXT NOT NULL,
            reviewed_by TEXT,
            reviewed_at TEXT,
            review_note TEXT,
            UNIQUE (client, event_id)
        )
        """
    )
    # One row per acknowledgement; events of one delivery (one per recipient) each get theirs.
    db.execute("CREATE UNIQUE INDEX idx_sent_texts_ack ON sent_texts (client, delivery_id)"
               " WHERE event_id IS NULL")
    # Performance joins by delivery and by recipient; the queue reads open edits newest first.
    db.execute("CREATE INDEX idx_sent_texts_delivery ON sent_texts (delivery_id)")
    db.execute("CREATE INDEX idx_sent_texts_recipient ON sent_texts (recipient, material_id, version)")
    db.execute("CREATE INDEX idx_sent_texts_queue ON sent_texts (status, id)")


class SentTextRefused(LibraryError, UsageError):
    """A sent text the library will not take (too long, control characters): a 422 at the API."""


def check_fields(sent_text: str, recipient_name: str | None, sender: str | None) -> None:
    """Refuse what cannot be a sent message; messages never repeat the values (personal data)."""
    if len(sent_text) > MAX_SENT_TEXT:
        raise SentTextRefused(f"sent_text is {len(sent_text):,} characters; the limit is "
                              f"{MAX_SENT_TEXT:,}: send the text of one message")
    if not sent_text.strip():
        raise SentTextRefused("sent_text is empty; leave it out when the text is not known")
    at = control_character(sent_text)
    if at is not None:
        raise SentTextRefused(f"sent_text has a control character at offset {at}; send plain text")
    for name, value in (("recipient_name", recipient_name), ("sender", sender)):
        if value is not None and (len(value) > MAX_NAME or not value.strip() or not value.isprintable()):
            raise SentTextRefused(f"{name} must be 1-{MAX_NAME} printable characters")


@dataclass(frozen=True)
class SentCheck:
    """One sent text compared and, when edited, re-checked: ready for `record`."""

    material_id: str
    version: int
    channel: str
    comparison: Comparison
    finding: Finding | None = None
    recheck: ComplianceReport | None = None
    recheck_error: str | None = None

    @property
    def edited(self) -> bool:
        return self.comparison.edited


_MATERIAL = ("SELECT m.id, v.version, m.channel, m.industry, m.segment, m.persona, m.content_type,"
             " m.locale, m.tags, m.plan_id, m.send_at, v.title FROM materials m JOIN versions v"
             " ON v.material_id = m.id WHERE m.id = ? AND v.version = ?")


def approved_text(conn: sqlite3.Connection, renderer: PayloadRenderer, material_id: str,
                  version: int) -> tuple[str, dq.Released]:
    """The reader-visible text of this version's payload, as it was released (a version is
    immutable, so a just-superseded one renders as it was served)."""
    row = conn.execute(_MATERIAL, [material_id, version]).fetchone()
    if row is None or not dq.was_released(conn, material_id, version):
        raise NotFoundError(f"material {material_id!r} version {version} was never released")
    content = dq.version_contents(conn, [(material_id, version)])[(material_id, version)]
    found = dq.to_released(tuple(row), content)
    return payload_text(renderer.render(found.row)), found


def _as_content(content_type: str, text: str) -> BaseModel:
    """The sent text as the material's content model, all of it in the main text field: the
    checker reads fields (content_fields); built unvalidated because a sent message need not
    fit the draft schema's field limits, and the whole message is what must be checked."""
    model = CONTENT_MODELS[content_type]
    if content_type == "push":
        return model.model_construct(kind="push", title="", body=text, deeplink=None, send_window=None)
    if content_type == "short_video_script":
        return model.model_construct(kind=content_type, title="", hook=text, scenes=[], cta="",
                                     total_duration_s=0.0)
    return model.model_construct(kind="copy", headline="", body=text, cta="", hashtags=[], images=0)


def _finding(c: Comparison, report: ComplianceReport | None, error: str | None) -> Finding:
    start, end, match = c.first_change()
    if report is None:
        checked = f"not re-checked ({error})"
    else:
        rules = sorted({f.rule for f in report.findings if f.severity == "error"})
        checked = f"re-check: {report.verdict}" + (f" ({', '.join(rules)})" if rules else "")
    return Finding(rule=RULE, severity="error" if report is not None and report.blocked else "warning",
                   start=start, end=end, match=match[:200], field="sent_text", kind="sent_text",
                   message=f"the text sent differs from the approved text: {c.summary()}; {checked}",
                   suggestion="send the approved text; a change goes through review as a new version")


def check_sent(conn: sqlite3.Connection, renderer: PayloadRenderer, checker: Checker, *,
               material_id: str, version: int, channel: str, sent_text: str,
               recipient_name: str | None = None) -> SentCheck:
    """Compare one sent text with the released payload; re-check it when it was edited. Reads
    only: call it before taking the write lock (a compliance check is not instant)."""
    approved, found = approved_text(conn, renderer, material_id, version)
    c = compare(approved, sent_text, recipient_name)
    if not c.edited:
        return SentCheck(material_id, version, channel, c)
    row = found.row
    report: ComplianceReport | None = None
    error: str | None = None
    try:
        report = checker(_as_content(str(row["content_type"]), c.stored_text), locale=row["locale"],
                         industry=row["industry"], channel=row["channel"],
                         content_type=row["content_type"], segment=row["segment"])
    except (ContentgenError, ValueError) as e:
        # No checker (a library opened for reading) or text the engine refuses: queued unchecked.
        error = str(e)[:500]
    return SentCheck(material_id, version, channel, c, _finding(c, report, error), report, error)


class CheckCache:
    """check_sent once per distinct (version, channel, text, name) within a batch of events:
    one delivery's recipients usually got the same edit."""

    def __init__(self, conn: sqlite3.Connection, renderer: PayloadRenderer, checker: Checker):
        self.conn, self.renderer, self.checker = conn, renderer, checker
        self._seen: dict[tuple[str, int, str, str, str | None], SentCheck] = {}

    def check(self, *, material_id: str, version: int, channel: str, sent_text: str,
              recipient_name: str | None = None) -> SentCheck:
        key = (material_id, version, channel, sent_text, recipient_name)
        hit = self._seen.get(key)
        if hit is None:
            hit = self._seen[key] = check_sent(self.conn, self.renderer, self.checker,
                                               material_id=material_id, version=version,
                                               channel=channel, sent_text=sent_text,
                                               recipient_name=recipient_name)
        return hit


def record(conn: sqlite3.Connection, check: SentCheck, *, client: str, sender: str | None = None,
           delivery_id: int | None = None, event_id: str | None = None,
           recipient: str | None = None) -> int | None:
    """Store one checked send in the caller's write transaction, once per (client, delivery or
    event): a replay adds nothing. An edited send gets a `sent_edited` audit event. Returns the
    row id, or None when it was already stored."""
    c = check.comparison
    at = now()
    edited = check.edited
    cur = conn.execute(
        "INSERT INTO sent_texts (client, delivery_id, event_id, recipient, material_id,"
        " version, channel, sender, edited, status, sent_sha256, sent_text, diff, changes, finding,"
        " recheck_verdict, recheck, recheck_error, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING RETURNING id",
        [client, delivery_id, event_id, recipient, check.material_id, check.version, check.channel,
         sender, int(edited), "open" if edited else None,
         hashlib.sha256(c.compared.encode()).hexdigest(),
         c.stored_text if edited else None, c.diff if edited else None,
         dumps(c.changes) if edited else None,
         dumps(check.finding.model_dump(mode="json")) if check.finding else None,
         check.recheck.verdict if check.recheck else None,
         dumps(check.recheck.model_dump(mode="json")) if check.recheck else None,
         check.recheck_error, at])
    stored = cur.fetchone()
    if stored is None:
        return None
    row_id = int(stored[0])
    if edited:
        verdict = check.recheck.verdict if check.recheck else "not re-checked"
        reason = (f"sent by {sender or 'an unnamed sender'} via token {client}"
                  + (f", delivery {delivery_id}" if delivery_id is not None else "")
                  + (f", event {event_id}" if event_id is not None else "")
                  + f": {c.summary()}; re-check {verdict}; sent_texts #{row_id}")
        # role "system": a delivery client is not a user (exports validate audit roles).
        audit(conn, at, f"token:{client}"[:100], "system", ACTION, check.material_id,
              check.version, None, None, reason)
    return row_id


def record_events(conn: sqlite3.Connection, items: Sequence[tuple[SentCheck, dict[str, Any]]]) -> int:
    """record() for each (check, where) of a batch of events, in one write transaction; where
    holds client, sender, delivery_id, event_id, recipient. Returns how many were new."""
    with transaction(conn):
        return sum(record(conn, check, **where) is not None for check, where in items)


def edited_for_delivery(conn: sqlite3.Connection, client: str, delivery_id: int) -> bool | None:
    """Whether an acknowledged delivery's sent text was edited; None when none was reported."""
    row = conn.execute("SELECT edited FROM sent_texts WHERE client = ? AND delivery_id = ?"
                       " AND event_id IS NULL",
                       [client, delivery_id]).fetchone()
    return None if row is None else bool(row[0])


# ---- the reviewer's queue ------------------------------------------------------------------------


def _item(row: Sequence[Any]) -> dict[str, Any]:
    out = dict(zip(_COLUMNS, row, strict=True))
    out["edited"] = bool(out["edited"])
    for key in ("changes", "finding", "recheck"):
        out[key] = loads(out[key])
    return out


def edited_after_approval(source: Library | sqlite3.Connection, *, status: str | None = "open",
                          material_id: str | None = None, limit: int = 100,
                          offset: int = 0) -> list[dict[str, Any]]:
    """Edited sends, newest first: `status` open (the queue), reviewed, or None for both. Each
    item has the sent text (name replaced), diff, changes, finding and re-check report."""
    if status is not None and status not in STATUSES:
        raise UsageError(f"unknown status {status!r}; choose {' or '.join(STATUSES)}")
    if not 1 <= limit <= 1000 or offset < 0:
        raise UsageError("limit must be 1-1000 and offset 0 or more")
    where, params = ["edited = 1"], []
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if material_id is not None:
        where.append("material_id = ?")
        params.append(material_id)
    rows = connection(source).execute(
        f"SELECT {', '.join(_COLUMNS)} FROM sent_texts WHERE {' AND '.join(where)}"
        " ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    return [_item(r) for r in rows]


def open_count(source: Library | sqlite3.Connection) -> int:
    """How many edited sends wait for a reviewer (a badge's number)."""
    row = connection(source).execute(
        "SELECT COUNT(*) FROM sent_texts WHERE edited = 1 AND status = 'open'").fetchone()
    return int(row[0])


def resolve(lib: Library, item_id: int, *, actor: str, note: str) -> dict[str, Any]:
    """A reviewer or compliance officer has looked at an edited send: out of the queue, with
    their note in the audit trail (what was done: talked to the sender, a new version…)."""
    role = lib.users.get(actor).role
    if role not in REVIEW_ROLES:
        raise PermissionDenied(f"{actor} ({role}) may not review edited sends: reviewers and "
                               "compliance officers do (or an admin)")
    text = (note or "").strip()
    if not text:
        raise UsageError("say what was done about the edited send (--note '...')")
    with immediate(lib._db()) as conn:
        row = conn.execute("SELECT material_id, version, status FROM sent_texts WHERE id = ? AND"
                           " edited = 1", [item_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no edited send #{item_id}; list them with "
                                "contentgen library edited-after-approval")
        if row[2] == "reviewed":
            raise ConflictError(f"edited send #{item_id} was already reviewed")
        at = now()
        conn.execute("UPDATE sent_texts SET status = 'reviewed', reviewed_by = ?, reviewed_at = ?,"
                     " review_note = ? WHERE id = ?", [actor, at, text[:2000], item_id])
        audit(conn, at, actor, role, REVIEWED, row[0], row[1], None, None,
              f"sent_texts #{item_id}: {text[:2000]}")
        found = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM sent_texts WHERE id = ?",
                             [item_id]).fetchone()
    return _item(found)
