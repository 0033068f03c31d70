"""Reviewer decisions as data: the edits people made between the generated and the approved
text, every review decision with its reason, the reasons that recur per prompt, and what
compliance officers decided about the rules mined from the edits.

    edits(lib)               # EditRow per material whose approved text differs from the draft
    decisions(lib)           # one dict per review decision: text, edit, label, reason, role
    prompt_notes(lib)        # PromptNote per prompt: how often and why its drafts were turned back
    decide(lib, "sug-…", "accepted", actor="carl", rule_id="zh.reviewers.…")
    decided(lib)             # suggestion id -> SuggestionDecision

The engine mines the edits (contentgen.compliance.suggestions); the use case
(contentgen.usecases.feedback) joins the two. Nothing here reads or writes the rule packs.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from library._db import audit, immediate, now
from library.errors import ConflictError, PermissionDenied
from library.migrations import migration
from library.outcomes import connection

if TYPE_CHECKING:
    from library.store import Library

DECIDERS = ("compliance", "admin")
STATUSES = ("accepted", "dismissed")
LABELS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}
GENERATED = ("generated", "auto_fixed")  # a version the model wrote (auto_fixed: its own rewrite)


@migration
def m180_rule_suggestions(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""
        CREATE TABLE rule_suggestions (
            id TEXT PRIMARY KEY,
            locale TEXT NOT NULL,
            kind TEXT NOT NULL,
            term TEXT NOT NULL,
            replacement TEXT,
            rule_id TEXT,
            status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
            actor TEXT NOT NULL,
            note TEXT,
            at TEXT NOT NULL
        )
        """
    )


@dataclass(frozen=True)
class EditRow:
    """A material's first generated text and the text a reviewer last approved."""

    material_id: str
    locale: str
    industry: str
    channel: str
    prompt_ref: str | None
    before: str
    after: str
    editor: str  # the approved version's author
    editor_role: str | None  # their role when they saved it (audit), None if unknown


_FIRST_GENERATED = ("(SELECT MIN(version) FROM versions WHERE material_id = m.id AND source IN "
                    f"({', '.join(repr(s) for s in GENERATED)}))")


def edits(lib: Library | sqlite3.Connection) -> list[EditRow]:
    """Every material whose last approved version differs from its first generated one."""
    rows = connection(lib).execute(f"""
        SELECT m.id, m.locale, m.industry, m.channel, g.prompt_ref, g.text, a.text, a.author,
               (SELECT role FROM audit WHERE material_id = m.id AND version = a.version AND action = 'edit'
                ORDER BY id DESC LIMIT 1)
        FROM materials m
        JOIN versions g ON g.material_id = m.id AND g.version = {_FIRST_GENERATED}
        JOIN versions a ON a.material_id = m.id AND a.version =
             (SELECT MAX(version) FROM audit WHERE material_id = m.id AND action = 'approve')
        WHERE a.version <> g.version AND a.text <> g.text
        ORDER BY m.seq
    """).fetchall()
    return [EditRow(*row) for row in rows]


def _diff(before: str | None, after: str) -> str | None:
    if before is None or before == after:
        return None
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), "generated", "decided", lineterm="")
    return "\n".join(lines)


def decisions(lib: Library | sqlite3.Connection) -> list[dict[str, Any]]:
    """Every approve, reject and request-changes decision, oldest first, as a dataset row:
    the decided text, the edit from the generated text to it (unified diff, None when none),
    the label, the reason and the reviewer's role, with the material's scope."""
    rows = connection(lib).execute(f"""
        SELECT au.at, au.action, au.reason, au.role, au.material_id, au.version, v.text, v.author, v.source,
               v.prompt_ref, g.text, m.locale, m.industry, m.segment, m.channel, m.content_type
        FROM audit au JOIN materials m ON m.id = au.material_id
        JOIN versions v ON v.material_id = au.material_id AND v.version = au.version
        LEFT JOIN versions g ON g.material_id = m.id AND g.version = {_FIRST_GENERATED}
        WHERE au.action IN ('approve', 'reject', 'request_changes')
        ORDER BY au.id
    """).fetchall()
    out = []
    for (at, action, reason, role, mid, version, text, author, source, prompt_ref, generated,
         locale, industry, segment, channel, content_type) in rows:
        out.append({
            "material_id": mid, "version": version, "at": at, "label": LABELS[action], "reason": reason,
            "reviewer_role": role, "text": text, "generated_text": generated, "edit": _diff(generated, text),
            "edited_by": None if source in GENERATED else author, "prompt_ref": prompt_ref, "locale": locale,
            "industry": industry, "segment": segment, "channel": channel, "content_type": content_type,
        })
    return out


