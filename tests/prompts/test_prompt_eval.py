"""`contentgen prompts eval | promote | versions`: checks, targets, the loopback judge, promotion, status."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contentgen.cli import cli
from contentgen.kernel.config import ROOT
from contentgen.kernel.schemas import Brief, PushContent, SendWindow
from contentgen.prompt_eval import load_cases
from contentgen.prompt_eval_checks import (
    CHECKS,
    distinctness,
    invented_claims,
    score,
)
from contentgen.prompt_eval_judge import parse
from contentgen.prompts import PromptCatalog

# The loopback server lives in tests/providers/conftest.py; load it from there, not a copy.
_spec = importlib.util.spec_from_file_location(
    "providers_loopback", Path(__file__).resolve().parent.parent / "providers" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_loopback = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(_loopback)
FaultServer = _loopback.FaultServer
fault_server = _loopback.fault_server  # the fixture, registered in this module

PROMPTS = ROOT / "prompts"
SMS_ID = "push/retention"  # 6 eval briefs x 3 variants, short channels: a quick run


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def prompts_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private prompts/ (the promotion rewrites status lines) with a candidate of push/retention."""
    dest = tmp_path / "prompts"
    shutil.copytree(PROMPTS, dest)
    src = (dest / "push" / "retention.md").read_text(encoding="utf-8")
    cand = src.replace('version: "1.0.0"', 'version: "1.1.0"\nstatus: candidate', 1)
    assert cand != src, "push/retention.md no longer starts at version 1.0.0"
    (dest / "push" / "retention@1.1.0.md").write_text(cand, encoding="utf-8")
    monkeypatch.setenv("CONTENTGEN_PROMPTS_DIR", str(dest))
    return dest


def _brief(**kw: Any) -> Brief:
    data: dict[str, Any] = dict(industry="cosmetics", segment="dormant.high_value", content_type="push",
                                channel="wecom_1v1", locale="zh-CN", product="氨基酸洁面乳",
                                selling_points=["洗后温和不紧绷"])
    return Brief(**{**data, **kw})


def _push(body: str) -> PushContent:
    return PushContent(title="", body=body, send_window=SendWindow(start="12:00", end="13:00"))


# ---- the checks themselves -----------------------------------------------------------------

def test_each_check_fails_for_its_own_reason() -> None:
    from contentgen.compliance import check_brief

    brief = _brief(offer="第二支半价")
    bad = _push("您好，氨基酸洁面乳口碑爆款，3天见效！你一定要试试，超划算。你一定要试试，超划算。")
    s = score(brief, bad, check_brief(bad, brief), schema_ok=True)
    assert s.checks["offer"] is False and s.checks["grounded"] is False
    assert s.checks["repetition"] is False and s.checks["segment"] is False and s.checks["address"] is False
    assert "口碑" in s.problems["grounded"] and "3天" in s.problems["grounded"]
    good = _push("您好，氨基酸洁面乳洗后温和不紧绷。这次为您准备了：第二支半价。")
    s = score(brief, good, check_brief(good, brief), schema_ok=True)
    assert all(s.checks[c] is not False for c in CHECKS), s.problems
    assert invented_claims("热销的氨基酸洁面乳", _brief(selling_points=["热销单品"])) == []  # the brief said so
    assert distinctness(["同一段文字，完全一样。"] * 3, "zh-CN") == 1.0


def test_a_judge_answer_is_parsed_strictly() -> None:
    ok = {c: {"score": 4, "reason": "fine"} for c in ("fluency", "segment_fit", "channel_fit", "persuasiveness")}
    verdict, problem = parse(json.dumps(ok))
    assert verdict is not None and problem is None and verdict.scores["fluency"] == 4
    for bad in ("Looks good, 4/5", json.dumps({**ok, "fluency": {"score": "4", "reason": "x"}}),
                json.dumps({**ok, "fluency": {"score": 6, "reason": "x"}}),
                json.dumps({**ok, "fluency": {"score": True, "reason": "x"}}),
                json.dumps({k: v for k, v in ok.items() if k != "channel_fit"}),
                json.dumps({**ok, "overall": 5}), json.dumps([ok])):
        verdict, problem = parse(bad)
        assert verdict is None and problem, bad


