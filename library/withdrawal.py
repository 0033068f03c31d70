"""Withdraw a version the current rule packs block, and reinstate it: each inside the caller's
write transaction, each recorded in the audit log.

A withdrawn released version leaves delivery at once: `released_version` is cleared and the
change feed gets a tombstone (kind "retire": to a delivery client both mean "no longer send
this"). Reinstating puts the version back to the status it had; a released one is served
again with a new "release" entry in the feed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from contentgen.kernel.report import ComplianceReport
from library import queries, workflow
from library._db import audit as _audit
from library._db import dumps
from library.errors import TransitionError
from library.models import MaterialVersion

RESCAN_ACTOR = "rescan"  # who withdraws: the rules did, not a person
RESCAN_ROLE = "system"


def error_rules(report: ComplianceReport) -> list[str]:
    return sorted({f.rule for f in report.findings if f.severity == "error"})


def withdraw(conn: sqlite3.Connection, *, material_id: str, version: int, expected: str,
             report: ComplianceReport, at: str, started_by: str) -> bool:
    """Withdraw one version read as `expected`; False if it moved on since (nothing written)."""
    row = conn.execute(
        "SELECT m.status, m.current_version, m.released_version, m.channel, v.status"
        " FROM materials m JOIN versions v ON v.material_id = m.id"
        " WHERE m.id = ? AND v.version = ?", [material_id, version]).fetchone()
    if row is None:
        return False
    m_status, current, released, channel, v_status = row
    if m_status == "retired" or v_status != expected:
        return False
    if expected == "released" and released != version:
        return False
    if expected == "approved" and current != version:
        return False
    step = workflow.check_status("withdraw", material_id, version, v_status)
    rules = error_rules(report)
    conn.execute(
        "UPDATE versions SET status = ?, withdrawn_from = ?, compliance = ?, verdict = ?"
        " WHERE material_id = ? AND version = ?",
        [step.to_status, expected, dumps(report.model_dump(mode="json")), report.verdict,
         material_id, version],
    )
    if expected == "released":
        released = None
        conn.execute("INSERT INTO changes (material_id, version, kind, channel, at)"
                     " VALUES (?, ?, 'retire', ?, ?)", [material_id, version, channel, at])
    if version == current:
        conn.execute(
            "UPDATE materials SET status = ?, released_version = ?, verdict = ?,"
            " finding_count = ?, updated_at = ? WHERE id = ?",
            [step.to_status, released, report.verdict, len(report.findings), at, material_id],
        )
    else:
        # The served version was an older one; the current version keeps its own status.
        conn.execute("UPDATE materials SET released_version = ?, updated_at = ? WHERE id = ?",
                     [released, at, material_id])
    _audit(conn, at, RESCAN_ACTOR, RESCAN_ROLE, "withdraw", material_id, version, expected,
           step.to_status, f"blocked by {', '.join(rules)}" + (
               "" if started_by == RESCAN_ACTOR else f" (rescan started by {started_by})"))
    return True


def reinstate(conn: sqlite3.Connection, material_id: str, m: dict[str, Any], version: int, *,
              actor: str, role: str, reason: str, at: str) -> MaterialVersion:
    """Back to the status the version had, with the reason recorded as its override.

    `m` is the locked material row (status, current_version, released_version, channel).
    """
    if m["status"] == "retired":
        raise TransitionError(f"{material_id} is retired; no further steps are possible")
    v = queries.get_version(conn, material_id, version)
    workflow.check_status("reinstate", material_id, version, v.status)
    back = v.withdrawn_from or "approved"
    released = m["released_version"]
    if back == "released" and released is not None:
        # Unreachable through the workflow (a release supersedes withdrawn versions); refuse
        # rather than serve two versions of one material.
        raise TransitionError(f"cannot reinstate version {version} of {material_id}: version "
                              f"{released} is released now")
    if back == "approved" and version != m["current_version"]:
        raise TransitionError(f"cannot reinstate version {version} of {material_id}: it is no "
                              f"longer the current version ({m['current_version']})")
    conn.execute(
        "UPDATE versions SET status = ?, withdrawn_from = NULL, override_by = ?,"
        " override_justification = ?, override_at = ? WHERE material_id = ? AND version = ?",
        [back, actor, reason, at, material_id, version],
    )
    if back == "released":
        released = version
        conn.execute("INSERT INTO changes (material_id, version, kind, channel, at)"
                     " VALUES (?, ?, 'release', ?, ?)", [material_id, version, m["channel"], at])
    status = back if version == m["current_version"] else m["status"]
    conn.execute("UPDATE materials SET status = ?, released_version = ?, updated_at = ?"
                 " WHERE id = ?", [status, released, at, material_id])
    _audit(conn, at, actor, role, "reinstate", material_id, version, "withdrawn", back, reason)
    return queries.get_version(conn, material_id, version)
