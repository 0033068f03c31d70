"""Reviewer decisions as data (issue 15, item 5): the edits between generated and approved
text mined into rule suggestions a compliance officer accepts (the pack checked, the library
rescanned) or dismisses, recurring reasons per prompt, and the decisions dataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from contentgen.compliance import check_text, load_packs
from contentgen.kernel.config import ROOT
from contentgen.kernel.errors import UsageError
from contentgen.testing import cli_main, cli_ok
from contentgen.usecases import feedback as cases
from library import Library, feedback
from library.errors import NotFoundError, PermissionDenied

# Operators keep taking 闭眼入 out and replacing 宝子们 with 朋友们 before a reviewer approves.
EDITED = [
    ("宝子们，这款面霜闭眼入，保湿一整天。", "朋友们，这款面霜保湿一整天。"),
    ("宝子们看过来！敏感肌闭眼入的氨基酸洗面奶，温和不紧绷。", "朋友们看过来！敏感肌适用的氨基酸洗面奶，温和不紧绷。"),
    ("新品防晒闭眼入，宝子们出门记得涂。", "新品防晒清爽不油腻，朋友们出门记得涂。"),
    ("宝子们，周末到店试用精华液，闭眼入不踩雷。", "朋友们，周末到店试用精华液，肤感清爽。"),
]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A copy of the shipped packs to accept suggestions into."""
    return Path(shutil.copytree(ROOT / "rules", tmp_path / "rules"))


def _edited_and_approved(lib: Library, draft_factory: Any, before: str, after: str, *, by: str = "alice") -> str:
    mid = lib.save_draft(draft_factory(before, channel="moments"), author="alice").material_id
    content = dict(lib.get_version(mid, 1).content)
    lib.edit(mid, base_version=1, content={**content, "body": after}, actor=by, source="edited")
    lib.submit(mid, 2, actor="alice")
    lib.approve(mid, 2, actor="rita")
    return mid


def _library_with_edits(lib: Library, draft_factory: Any) -> list[str]:
    mids = [_edited_and_approved(lib, draft_factory, b, a) for b, a in EDITED]
    # Decisions with reasons, for the prompt notes and the dataset.
    for reason in ("语气太像广告，请更口语化", "语气太像广告，请更口语化。", "价格写错了"):
        mid = lib.save_draft(draft_factory("好久不见，新品洁面乳上市，点击了解。"), author="alice").material_id
        lib.submit(mid, 1, actor="alice")
        lib.request_changes(mid, 1, actor="rita", reason=reason)
    return mids


def test_edits_become_suggestions_with_the_real_edits_as_examples(lib: Library, draft_factory: Any,
                                                                  rules: Path) -> None:
    mids = _library_with_edits(lib, draft_factory)
    rows = feedback.edits(lib)
    assert [r.material_id for r in rows] == mids and rows[0].editor == "alice" and rows[0].editor_role == "operator"
    assert EDITED[0][0] in rows[0].before and EDITED[0][1] in rows[0].after
    found = {s.term: s for s in cases.suggestions(lib, rules)}
    assert found["闭眼入"].kind == "terms" and found["闭眼入"].support == 4
    # Characters are diffed: 宝子们 → 朋友们 keeps 们, and the rule 宝子 → 朋友 does the same.
    assert found["宝子"].kind == "substitution" and found["宝子"].replacement == "朋友"
    assert any(b == "宝子们，这款面霜闭眼入，保湿一整天。" for b, _ in found["闭眼入"].examples)
    # Fewer materials than --min-support: nothing.
    assert cases.suggestions(lib, rules, min_support=5) == []
    with pytest.raises(UsageError, match="at least 2"):
        cases.suggestions(lib, rules, min_support=1)


def test_accepting_writes_a_checked_rule_and_rescans(lib: Library, draft_factory: Any, rules: Path) -> None:
    _library_with_edits(lib, draft_factory)
    sug = next(s for s in cases.suggestions(lib, rules) if s.term == "闭眼入")
    with pytest.raises(PermissionDenied, match="compliance officers and admins"):
        cases.accept(lib, sug.id, actor="rita", rules_dir=rules)
    done = cases.accept(lib, sug.id, actor="carl", rules_dir=rules)
    assert done.path == rules / "zh-CN" / "reviewer-suggestions.yaml"
    pack = yaml.safe_load(done.path.read_text(encoding="utf-8"))
    assert [r["terms"] for r in pack["rules"]] == [["闭眼入"]] and pack["rules"][0]["level"] == "warning"
    assert done.rescan.checked > 0 and not done.rescan.dry_run
    # The pack passes the checks a compliance officer runs, and the new rule finds the term.
    assert "0 failed" in cli_ok("rules", "test", "--rules-dir", str(rules)).output
    report = check_text("这款精华闭眼入", locale="zh-CN", packs=load_packs(rules))
    assert any(f.rule == sug.rule_id for f in report.findings)
    # Decided once: no longer suggested, not accepted twice, audited.
    assert sug.id not in {s.id for s in cases.suggestions(lib, rules)}
    assert feedback.decided(lib)[("zh-CN", sug.term)].status == "accepted"
    with pytest.raises(UsageError, match="was accepted by carl"):
        cases.accept(lib, sug.id, actor="carl", rules_dir=rules)
    assert any(e.action == "suggestion_accepted" for e in lib.audit_log(limit=10))
    # The packs now flag it, so it is not mined again even if the decision were lost.
    assert "闭眼入" not in {s.term for s in cases.suggestions(lib, rules, include_decided=True)}


