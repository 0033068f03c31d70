"""Re-check approved and released versions when the compliance rule packs change.

    result = rescan(lib, engine=engine)                 # engine: see Engine below
    result = rescan(lib, engine=engine, dry_run=True)   # what would change; nothing is written
    print(result.summary())

A version is re-checked only when the packs in scope for its material's context (locale,
industry, channel, content type, segment) differ, by id and sha256, from the packs its stored
report was checked with. Then:

- it passes or only warns: the new report is recorded (so the next rescan skips it); its
  status, what is served and when it was last updated stay as they were;
- it blocks: it is withdrawn (library.withdrawal): out of delivery at once, into the
  compliance queue with its new findings, until a compliance officer reinstates it. Findings
  a compliance officer already let through on that version (same rule, same matched text)
  do not withdraw it again.

The engine is reached through the `Engine` protocol, so the library keeps to the kernel's types:
contentgen.usecases.rescan passes the rule packs (loaded once per run); tests pass their own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import CONTENT_MODELS
from library import withdrawal
from library._db import audit as _audit
from library._db import dumps, immediate, loads, now
from library.models import RescanResult, Withdrawal

if TYPE_CHECKING:
    from library.store import Library

# locale, industry, channel, content_type, segment: what decides which packs apply.
Scope = tuple[str, str, str, str, str | None]
PackSet = frozenset[tuple[str, str]]  # (pack id, sha256)
BATCH = 200  # versions checked per write transaction: short locks on a large library
# A live version: approved or released, and the current one or the one served. Each status is
# walked on its own so the keyset page is a range of idx_versions_status (status, rowid).
LIVE_STATUSES = ("approved", "released")
_LIVE = "v.status = ? AND m.status != 'retired' AND (v.version = m.current_version OR" \
        " v.version = m.released_version)"


class Engine(Protocol):
    def packs(self, scope: Scope) -> PackSet:
        """The packs that apply in this context now."""
        ...

    def check(self, content: BaseModel, scope: Scope) -> ComplianceReport:
        """A fresh compliance report for the content in this context."""
        ...


@dataclass(frozen=True)
class _Candidate:
    rowid: int
    material_id: str
    version: int
    status: str
    current: bool
    scope: Scope
    packs: PackSet
    overridden: bool
    channel: str
    title: str


_PACK_SETS: dict[str | None, PackSet] = {}


def _pack_set(raw: str | None) -> PackSet:
    """The (id, sha256) pairs of a stored report's packs; most reports share a few pack lists."""
    hit = _PACK_SETS.get(raw)
    if hit is None:
        refs = json.loads(raw) if raw else None
        hit = frozenset((r.get("id", ""), r.get("sha256", "")) for r in refs or [])
        if len(_PACK_SETS) > 4096:
            _PACK_SETS.clear()
        _PACK_SETS[raw] = hit
    return hit


def live_count(lib: Library) -> int:
    """How many versions a rescan looks at (current or served, approved or released): a
    progress bar's length."""
    conn = lib._db().conn
    return sum(int(conn.execute(f"SELECT COUNT(*) FROM versions v JOIN materials m ON m.id ="
                                f" v.material_id WHERE {_LIVE}", [status]).fetchone()[0])
               for status in LIVE_STATUSES)


def _candidates(conn: sqlite3.Connection, status: str, after: int, limit: int) -> list[_Candidate]:
    rows = conn.execute(
        "SELECT v.rowid, m.id, v.version, v.status, v.version = m.current_version, m.locale,"
        " m.industry, m.channel, m.content_type, m.segment, json_extract(v.compliance, '$.packs'),"
        " v.override_by IS NOT NULL, v.title FROM versions v JOIN materials m ON m.id ="
        f" v.material_id WHERE {_LIVE} AND v.rowid > ? ORDER BY v.rowid LIMIT ?",
        [status, after, limit]).fetchall()
    return [_Candidate(rowid=r[0], material_id=r[1], version=r[2], status=r[3], current=bool(r[4]),
                       scope=(r[5], r[6], r[7], r[8], r[9]), packs=_pack_set(r[10]),
                       overridden=bool(r[11]), channel=r[7], title=r[12]) for r in rows]


def _errors(findings: list[Any]) -> set[tuple[str, str]]:
    out = set()
    for f in findings:
        d = f if isinstance(f, dict) else f.model_dump()
        if d.get("severity") == "error":
            out.add((d.get("rule", ""), d.get("match", "")))
    return out


@dataclass
class _Outcome:
    candidate: _Candidate
    report: ComplianceReport
    withdraw: bool


