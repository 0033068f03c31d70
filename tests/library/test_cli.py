"""The library, users, tokens and export/import commands, through CliRunner and one subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contentgen.testing import cli_main, cli_ok
from contentgen.usecases import open_library
from library import Library


@pytest.fixture
def seeded(lib: Library, draft_factory: Any, lib_path: Path) -> dict[str, str]:
    clean = lib.save_draft(draft_factory(body="久违了，新品洁面乳回来了"), author="alice").material_id
    blocked = lib.save_draft(draft_factory(blocked=True), author="alice").material_id
    return {"db": str(lib_path), "clean": clean, "blocked": blocked}


run, run_main = cli_ok, cli_main  # shared with the other CLI suites (contentgen.testing)


def test_review_journey(seeded: dict[str, str], tmp_path: Path) -> None:
    db, mid = seeded["db"], seeded["clean"]
    listed = json.loads(run("library", "list", "--db", db, "--status", "draft", "--format", "json").output)
    assert listed["total"] == 2 and {m["id"] for m in listed["items"]} == {mid, seeded["blocked"]}
    run("library", "submit", mid, "--as", "alice", "--db", db)
    out = run("library", "approve", mid, "--version", "1", "--as", "rita", "--db", db).output
    assert out.strip() == f"{mid} v1: approve by rita → approved"
    run("library", "release", mid, "--as", "rita", "--db", db)
    content = tmp_path / "v2.json"
    content.write_text(json.dumps({"body": "【洁面小铺】久违了，洁面乳第二版。回T退订", "send_window": {"start": "09:00", "end": "12:00"}}, ensure_ascii=False), encoding="utf-8")
    edited = run("library", "edit", mid, "--file", str(content), "--as", "bob", "--db", db).output
    # Re-checked on save: no error (the learned model may still ask a person to look).
    assert "v2: saved as draft; compliance pass" in edited or \
        "v2: saved as draft; compliance warn" in edited
    diff = run("library", "diff", mid, "1", "2", "--db", db).output
    assert "久违了，洁面乳第二版" in diff
    shown = json.loads(run("library", "show", mid, "--version", "1", "--format", "json", "--db", db).output)
    assert shown["version"]["status"] == "released" and shown["material"]["current_version"] == 2
    assert [e["action"] for e in shown["history"]] == ["create", "submit", "approve", "release", "edit"]
    text = run("library", "show", mid, "--db", db).output
    assert "OFFLINE model" in text and "bob (operator) edit v2" in text
    listed = run("library", "list", "--db", db, "--q", "第二版").output
    assert mid in listed and "(v1 released)" in listed
    stats = json.loads(run("library", "stats", "--format", "json", "--db", db).output)
    assert stats["total"] == 2


def test_override_then_submit_blocked_draft(seeded: dict[str, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    db, mid = seeded["db"], seeded["blocked"]
    code, _, err = run_main("library", "submit", mid, "--as", "alice", "--db", db)
    assert code == 1 and err.startswith("Error: version 1 of") and "override" in err
    code, _, err = run_main("library", "override", mid, "--as", "carl", "--db", db)
    assert code == 2 and err == "Error: an override needs a written justification (--reason '...')\n"
    run("library", "override", mid, "--as", "carl", "--reason", "verified with legal", "--db", db)
    run("library", "submit", mid, "--as", "alice", "--db", db)


@pytest.mark.parametrize("args, code, message", [
    (["library", "approve", "{clean}", "--as", "alice"], 1,
     "Error: alice (operator) may not approve: reviewers approve (or an admin)"),
    (["library", "approve", "{clean}", "--as", "zoe"], 1,
     "Error: unknown user 'zoe'; add one with: contentgen users add zoe --role operator"),
    (["library", "approve", "{clean}"], 2, "Error: say who acts: --as USER (or set CONTENTGEN_USER)"),
    (["library", "show", "mat_missing"], 1, "Error: no material 'mat_missing'; see: contentgen library list"),
    (["library", "submit", "{clean}", "--version", "3", "--as", "alice"], 1, "Error: version 3 of"),
    (["library", "list", "--status", "done"], 2, "Error: unknown status 'done'"),
    (["library", "edit", "{clean}", "--file", "/nonexistent.json", "--as", "bob"], 2, "Error: cannot read"),
    (["users", "add", "x", "--role", "boss"], 2, "Error: unknown role 'boss'"),
    (["tokens", "create", "t", "--channels", "fax"], 2, "Error: unknown channel 'fax'"),
    (["import", "/nonexistent.jsonl"], 2, "Error: cannot read /nonexistent.jsonl"),
])
def test_errors_are_one_line_with_exit_code(seeded: dict[str, str], capsys: pytest.CaptureFixture[str],
                                            args: list[str], code: int, message: str) -> None:
    argv = [a.format(**seeded) for a in args] + ["--db", seeded["db"]]
    got, _, err = run_main(*argv)
    assert got == code and err.startswith(message) and err.count("\n") == 1, err


def test_users_and_tokens_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "u.db")
    run("users", "add", "rita", "--role", "reviewer", "--password", "long-enough-pw", "--db", db)
    users = json.loads(run("users", "list", "--format", "json", "--db", db).output)
    assert users[0]["name"] == "rita" and users[0]["has_password"] is True
    token = run("tokens", "create", "app", "--channels", "sms,app_push", "--db", db).output.splitlines()[-1]
    assert open_library(db).tokens.authenticate(token).channels == ["sms", "app_push"]
    listed = json.loads(run("tokens", "list", "--format", "json", "--db", db).output)
    assert listed[0]["channels"] == ["sms", "app_push"] and token not in json.dumps(listed)
    run("tokens", "revoke", "app", "--db", db)
    assert "revoked" in run("tokens", "list", "--db", db).output


def test_export_import_commands(seeded: dict[str, str], tmp_path: Path) -> None:
    dump, again = tmp_path / "dump.jsonl", tmp_path / "again.jsonl"
    run("export", str(dump), "--db", seeded["db"])
    new_db = str(tmp_path / "new.db")
    assert "imported" in run("import", str(dump), "--db", new_db).output
    run("export", str(again), "--db", new_db)
    assert again.read_text(encoding="utf-8") == dump.read_text(encoding="utf-8")


def test_real_subprocess(seeded: dict[str, str], tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "contentgen"
    env = {**os.environ, "CONTENTGEN_DB": seeded["db"]}
    ok = subprocess.run([str(exe), "library", "list", "--format", "json"], env=env,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["total"] == 2
    bad = subprocess.run([str(exe), "library", "approve", seeded["clean"], "--as", "alice"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr == "Error: alice (operator) may not approve: reviewers approve (or an admin)\n"


@pytest.mark.parametrize("action", ["reject", "request_changes"])
def test_cli_refuses_to_send_back_without_a_reason(seeded: dict[str, str], action: str) -> None:
    db, mid = seeded["db"], seeded["clean"]
    run("library", "submit", mid, "--as", "alice", "--db", db)
    command = action.replace("_", "-")
    code, _, err = run_main("library", command, mid, "--as", "rita", "--db", db)
    assert code == 2 and "needs a written reason" in err and "--reason" in err
    shown = json.loads(run("library", "show", mid, "--format", "json", "--db", db).output)
    assert shown["version"]["status"] == "in_review"
    run("library", command, mid, "--as", "rita", "--reason", "请补充产品批准文号", "--db", db)
    shown = json.loads(run("library", "show", mid, "--format", "json", "--db", db).output)
    assert shown["history"][-1]["reason"] == "请补充产品批准文号"