def test_every_prompt_file_has_eval_briefs_across_locales() -> None:
    catalog = PromptCatalog.load(PROMPTS)
    for pf in catalog.files:
        cases = load_cases(pf)
        assert len(cases) >= 4, pf.id
        assert {c.brief.locale for c in cases} == set(pf.locales), pf.id


# ---- the command on the offline model ----------------------------------------------------

def test_offline_eval_of_every_prompt_meets_the_targets() -> None:
    """Every check passes on >= 95 % of drafts in every locale (figures printed with -s).

    Jaccard: < 0.25 overall; per locale zh-CN and ja-JP are under 0.25, en-US is not yet (0.31,
    held here as a bound so it cannot slide back; see prompts/README.md, Evaluation).
    """
    res = invoke("prompts", "eval", "--no-store", "-q", "--format", "json", "--concurrency", "2")
    assert res.exit_code == 0, res.output
    totals = json.loads(res.stdout)["totals"]
    for loc, block in totals["locales"].items():
        rates = {c: r["rate"] for c, r in block["checks"].items()}
        print(f"\n{loc}: {block['drafts']} drafts, Jaccard {block['jaccard']}, checks {rates}")
        assert all(r is None or r >= 0.95 for r in rates.values()), (loc, rates)
        bound = 0.33 if loc == "en-US" else 0.25
        assert block["jaccard"] is not None and block["jaccard"] < bound, (loc, block["jaccard"])
    assert totals["drafts"] >= 27 * 4 * 3 and totals["jaccard"] < 0.25


def test_eval_stores_a_run_and_compares_two_versions(prompts_copy: Path) -> None:
    res = invoke("prompts", "eval", f"{SMS_ID}@candidate", "--compare", "1.0.0")
    assert res.exit_code == 0, res.output
    assert "compare push/retention:" in res.stdout and "1.1.0 (candidate)" in res.stdout
    assert "1.0.0 (production)" in res.stdout and "jaccard" in res.stdout
    assert "push/retention@1.1.0" in res.stderr  # the progress bar, on stderr
    listed = invoke("prompts", "versions", SMS_ID, "--format", "json")
    rows = {r["version"]: r for r in json.loads(listed.stdout)}
    assert rows["1.1.0"]["status"] == "candidate" and rows["1.1.0"]["run_id"]
    assert rows["1.0.0"]["status"] == "production" and rows["1.0.0"]["run_id"]


# ---- promotion -----------------------------------------------------------------------------

def test_promotion_needs_an_eval_at_least_as_good(prompts_copy: Path) -> None:
    assert invoke("users", "add", "rita", "--role", "reviewer").exit_code == 0
    assert invoke("users", "add", "olga", "--role", "operator").exit_code == 0

    def promote(*extra: str) -> Any:
        return CliRunner().invoke(cli, ["prompts", "promote", SMS_ID, "1.1.0", *extra])

    refused = promote("--as", "rita")
    assert refused.exit_code == 1 and "no eval run of push/retention@1.1.0" in str(refused.exception)

    # A candidate that writes worse: its run is stored with a lower pass rate than production's.
    assert invoke("prompts", "eval", SMS_ID, "-q").exit_code == 0
    assert invoke("prompts", "eval", f"{SMS_ID}@1.1.0", "-q").exit_code == 0
    _degrade_latest_run("1.1.0")
    refused = promote("--as", "rita")
    assert refused.exit_code == 1 and "is not as good as production 1.0.0" in str(refused.exception)
    assert "grounded" in str(refused.exception)

    assert invoke("prompts", "eval", f"{SMS_ID}@1.1.0", "-q").exit_code == 0  # an honest run
    assert "may not promote" in str(promote("--as", "olga").exception)
    done = promote("--as", "rita")
    assert done.exit_code == 0, done.output
    assert "1.1.0 is production (was 1.0.0, now retired)" in done.stdout
    catalog = PromptCatalog.load(prompts_copy)
    assert catalog.get(SMS_ID).version == "1.1.0"
    assert [f.status for f in catalog.versions(SMS_ID)] == ["retired", "production"]

    from library import Library

    [event] = [e for e in Library.open(_db()).audit_log()
               if e.action == "prompt_promote"]
    assert event.actor == "rita" and event.role == "reviewer" and event.to_status == "production"
    assert "push/retention 1.1.0 to production (was 1.0.0)" in (event.reason or "")


def _db() -> Path:
    import os

    return Path(os.environ["CONTENTGEN_DB"])


