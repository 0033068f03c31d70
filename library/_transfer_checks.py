"""What an import must prove before its rows are committed: the file is trusted for nothing.

Run inside the import's write transaction, after every row is in (so SQL can see all of them):

- structure: versions numbered 1..current, each material's status its current version's, at
  most the released version marked released, the author of record of version 1 its creator;
- authors: each version's author is the actor of its one create/edit event in the audit trail;
- reviews: every approved, released or withdrawn version has a valid approval in the trail (a
  reviewer or admin, with that role in the users table, who authored no version of its
  lineage), released ones a valid release after it, and error-level findings a compliance
  officer's override;
- compliance (with a checker): served and current versions are re-checked with today's rules;
  what now blocks is withdrawn (approved, released) or sent back to draft (in review); drafts
  keep their stored report and are counted (the submit gate reads it, as in a live library).

A failed check raises UsageError listing the problems with their line numbers: nothing is kept.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contentgen.kernel.errors import UsageError
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import CONTENT_MODELS
from library import schema_info, workflow
from library._db import dumps, loads, now

IMPORT_ACTOR, IMPORT_ROLE = "import", "system"
_SEVERITY = {"pass": 0, "warn": 1, "block": 2}
_SHOWN = 8  # problems named in one error line; the rest are counted


@dataclass
class Lines:
    """Where each row came from, to name the line in an error."""

    materials: dict[str, int] = field(default_factory=dict)
    versions: dict[tuple[str, int], int] = field(default_factory=dict)
    audit: dict[int, int] = field(default_factory=dict)

    def of(self, mid: str, version: int | None = None) -> str:
        n = self.versions.get((mid, version)) if version else self.materials.get(mid)
        return f"line {n}" if n else "?"


def _refuse(what: str, problems: list[str]) -> None:
    if problems:
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise UsageError(f"import refused, nothing was written: {what}: "
                         + "; ".join(problems[:_SHOWN]) + more)


def check_structure(conn: sqlite3.Connection, lines: Lines) -> None:
    q = conn.execute
    problems = [
        f"{lines.of(m)}: materials.current_version of {m} is {cur}, but its versions are {n} up to v{top}"
        for m, cur, n, top in q(
            "SELECT m.id, m.current_version, COUNT(v.version), MAX(v.version) FROM materials m"
            " LEFT JOIN versions v ON v.material_id = m.id GROUP BY m.id, m.current_version"
            " HAVING COUNT(v.version) != m.current_version OR COALESCE(MAX(v.version), -1) != m.current_version")
    ]
    problems += [
        f"{lines.of(m)}: materials.status of {m} is {ms}, but its current version is {vs}"
        for m, ms, vs in q("SELECT m.id, m.status, v.status FROM materials m JOIN versions v"
                           " ON v.material_id = m.id AND v.version = m.current_version WHERE m.status != v.status")
    ]
    problems += [
        f"{lines.of(m)}: materials.released_version of {m} is {r}, which is not a released version"
        for m, r in q("SELECT m.id, m.released_version FROM materials m WHERE m.released_version IS NOT NULL"
                      " AND (m.status = 'retired' OR NOT EXISTS (SELECT 1 FROM versions v WHERE"
                      " v.material_id = m.id AND v.version = m.released_version AND v.status = 'released'))")
    ]
    problems += [
        f"{lines.of(m, n)}: versions.status of {m} v{n} is {s}, but the material "
        + ("serves another version" if s == "released" else "is not retired")
        for m, n, s in q("SELECT v.material_id, v.version, v.status FROM versions v JOIN materials m ON"
                         " m.id = v.material_id WHERE (v.status = 'released' AND v.version !="
                         " COALESCE(m.released_version, -1)) OR (v.status = 'retired' AND m.status != 'retired')")
    ]
    problems += [
        f"{lines.of(m)}: materials.created_by of {m} is {c!r}, but version 1 is by {a!r}"
        for m, c, a in q("SELECT m.id, m.created_by, v.author FROM materials m JOIN versions v ON"
                         " v.material_id = m.id AND v.version = 1 WHERE m.created_by != v.author")
    ]
    _refuse("the rows do not agree with each other", problems)


def check_authors(conn: sqlite3.Connection, lines: Lines) -> None:
    """The author of record of each version is the actor of its create/edit event."""
    events: dict[tuple[str, int], list[tuple[int, str, str]]] = defaultdict(list)
    for mid, n, eid, actor, action in conn.execute(
            "SELECT material_id, version, id, actor, action FROM audit WHERE action IN ('create', 'edit')"):
        events[(mid, n)].append((eid, actor, action))
    problems = []
    for mid, n, author in conn.execute("SELECT material_id, version, author FROM versions"):
        made = events.pop((mid, n), [])
        want = "create" if n == 1 else "edit"
        if len(made) != 1 or made[0][2] != want:
            problems.append(f"{lines.of(mid, n)}: {mid} v{n} needs exactly one '{want}' event in the "
                            f"audit trail, it has {len(made)}")
        elif made[0][1] != author:
            problems.append(f"{lines.of(mid, n)}: versions.author of {mid} v{n} is {author!r}, but the "
                            f"audit trail (line {lines.audit.get(made[0][0], '?')}) says {made[0][1]!r} made it")
    for (mid, n), made in sorted(events.items()):
        problems.append(f"line {lines.audit.get(made[0][0], '?')}: audit event for {mid} v{n}, "
                        "a version the file does not have")
    _refuse("authors of record and the audit trail disagree", problems)


def _by_role(users: dict[str, str], actor: str, role: str, allowed: tuple[str, ...]) -> bool:
    return role in allowed and users.get(actor) == role


def check_reviews(conn: sqlite3.Connection, lines: Lines) -> None:
    """Approved, released and withdrawn versions carry a valid review; blocks an override."""
    users = dict(conn.execute("SELECT name, role FROM users").fetchall())
    approvers, releasers = workflow.step("approve").roles, workflow.step("release").roles
    overriders = workflow.step("override").roles
    cols = {c[0] for c in schema_info.columns(conn, "versions")}
    came_from = "v.withdrawn_from" if "withdrawn_from" in cols else "NULL"
    problems = []
    for mid, n, status, verdict, override_by, was in conn.execute(
            f"SELECT v.material_id, v.version, v.status, v.verdict, v.override_by, {came_from}"
            " FROM versions v JOIN materials m ON m.id = v.material_id WHERE m.status != 'retired'"
            " AND v.status IN ('in_review', 'approved', 'released', 'withdrawn')").fetchall():
        events = conn.execute("SELECT id, actor, role, action FROM audit WHERE material_id = ? AND"
                              " version = ? ORDER BY id", [mid, n]).fetchall()
        lineage = {a for (a,) in conn.execute(
            "SELECT author FROM versions WHERE material_id = ? AND version <= ?", [mid, n])}
        why = []
        if status != "in_review":
            approved = [e for e in events if e[3] == "approve" and _by_role(users, e[1], e[2], approvers)
                        and e[1] not in lineage]
            if not approved:
                why.append("has no approval by a reviewer who did not author it")
            elif status == "released" or was == "released":
                if not any(e[3] == "release" and e[0] > approved[0][0]
                           and _by_role(users, e[1], e[2], releasers) for e in events):
                    why.append("has no release by a reviewer after its approval")
        if verdict == "block" and status != "withdrawn" and not any(
                e[3] in ("override", "reinstate") and e[1] == override_by
                and _by_role(users, e[1], e[2], overriders) for e in events):
            why.append("has error-level findings and no override by a compliance officer")
        problems += [f"{lines.of(mid, n)}: {mid} v{n} is {status} but {w}" for w in why]
    _refuse("review states the imported audit trail does not support", problems)


# ---- compliance re-check ---------------------------------------------------------------------

Checker = Callable[..., ComplianceReport]


def _errors(findings: list[Any]) -> set[tuple[str, str]]:
    out = set()
    for f in findings:
        d = f if isinstance(f, dict) else f.model_dump()
        if d.get("severity") == "error":
            out.add((str(d.get("rule", "")), str(d.get("match", ""))))
    return out


@dataclass
class Recheck:
    """What the compliance re-check of an import did."""

    checked: int = 0
    withdrawn: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    milder_drafts: list[str] = field(default_factory=list)


_ACTED_ON = ("in_review", "approved", "released")  # past the submit gate: what review relies on


def recheck(conn: sqlite3.Connection, lines: Lines, checker: Checker) -> Recheck:
    """Re-check current and served versions with today's rules, and act on what passed the
    submit gate: approved and released versions that now block are withdrawn (out of delivery,
    into the compliance queue), versions in review go back to draft. Drafts keep their stored
    report, as drafts in a live library do when the packs change; they are counted."""
    from library import withdrawal  # the rule rescan's own step: out of delivery, into the queue

    rows = conn.execute(
        "SELECT m.id, v.version, v.status, v.content, v.compliance,"
        " m.locale, m.industry, m.channel, m.content_type, m.segment, m.current_version"
        " FROM materials m JOIN versions v ON v.material_id = m.id AND (v.version = m.current_version"
        " OR v.version = m.released_version) WHERE m.status != 'retired' ORDER BY m.seq, v.version").fetchall()
    out = Recheck(checked=len(rows))
    problems: list[str] = []
    at = now()
    for mid, n, status, content, stored_raw, locale, industry, channel, ctype, segment, cur in rows:
        try:
            model = CONTENT_MODELS[ctype].model_validate(loads(content))
            fresh = checker(model, locale=locale, industry=industry, channel=channel,
                            content_type=ctype, segment=segment)
        except (UsageError, ValueError) as e:  # the content's fault; a broken rule pack propagates
            problems.append(f"{lines.of(mid, n)}: {mid} v{n} cannot be re-checked ({e})")
            continue
        stored = loads(stored_raw, {})
        # Errors its stored report did not have. (An in-review, approved or released version
        # whose report has errors was overridden: check_reviews refused the file otherwise.)
        blocks = bool(_errors(fresh.findings) - _errors(stored.get("findings", [])))
        if not blocks and _SEVERITY[fresh.verdict] <= _SEVERITY.get(stored.get("verdict", "pass"), 0):
            continue  # nothing new: the stored report stands (an export re-imports exactly)
        if status not in _ACTED_ON:
            if blocks:
                out.milder_drafts.append(f"{mid} v{n}")
            continue
        rules = ", ".join(sorted({f.rule for f in fresh.findings if f.severity == "error"}))
        if blocks and status in ("approved", "released"):
            withdrawal.withdraw(conn, material_id=mid, version=n, expected=status, report=fresh,
                                at=at, started_by=IMPORT_ACTOR)
            out.withdrawn.append(f"{mid} v{n} ({status}; blocked by {rules})")
            continue
        to_status = "draft" if blocks else status
        conn.execute("UPDATE versions SET compliance = ?, verdict = ?, status = ? WHERE material_id = ?"
                     " AND version = ?", [dumps(fresh.model_dump(mode="json")), fresh.verdict, to_status, mid, n])
        if blocks:
            # Back through the submit gate, which must see these findings: its override was for others.
            conn.execute("UPDATE versions SET override_by = NULL, override_justification = NULL,"
                         " override_at = NULL WHERE material_id = ? AND version = ?", [mid, n])
            if n == cur:
                conn.execute("UPDATE materials SET status = 'draft', updated_at = ? WHERE id = ?", [at, mid])
            out.held_back.append(f"{mid} v{n} (in review; blocked by {rules})")
        conn.execute(
            "INSERT INTO audit (at, actor, role, action, material_id, version, from_status, to_status,"
            " reason) VALUES (?, ?, ?, 'recheck', ?, ?, ?, ?, ?)",
            [at, IMPORT_ACTOR, IMPORT_ROLE, mid, n, status, to_status,
             f"re-checked on import: {fresh.verdict}" + (f", blocked by {rules}" if rules else "")])
    _refuse("content the compliance engine cannot read", problems)
    return out


def derive_material_columns(conn: sqlite3.Connection) -> int:
    """Title, verdict and finding count follow the current version; returns rows corrected."""
    cur = conn.execute(
        "UPDATE materials SET title = v.title, verdict = v.verdict,"
        " finding_count = COALESCE(json_array_length(v.compliance, '$.findings'), 0)"
        " FROM versions v WHERE v.material_id = materials.id AND v.version = materials.current_version"
        " AND (materials.title != v.title OR materials.verdict != v.verdict OR materials.finding_count !="
        " COALESCE(json_array_length(v.compliance, '$.findings'), 0))")
    return max(cur.rowcount, 0)


def summary_of_people(conn: sqlite3.Connection) -> tuple[dict[str, list[str]], list[str]]:
    """Users by role and live tokens with their channels: what the person importing must see."""
    by_role: dict[str, list[str]] = defaultdict(list)
    for name, role in conn.execute("SELECT name, role FROM users ORDER BY name"):
        by_role[role].append(name)
    tokens = [f"{name} ({', '.join(loads(channels, []))})" for name, channels in conn.execute(
        "SELECT name, channels FROM tokens WHERE revoked_at IS NULL ORDER BY name")]
    return dict(by_role), tokens