def _recheck(conn: sqlite3.Connection, c: _Candidate, engine: Engine) -> _Outcome:
    content_raw, compliance_raw = conn.execute(
        "SELECT content, compliance FROM versions WHERE material_id = ? AND version = ?",
        [c.material_id, c.version]).fetchone()
    content = CONTENT_MODELS[c.scope[3]].model_validate(loads(content_raw, {}))
    report = engine.check(content, c.scope)
    if not report.blocked:
        return _Outcome(c, report, withdraw=False)
    # An override let these exact findings through once; only new ones withdraw the version.
    let_through = _errors(loads(compliance_raw, {}).get("findings", [])) if c.overridden else set()
    return _Outcome(c, report, withdraw=not _errors(report.findings) <= let_through)


def _record(conn: sqlite3.Connection, o: _Outcome) -> bool:
    """Store the new report of a version that stays; False if it moved on meanwhile."""
    c, report = o.candidate, o.report
    cur = conn.execute(
        "UPDATE versions SET compliance = ?, verdict = ? WHERE material_id = ? AND version = ?"
        " AND status = ?", [dumps(report.model_dump(mode="json")), report.verdict,
                            c.material_id, c.version, c.status])
    if cur.rowcount and c.current:
        # The list's verdict column follows the current version; updated_at stays: nothing a
        # person did, and the queues order by it.
        conn.execute("UPDATE materials SET verdict = ?, finding_count = ? WHERE id = ? AND"
                     " current_version = ?", [report.verdict, len(report.findings),
                                              c.material_id, c.version])
    return bool(cur.rowcount)


def _withdrawal(o: _Outcome) -> Withdrawal:
    c = o.candidate
    errors = [f.model_dump(mode="json", include={"rule", "severity", "field", "match", "message"})
              for f in o.report.findings if f.severity == "error"]
    return Withdrawal(material_id=c.material_id, version=c.version, from_status=c.status,
                      channel=c.channel, title=c.title, rules=withdrawal.error_rules(o.report),
                      findings=errors)


def _who(lib: Library, started_by: str | None) -> tuple[str, str]:
    if started_by is None:
        return withdrawal.RESCAN_ACTOR, withdrawal.RESCAN_ROLE
    user = lib.users.get(started_by)  # NotFoundError for someone unknown
    return user.name, user.role


def rescan(lib: Library, *, dry_run: bool = False, started_by: str | None = None,
           engine: Engine,
           progress: Callable[[int], None] | None = None) -> RescanResult:
    """Re-check what may be (or is) served against the current packs; see the module docstring.

    progress(n) is called after each batch with the number of versions looked at in it.
    """
    actor, role = _who(lib, started_by)
    result = RescanResult(dry_run=dry_run)
    db = lib._db()
    for status in LIVE_STATUSES:
        _walk(db, status, engine, result, actor, progress)
    if not dry_run:
        with immediate(db) as conn:
            _audit(conn, now(), actor, role, "rescan", None, None, None, None, result.summary())
    return result


def _walk(db: Any, status: str, engine: Engine, result: RescanResult, actor: str,
          progress: Callable[[int], None] | None) -> None:
    """Every live version with this status, a keyset page (one write transaction) at a time."""
    dry_run = result.dry_run
    after = 0
    while True:
        batch = _candidates(db.conn, status, after, BATCH)
        if not batch:
            break
        after = batch[-1].rowid
        outcomes = []
        for c in batch:
            if c.packs == engine.packs(c.scope):
                result.unchanged += 1
                continue
            try:
                outcomes.append(_recheck(db.conn, c, engine))
            except (ContentgenError, ValueError) as e:
                # Content the engine cannot read is left as it is, and named in the result.
                result.failed.append(f"{c.material_id} v{c.version}: {e}")
        if not dry_run and outcomes:
            _apply(db, outcomes, result, actor)
        else:
            for o in outcomes:
                _count(result, o, applied=True)
        result.checked += len(batch)
        if progress:
            progress(len(batch))


def _apply(db: Any, outcomes: list[_Outcome], result: RescanResult, started_by: str) -> None:
    with immediate(db) as conn:
        at = now()
        for o in outcomes:
            c = o.candidate
            if o.withdraw:
                done = withdrawal.withdraw(conn, material_id=c.material_id, version=c.version,
                                           expected=c.status, report=o.report, at=at,
                                           started_by=started_by)
            else:
                done = _record(conn, o)
            _count(result, o, applied=done)


def _count(result: RescanResult, o: _Outcome, *, applied: bool) -> None:
    if not applied:
        result.skipped += 1
    elif o.withdraw:
        result.withdrawn += 1
        result.withdrawals.append(_withdrawal(o))
    else:
        result.re_recorded += 1