def test_dismissing_keeps_the_packs_as_they_were(lib: Library, draft_factory: Any, rules: Path) -> None:
    _library_with_edits(lib, draft_factory)
    sug = next(s for s in cases.suggestions(lib, rules) if s.term == "宝子")
    cases.dismiss(lib, sug.id, actor="ada", note="a greeting our brand uses on purpose", rules_dir=rules)
    assert not (rules / "zh-CN" / "reviewer-suggestions.yaml").exists()
    assert feedback.decided(lib)[("zh-CN", sug.term)].note == "a greeting our brand uses on purpose"
    assert "宝子" not in {s.term for s in cases.suggestions(lib, rules)}
    with pytest.raises(NotFoundError, match="no open suggestion"):
        cases.dismiss(lib, "sug-0000000000", actor="ada", rules_dir=rules)


def test_recurring_reasons_per_prompt_and_the_decisions_dataset(lib: Library, draft_factory: Any,
                                                                  tmp_path: Path, lib_path: Any) -> None:
    _library_with_edits(lib, draft_factory)
    (note,) = feedback.prompt_notes(lib)
    assert note.prompt == "push.reactivate" and note.decisions == 7 and note.turned_back == 3
    assert note.reasons == [("语气太像广告，请更口语化", 2)]  # the same words, punctuation aside
    out = tmp_path / "decisions.jsonl"
    result = cli_ok("feedback", "export", "--out", str(out), "--db", str(lib_path))
    assert "7 decision(s) written" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["label"] for r in rows} == {"approved", "changes_requested"}
    approved = rows[0]
    assert approved["edited_by"] == "alice" and approved["reviewer_role"] == "reviewer"
    assert "-" in approved["edit"] and "+" in approved["edit"] and "闭眼入" in approved["generated_text"]
    back = [r for r in rows if r["label"] == "changes_requested"]
    assert back[0]["reason"] == "语气太像广告，请更口语化" and back[0]["edit"] is None


def test_the_cli_suggests_accepts_and_dismisses(lib: Library, draft_factory: Any, rules: Path,
                                               lib_path: Any) -> None:
    _library_with_edits(lib, draft_factory)
    db = ["--db", str(lib_path), "--rules-dir", str(rules)]
    listed = json.loads(cli_ok("feedback", "suggest", "--format", "json", *db).output)
    by_term = {s["term"]: s for s in listed}
    assert by_term["闭眼入"]["support"] == 4 and "kind: terms" in by_term["闭眼入"]["yaml"]
    text = cli_ok("feedback", "suggest", *db).output
    assert "闭眼入 removed  (4 materials)" in text and "宝子 → 朋友" in text
    code, _, err = cli_main("feedback", "accept", by_term["闭眼入"]["id"], "--as", "alice", *db)
    assert code != 0 and "compliance officers and admins" in err
    accepted = cli_ok("feedback", "accept", by_term["闭眼入"]["id"], "--as", "carl", *db).output
    assert "added to" in accepted and "rescan" in accepted
    assert "dismissed" in cli_ok("feedback", "dismiss", by_term["宝子"]["id"], "--as", "carl", *db).output
    assert "no suggestions" in cli_ok("feedback", "suggest", *db).output
    notes = json.loads(cli_ok("feedback", "prompt-notes", "--format", "json", "--db", str(lib_path)).output)
    assert notes[0]["reasons"] == [{"reason": "语气太像广告，请更口语化", "count": 2}]


def test_two_accepts_at_once_keep_both_rules(lib: Library, draft_factory: Any, rules: Path) -> None:
    """Each accept reads, appends, checks and records under the locale's pack lock: neither
    overwrites the other's rule, nor restores it away."""
    import threading

    _library_with_edits(lib, draft_factory)
    found = cases.suggestions(lib, rules)
    assert len(found) == 2
    errors: list[BaseException] = []

    def accept(sug_id: str) -> None:
        try:
            cases.accept(lib, sug_id, actor="carl", rules_dir=rules)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=accept, args=(s.id,)) for s in found]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    pack = yaml.safe_load((rules / "zh-CN" / "reviewer-suggestions.yaml").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in pack["rules"]) == sorted(s.rule_id for s in found)
    assert {k[1] for k in feedback.decided(lib)} == {s.term for s in found}