def _degrade_latest_run(version: str) -> None:
    from library import Library
    from library.prompt_evals import latest_run

    lib = Library.open(_db())
    run = latest_run(lib, SMS_ID, version)
    assert run is not None
    summary = run.summary
    summary["checks"]["grounded"]["rate"] = 0.5
    lib._db().conn.execute("UPDATE prompt_eval_runs SET summary = ? WHERE id = ?",
                           [json.dumps(summary), run.id])
    lib._db().conn.commit()


# ---- status resolution in generation -------------------------------------------------------

def test_generation_resolves_production_unless_told_otherwise(prompts_copy: Path) -> None:
    catalog = PromptCatalog.load(prompts_copy)
    brief = _brief(segment="churn_risk.mass", channel="sms")
    assert catalog.resolve(brief).version == "1.0.0"
    assert catalog.with_status("candidate").resolve(brief).version == "1.1.0"
    assert catalog.resolve(brief.model_copy(update={"prompt": f"{SMS_ID}@candidate"})).version == "1.1.0"
    assert catalog.resolve(brief.model_copy(update={"prompt": f"{SMS_ID}@1.0.0"})).version == "1.0.0"
    base = ["generate", "--industry", "cosmetics", "--segment", "churn_risk.mass", "--content-type", "push",
            "--channel", "sms", "--product", "氨基酸洁面乳", "--format", "json", "-q"]
    [draft] = json.loads(invoke(*base).stdout)
    assert draft["prompt_ref"].startswith("push/retention@1.0.0+")
    [draft] = json.loads(invoke(*base, "--prompt", f"{SMS_ID}@candidate").stdout)
    assert draft["prompt_ref"].startswith("push/retention@1.1.0+")


def test_two_production_versions_of_one_id_are_refused(prompts_copy: Path) -> None:
    from contentgen.kernel.errors import PromptError

    path = prompts_copy / "push" / "retention@1.1.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: candidate", "status: production"),
                    encoding="utf-8")
    with pytest.raises(PromptError, match="all production"):
        PromptCatalog.load(prompts_copy)


# ---- a real model: the loopback OpenAI-compatible server --------------------------------

def test_eval_on_the_loopback_server_with_a_malformed_judge_answer(
        fault_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One brief, one variant: the draft is scored, the judge's first answer is malformed."""
    dest = tmp_path / "prompts"
    shutil.copytree(PROMPTS, dest)
    (dest / "evals" / "push" / "retention.yaml").write_text(
        "evals:\n  - name: one sms\n    variants: 1\n    brief: {industry: cosmetics, segment: churn_risk.mass,"
        " channel: sms, locale: zh-CN, product: 氨基酸洁面乳, selling_points: [洗后温和不紧绷]}\n",
        encoding="utf-8")
    monkeypatch.setenv("CONTENTGEN_PROMPTS_DIR", str(dest))
    sms = {"kind": "push", "title": "", "body": "好久不见，氨基酸洁面乳洗后温和不紧绷，有空回复聊聊。回T退订",
           "send_window": {"start": "12:00", "end": "13:00"}}
    fault_server.answer(json.dumps(sms, ensure_ascii=False)).answer("I'd say 4 out of 5 overall.")
    env = {"OPENAI_API_KEY": "sk-loopback-eval", "OPENAI_BASE_URL": fault_server.base_url}
    res = invoke("prompts", "eval", SMS_ID, "--model", "qwen-plus", "--judge", "--format", "json", "-q", env=env)
    assert res.exit_code == 0, res.output
    [run] = json.loads(res.stdout)["runs"]
    assert run["model"] == "openai:qwen-plus"
    checks = run["summary"]["checks"]
    assert checks["schema"]["rate"] == 1.0 and checks["compliance"]["rate"] == 1.0
    judge = run["summary"]["judge"]
    assert judge["malformed"] == 1 and judge["scored"] == 0 and judge["means"] == {}
    assert "sk-loopback-eval" not in res.output
    assert len(fault_server.seen) == 2 and "<draft>" not in fault_server.seen[1].body["messages"][-1]["content"]


def test_offline_judge_is_off_and_said_so() -> None:
    res = invoke("prompts", "eval", SMS_ID, "--judge", "--no-store", "-q")
    assert res.exit_code == 0
    assert "judge off" in res.stderr