@dataclass(frozen=True)
class PromptNote:
    """How a prompt's drafts fared in review, and the reasons given more than once."""

    prompt: str  # the prompt id, all its versions together
    decisions: int
    turned_back: int  # rejected or sent back for changes
    reasons: list[tuple[str, int]]  # (reason as first written, how often), most frequent first


def _reason_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def prompt_notes(lib: Library | sqlite3.Connection, *, min_count: int = 2) -> list[PromptNote]:
    """Per prompt, the reasons reviewers gave at least `min_count` times (same words, case and
    punctuation aside); prompts with most drafts turned back first."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    first_words: dict[str, str] = {}
    totals: Counter[str] = Counter()
    back: Counter[str] = Counter()
    for row in decisions(lib):
        prompt = (row["prompt_ref"] or "(no prompt)").split("@", 1)[0]
        totals[prompt] += 1
        if row["label"] == "approved":
            continue
        back[prompt] += 1
        if row["reason"]:
            key = _reason_key(row["reason"])
            first_words.setdefault(key, row["reason"].strip())
            counts[prompt][key] += 1
    notes = [PromptNote(p, totals[p], back[p], [(first_words[k], c) for k, c in counts[p].most_common()
                                                if c >= min_count]) for p in totals]
    return sorted(notes, key=lambda n: (-n.turned_back, n.prompt))


@dataclass(frozen=True)
class SuggestionDecision:
    id: str
    locale: str
    term: str
    status: str
    actor: str
    at: str
    rule_id: str | None
    note: str | None


def decided(lib: Library | sqlite3.Connection) -> dict[tuple[str, str], SuggestionDecision]:
    """Decisions by (locale, term): a term decided once stays decided, however its suggestion
    changes later (another replacement, more support)."""
    rows = connection(lib).execute(
        "SELECT id, locale, term, status, actor, at, rule_id, note FROM rule_suggestions ORDER BY at").fetchall()
    return {(r[1], r[2]): SuggestionDecision(*r) for r in rows}


def check_decider(lib: Library, actor: str) -> str:
    """The actor's role, when they may accept or dismiss suggestions (compliance, admin)."""
    role = lib.users.get(actor).role
    if role not in DECIDERS:
        raise PermissionDenied(f"{actor} is a {role}; compliance officers and admins decide rule suggestions")
    return role


def decide(lib: Library, suggestion_id: str, status: str, *, actor: str, locale: str, kind: str, term: str,
           replacement: str | None = None, rule_id: str | None = None, note: str | None = None) -> None:
    """Record a suggestion as accepted or dismissed, once, with an audit row."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r}")
    role = check_decider(lib, actor)
    with immediate(lib._db()) as conn:
        if conn.execute("SELECT 1 FROM rule_suggestions WHERE id = ? OR (locale = ? AND term = ?)",
                        [suggestion_id, locale, term]).fetchone():
            raise ConflictError(f"suggestion {suggestion_id} ({term!r}) was decided already")
        at = now()
        conn.execute("INSERT INTO rule_suggestions (id, locale, kind, term, replacement, rule_id, status, actor,"
                     " note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [suggestion_id, locale, kind, term, replacement, rule_id, status, actor, note, at])
        audit(conn, at, actor, role, f"suggestion_{status}", None, None, None, None,
              f"{suggestion_id} {kind} {term!r}" + (f" -> {rule_id}" if rule_id else "") + (f": {note}" if note else ""))
