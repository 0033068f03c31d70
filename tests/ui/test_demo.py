"""Demo seeding: users per role, a delivery token, materials at every stage; reruns add nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from contentgen.cli import cli
from contentgen.usecases import open_library
from contentgen.usecases.demo import DEMO_PASSWORD, DEMO_TOKEN, DEMO_USERS, seed_demo
from contentgen.usecases.plans import get_plan, list_plans


def test_seed_is_complete_and_idempotent(isolated_env: Path) -> None:

    lib = open_library(isolated_env / "demo.db")
    first = seed_demo(lib)
    assert sorted(first.users_added) == sorted(n for n, _ in DEMO_USERS)
    for name, role in DEMO_USERS:
        assert lib.users.authenticate(name, DEMO_PASSWORD).role == role
    assert first.token and lib.tokens.authenticate(first.token).name == DEMO_TOKEN
    statuses = {s for _, s in first.materials}
    assert {"released", "approved", "in_review", "changes_requested", "draft"} <= statuses, first
    blocked = lib.list(status="draft", has_findings=True)
    assert [m.verdict for m in blocked.items] == ["block"], "one draft waits for compliance"
    [plan_id] = first.plans  # a plan in review, to read and approve as a unit
    plan = get_plan(lib, plan_id)
    assert plan.status == "in_review" and plan.days == 7 and len(plan.touchpoints) >= 5
    total = lib.list(limit=1).total
    audit = len(lib.audit_log(limit=1000))

    again = seed_demo(lib)
    assert again.users_added == [] and again.token is None
    assert lib.list(limit=1).total == total and len(lib.audit_log(limit=1000)) == audit
    assert sorted(again.materials) == sorted(first.materials)
    assert again.plans == [] and len(list_plans(lib)) == 1
    assert lib.tokens.authenticate(first.token).name == DEMO_TOKEN  # not rotated unasked
    lib.close()


def test_cli_seed_prints_logins_and_token(isolated_env: Path) -> None:
    db = str(isolated_env / "cli.db")
    result = CliRunner().invoke(cli, ["demo", "seed", "--db", db])
    assert result.exit_code == 0, result.output
    assert "olivia" in result.output and DEMO_PASSWORD in result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cgt_")
    rotated = CliRunner().invoke(cli, ["demo", "seed", "--db", db, "--rotate-token",
                                       "--format", "json"])
    assert rotated.exit_code == 0, rotated.output
    import json

    data: dict[str, Any] = json.loads(rotated.output)
    assert data["token"] and data["token"] != token and data["users_added"] == []


def test_cli_seed_into_missing_folder_is_one_clear_error(isolated_env: Path) -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "contentgen"  # the installed console script
    bad = isolated_env / "nope" / "x.db"
    proc = subprocess.run([str(exe), "demo", "seed", "--db", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: ") and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr
