"""`contentgen plan ...` through click's CliRunner, the error boundary, and one real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contentgen.testing import cli_main, cli_ok
from library import Library

ISSUE_ARGS = ["--segment", "dormant.high_value", "--objective", "reactivate", "--days", "15",
              "--persona", "professional", "--industry", "finance", "--channels", "wecom_1v1,group,moments,sms",
              "--locale", "zh-CN", "--start", "2026-12-01"]


run, run_main = cli_ok, cli_main  # shared with the other CLI suites (contentgen.testing)


def test_templates_lists_the_objectives() -> None:
    data = json.loads(run("plan", "templates", "--format", "json").stdout)
    assert {t["objective"] for t in data} >= {"reactivate", "welcome", "repurchase", "vip_care", "event"}
    assert all(t["cycles"] == [7, 15] for t in data)
    assert "needs --offer" in run("plan", "templates").stdout


def test_create_save_show_submit_approve_release(lib: Library) -> None:
    db = str(lib.target)
    out = run("plan", "create", *ISSUE_ARGS, "--save", "--as", "olga", "--db", db, "--format", "json").stdout
    created = json.loads(out[out.index("{"):])
    plan_id = created["id"]
    assert created["saved"] and created["offline_model"] and len(created["touchpoints"]) == 9
    assert all(t["channel"] in {"wecom_1v1", "group", "moments", "sms"} for t in created["touchpoints"])
    shown = json.loads(run("plan", "show", plan_id, "--db", db, "--format", "json").stdout)
    assert shown["status"] == "draft" and shown["segment"] == "dormant.high_value"
    text = run("plan", "show", plan_id, "--db", db).stdout
    assert "2026-12-01" in text and "wecom_1v1" in text and "status draft" in text
    assert "9 submitted" in run("plan", "submit", plan_id, "--as", "olga", "--db", db).stdout
    out = json.loads(run("plan", "approve", plan_id, "--as", "rita", "--db", db, "--format", "json").stdout)
    assert out["status"] == "approved" and len(out["done"]) == 9, json.dumps({k: v for k, v in out.items() if k != "done"}, ensure_ascii=False)[:3000]
    assert "status released" in run("plan", "release", plan_id, "--as", "rita", "--db", db).stdout
    listed = json.loads(run("plan", "list", "--db", db, "--format", "json").stdout)
    assert [(p["id"], p["status"]) for p in listed] == [(plan_id, "released")]


def test_edit_and_single_review_commands(lib: Library, tmp_path: Path) -> None:
    db = str(lib.target)
    out = run("plan", "create", *ISSUE_ARGS[:-2], "--start", "2026-12-01", "--days", "7", "--save", "--as", "olga",
              "--db", db).stdout
    plan_id = out.strip().splitlines()[-1]
    run("plan", "submit", plan_id, "--as", "olga", "--db", db)
    run("plan", "approve", plan_id, "--as", "rita", "--db", db)
    shown = json.loads(run("plan", "show", plan_id, "--db", db, "--format", "json", "--texts").stdout)
    tp = next(t for t in shown["touchpoints"] if t["content_type"] == "push")
    content = lib.get_version(tp["material_id"], 1).content
    (tmp_path / "c.json").write_text(json.dumps({**content, "body": "您好，名额为您保留到周五。理财有风险，投资需谨慎。"}),
                                     encoding="utf-8")
    out = run("plan", "edit", plan_id, str(tp["seq"]), "--file", str(tmp_path / "c.json"), "--as", "olga", "--db", db)
    assert "v2: in_review" in out.stdout
    statuses = [t["status"] for t in json.loads(run("plan", "show", plan_id, "--db", db, "--format", "json").stdout)["touchpoints"]]
    assert statuses.count("in_review") == 1 and statuses.count("approved") == len(statuses) - 1
    out = run("plan", "review", plan_id, str(tp["seq"]), "request-changes", "--as", "rita", "--reason", "短一点",
              "--db", db)
    assert "changes_requested" in out.stdout


def test_dry_run_prints_the_calendar_without_generating() -> None:
    rows = json.loads(run("plan", "create", *ISSUE_ARGS, "--dry-run", "--preferred-time", "weekend",
                          "--format", "json").stdout)
    assert len(rows) == 9 and all(r["time"] in ("12:00", "13:30") for r in rows)


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["plan", "create", "--segment", "x.y", "--objective", "reactivate", "--industry", "finance",
          "--start", "2026-12-01"], 2, "unknown segment"),
        (["plan", "create", "--segment", "new.mass", "--objective", "conquer", "--industry", "finance",
          "--start", "2026-12-01"], 2, "unknown plan objective 'conquer'"),
        (["plan", "create", "--segment", "new.mass", "--objective", "welcome", "--industry", "finance",
          "--start", "1 Dec"], 2, "YYYY-MM-DD"),
        (["plan", "create", "--segment", "new.mass", "--objective", "welcome", "--industry", "finance",
          "--start", "2026-12-01", "--channels", "moments", "--dry-run"], 1, "channels:"),
        (["plan", "create", "--segment", "new.mass", "--objective", "welcome", "--industry", "finance",
          "--start", "2026-12-01", "--preferred-time", "23:30", "--dry-run"], 1, "quiet hours"),
        (["plan", "show", "plan_missing"], 1, "no plan 'plan_missing'"),
        (["plan", "approve", "plan_missing"], 2, "--as USER"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(lib: Library, capsys: pytest.CaptureFixture[str],
                                                   argv: list[str], code: int, fragment: str) -> None:
    got, _, err = run_main(*argv, "--db", str(lib.target))
    assert got == code, err
    assert err.startswith("Error: ") and fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_operator_cannot_approve_a_plan(lib: Library, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(lib.target)
    plan_id = run("plan", "create", *ISSUE_ARGS[:-2], "--start", "2026-12-01", "--days", "7", "--save",
                  "--as", "olga", "--db", db).stdout.strip().splitlines()[-1]
    run("plan", "submit", plan_id, "--as", "olga", "--db", db)
    code, _, err = run_main("plan", "approve", plan_id, "--as", "olga", "--db", db)
    assert code == 1 and "reviewers approve" in err


def test_real_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "contentgen"
    env = {**os.environ, "CONTENTGEN_DB": str(tmp_path / "sub.db")}
    proc = subprocess.run([str(exe), "plan", "templates"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and "reactivate" in proc.stdout
    proc = subprocess.run([str(exe), "plan", "create", "--segment", "new.mass", "--objective", "welcome",
                           "--industry", "retail", "--start", "2026-12-01", "--channels", "moments", "--dry-run"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1 and proc.stderr.startswith("Error: plan cannot meet its constraints: channels")


def test_a_new_template_file_is_a_new_objective_without_code(tmp_path: Path, plans_dir: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    target = tmp_path / "prompts" / "plans"
    shutil.copytree(plans_dir, target)
    (target / "birthday.yaml").write_text(
        "objective: birthday\ntitle: {en-US: Birthday greetings}\ncycles:\n  7:\n"
        "    - {day: 0, channels: [wecom_1v1], content_type: push, prompt: vip_care, purpose: Birthday wishes}\n"
        "    - {day: 3, channels: [sms], content_type: push, prompt: vip_care, anchor: true, purpose: Birthday gift}\n",
        encoding="utf-8")
    monkeypatch.setenv("CONTENTGEN_PROMPTS_DIR", str(tmp_path / "prompts"))
    data = json.loads(run("plan", "templates", "--format", "json").stdout)
    assert "birthday" in {t["objective"] for t in data}
    rows = json.loads(run("plan", "create", "--segment", "loyal.mass", "--objective", "birthday", "--industry",
                          "retail", "--start", "2026-12-01", "--dry-run", "--format", "json").stdout)
    assert [(r["day"], r["channel"]) for r in rows] == [(0, "wecom_1v1"), (3, "sms")]
