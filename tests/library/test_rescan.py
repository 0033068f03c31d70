"""The rule rescan: clean versions get a fresh report and nothing else; blocked ones are withdrawn
from delivery into the compliance queue until a compliance officer reinstates them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.errors import UsageError
from contentgen.testing import cli_main, cli_ok
from contentgen.testing_pg import table_rows
from contentgen.usecases import RulePacks
from library import Library
from library.errors import NotFoundError, PermissionDenied, TransitionError
from library.rescan import rescan
from tests.rescan_rules import CLEAN, FLAGGED, NEW_PACK, rules_before_and_after


@pytest.fixture
def rules(tmp_path: Path) -> dict[str, Path]:
    return rules_before_and_after(tmp_path)


def _to(lib: Library, draft_factory: Any, state: str, body: str) -> str:
    mid = lib.save_draft(draft_factory(body=body, channel="app_push"), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    lib.approve(mid, 1, actor="rita")
    if state == "released":
        lib.release(mid, 1, actor="rita")
    return mid


def _snapshot(path: Path) -> dict[str, list[Any]]:
    """Every row of the tables a rescan could touch."""
    return table_rows(path, ("materials", "versions", "audit", "changes"))


def test_clean_rescan_records_reports_and_changes_nothing_visible(
        lib: Library, draft_factory: Any, rules: dict[str, Path]) -> None:
    released = _to(lib, draft_factory, "released", FLAGGED)
    approved = _to(lib, draft_factory, "approved", CLEAN)
    before = {m: lib.get(m) for m in (released, approved)}
    seq = lib.last_change_seq()
    result = rescan(lib, engine=RulePacks(rules["old"]))
    assert (result.checked, result.unchanged, result.re_recorded, result.withdrawn) == (2, 0, 2, 0)
    for mid in (released, approved):
        m = lib.get(mid)
        assert (m.status, m.released_version, m.updated_at) == (
            before[mid].status, before[mid].released_version, before[mid].updated_at)
        packs = {p["id"] for p in lib.get_version(mid, 1).compliance["packs"]}
        assert "zh-CN.advertising-law" in packs  # the fresh report, with the packs it used
    assert lib.changes_since(channels=["app_push"], after_seq=seq) == []
    assert lib.get_released(released, channels=["app_push"]).version == 1
    # The reports now match the packs: the next rescan re-checks nothing.
    again = rescan(lib, engine=RulePacks(rules["old"]))
    assert (again.checked, again.unchanged, again.re_recorded, again.withdrawn) == (2, 2, 0, 0)
    runs = [e for e in lib.audit_log() if e.action == "rescan"]
    assert [e.reason for e in runs] == [again.summary(), result.summary()]
    assert runs[0].actor == "rescan" and runs[0].role == "system" and runs[0].material_id is None


def test_a_new_pack_withdraws_a_released_version_into_the_compliance_queue(
        lib: Library, draft_factory: Any, rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "released", FLAGGED)
    other = _to(lib, draft_factory, "released", CLEAN)
    rescan(lib, engine=RulePacks(rules["old"]))
    seq = lib.last_change_seq()
    result = rescan(lib, engine=RulePacks(rules["new"]), started_by="carl")
    assert (result.checked, result.re_recorded, result.withdrawn) == (2, 1, 1)
    [w] = result.withdrawals
    assert (w.material_id, w.version, w.from_status, w.rules) == (mid, 1, "released",
                                                                   ["zh.test.flash-sale"])
    assert w.findings[0]["match"] == "闪购"
    m, v = lib.get(mid), lib.get_version(mid, 1)
    assert (m.status, m.released_version, m.verdict) == ("withdrawn", None, "block")
    assert (v.status, v.withdrawn_from) == ("withdrawn", "released")
    assert [f["rule"] for f in v.error_findings] == ["zh.test.flash-sale"]
    with pytest.raises(NotFoundError):
        lib.get_released(mid, channels=["app_push"])
    assert [(c.material_id, c.kind) for c in lib.changes_since(channels=["app_push"], after_seq=seq)
            ] == [(mid, "retire")]
    assert [r.id for r in lib.released_page(channels=["app_push"])] == [other]
    queue = lib.list(compliance_queue=True)
    assert [x.id for x in queue.items] == [mid]
    assert lib.list(status="withdrawn").total == 1
    event = lib.history(mid)[-1]
    assert (event.action, event.actor, event.role, event.from_status, event.to_status) == (
        "withdraw", "rescan", "system", "released", "withdrawn")
    assert event.reason == "blocked by zh.test.flash-sale (rescan started by carl)"
    run = [e for e in lib.audit_log() if e.action == "rescan"][0]
    assert (run.actor, run.role) == ("carl", "compliance") and "withdrawn 1" in (run.reason or "")
    # A withdrawn version is not live: the next rescan does not look at it again.
    assert rescan(lib, engine=RulePacks(rules["new"])).checked == 1


def test_dry_run_reports_and_changes_nothing(lib: Library, lib_path: Path, draft_factory: Any,
                                             rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "released", FLAGGED)
    _to(lib, draft_factory, "approved", CLEAN)
    before = _snapshot(lib_path)
    result = rescan(lib, engine=RulePacks(rules["new"]), dry_run=True)
    assert result.dry_run and (result.re_recorded, result.withdrawn) == (1, 1)
    assert [w.material_id for w in result.withdrawals] == [mid]
    assert _snapshot(lib_path) == before


def test_compliance_reinstates_with_a_reason_and_nobody_else_may(
        lib: Library, draft_factory: Any, rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "released", FLAGGED)
    rescan(lib, engine=RulePacks(rules["new"]))
    for who in ("bob", "rita"):
        with pytest.raises(PermissionDenied, match=f"^{who} .* may not reinstate"):
            lib.override(mid, 1, actor=who, justification="looks fine")
    with pytest.raises(UsageError, match="written justification"):
        lib.override(mid, 1, actor="carl", justification="  ")
    assert lib.get(mid).status == "withdrawn"
    seq = lib.last_change_seq()
    mv = lib.override(mid, 1, actor="carl", justification="闪购 is the campaign's registered name")
    assert mv.status == "released" and mv.override and mv.override.by == "carl"
    m = lib.get(mid)
    assert (m.status, m.released_version) == ("released", 1)
    assert lib.get_released(mid, channels=["app_push"]).version == 1
    assert [c.kind for c in lib.changes_since(channels=["app_push"], after_seq=seq)] == ["release"]
    event = lib.history(mid)[-1]
    assert (event.action, event.actor, event.from_status, event.to_status, event.reason) == (
        "reinstate", "carl", "withdrawn", "released", "闪购 is the campaign's registered name")
    assert lib.list(compliance_queue=True).total == 0
    with pytest.raises(TransitionError):
        lib.override(mid, 1, actor="carl", justification="again")
    # Same packs: nothing to do. Other packs: the findings compliance let through stay let through.
    assert rescan(lib, engine=RulePacks(rules["new"])).unchanged == 1
    (rules["new"] / "zh-CN" / "another.yaml").write_text(
        NEW_PACK.replace("zh-CN.test-rescan", "zh-CN.another").replace(
            "zh.test.flash-sale", "zh.test.other").format(term="冬至"), encoding="utf-8")
    later = rescan(lib, engine=RulePacks(rules["new"]))
    assert (later.re_recorded, later.withdrawn) == (1, 0) and lib.get(mid).status == "released"


def test_an_approved_version_is_withdrawn_and_reinstated_to_approved(
        lib: Library, draft_factory: Any, rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "approved", FLAGGED)
    rescan(lib, engine=RulePacks(rules["new"]))
    assert lib.get(mid).status == "withdrawn" and lib.changes_since(channels=["app_push"]) == []
    with pytest.raises(TransitionError, match="it must be approved first"):
        lib.release(mid, 1, actor="rita")
    assert lib.override(mid, 1, actor="ada", justification="approved by legal").status == "approved"
    assert lib.release(mid, 1, actor="rita").status == "released"


def test_the_served_older_version_is_withdrawn_while_a_new_draft_is_worked_on(
        lib: Library, draft_factory: Any, rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "released", FLAGGED)
    lib.edit(mid, base_version=1, actor="bob",
             content={"body": CLEAN, "send_window": {"start": "10:00", "end": "20:00"}})
    rescan(lib, engine=RulePacks(rules["new"]))
    m = lib.get(mid)
    assert (m.status, m.current_version, m.released_version) == ("draft", 2, None)
    assert lib.get_version(mid, 1).status == "withdrawn"
    assert [x.id for x in lib.list(compliance_queue=True).items] == [mid]
    assert lib.withdrawn_versions(mid) == [1]
    # Releasing the fixed version replaces the withdrawn one: it leaves the queue.
    lib.submit(mid, 2, actor="bob")
    lib.approve(mid, 2, actor="rita")
    lib.release(mid, 2, actor="rita")
    assert lib.get_version(mid, 1).status == "superseded"
    assert lib.list(compliance_queue=True).total == 0


def test_an_edit_replaces_a_withdrawn_version(lib: Library, draft_factory: Any,
                                              rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "released", FLAGGED)
    rescan(lib, engine=RulePacks(rules["new"]))
    v2 = lib.edit(mid, base_version=1, actor="bob",
                  content={"body": CLEAN, "send_window": {"start": "10:00", "end": "20:00"}})
    assert v2.status == "draft" and lib.get_version(mid, 1).status == "superseded"
    assert lib.list(compliance_queue=True).total == 0


def test_cli_rescan_dry_run_json_then_real_then_override(
        lib: Library, lib_path: Path, draft_factory: Any, rules: dict[str, Path]) -> None:
    mid = _to(lib, draft_factory, "released", FLAGGED)
    db, new = str(lib_path), str(rules["new"])
    before = _snapshot(lib_path)
    out = json.loads(cli_ok("library", "rescan", "--dry-run", "--format", "json", "--db", db,
                            "--rules-dir", new).output)
    assert {k: out[k] for k in ("dry_run", "checked", "unchanged", "re_recorded", "withdrawn")} == {
        "dry_run": True, "checked": 1, "unchanged": 0, "re_recorded": 0, "withdrawn": 1}
    assert out["withdrawals"][0]["material_id"] == mid
    text = cli_ok("library", "rescan", "--dry-run", "--db", db, "--rules-dir", new).output
    assert text.splitlines() == [
        "rescan (dry run, nothing changed): checked 1, unchanged 0, re-recorded 0, withdrawn 1",
        f"would withdraw {mid} v1 (released, app_push): zh.test.flash-sale  {lib.get(mid).title}"]
    assert _snapshot(lib_path) == before
    text = cli_ok("library", "rescan", "--as", "carl", "--db", db, "--rules-dir", new).output
    assert text.splitlines()[1].startswith(f"withdrawn {mid} v1 (released, app_push)")
    assert cli_ok("library", "list", "--compliance-queue", "--db", db).output.startswith(mid)
    code, _, err = cli_main("library", "override", mid, "--as", "rita", "--reason", "ok", "--db", db)
    assert code != 0 and "may not reinstate" in err
    code, _, err = cli_main("library", "override", mid, "--as", "carl", "--db", db)
    assert code == 2 and "written justification" in err
    out_text = cli_ok("library", "override", mid, "--as", "carl", "--reason", "legal ok, ref L-9",
                      "--db", db).output
    assert out_text.strip() == f"{mid} v1: reinstate by carl → released"
    audit = cli_ok("library", "audit", "--db", db).output
    assert "carl (compliance) rescan — rescan: checked 1" in audit
    assert "reinstate" in audit and "legal ok, ref L-9" in audit
