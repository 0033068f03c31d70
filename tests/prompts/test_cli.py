"""The prompts command group through click's runner and through the real console script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from contentgen.cli import cli

BIN = Path(sys.executable).parent / "contentgen"


def test_help_on_every_command() -> None:
    runner = CliRunner()
    for cmd in ("", "list", "show", "render", "check", "test"):
        res = runner.invoke(cli, ["prompts", *([cmd] if cmd else []), "--help"])
        assert res.exit_code == 0 and "Usage:" in res.output


def test_list_json() -> None:
    res = CliRunner().invoke(cli, ["prompts", "list", "--format", "json"])
    assert res.exit_code == 0
    ids = {p["id"] for p in json.loads(res.output)}
    assert {"push/reactivation", "push/reactivation.finance", "copy/default"} <= ids


def test_show_resolves_within_the_family() -> None:
    res = CliRunner().invoke(cli, ["prompts", "show", "push/reactivation", "--industry", "finance",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["id"] == "push/reactivation.finance" and "{% block system %}" in data["body"]


def test_render_prints_system_and_user() -> None:
    res = CliRunner().invoke(cli, [
        "prompts", "render", "--industry", "cosmetics", "--segment", "dormant.mass",
        "--content-type", "short_video_script", "--channel", "video_account",
        "--product", "氨基酸洁面乳", "--selling-point", "温和不紧绷", "--explain",
    ])
    assert res.exit_code == 0, res.output
    assert "# no cosmetics-specific file in short_video_script/reactivation" in res.output
    assert "=== system (short_video_script/reactivation@" in res.output
    assert '<output schema="short_video_script" variant="1" of="1"/>' in res.output


def test_check_and_test_exit_1_on_problems(tmp_path: Path, monkeypatch: object) -> None:
    import shutil

    from contentgen.kernel.config import ROOT

    root = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", root)
    runner = CliRunner()
    env = {"CONTENTGEN_PROMPTS_DIR": str(root)}
    assert runner.invoke(cli, ["prompts", "check"], env=env).exit_code == 0
    res = runner.invoke(cli, ["prompts", "test"], env=env)
    assert res.exit_code == 0 and " passed, 0 failed" in res.output
    f = root / "push" / "reactivation.md"
    f.write_text(f.read_text(encoding="utf-8").replace("lead with the saving", "lead with ZZZ"), encoding="utf-8")
    res = runner.invoke(cli, ["prompts", "test"], env=env)
    assert res.exit_code == 1 and "FAIL push/reactivation: price-sensitive" in res.output
    f.write_text("---\nid: [\n---\n", encoding="utf-8")  # YAML points at the unclosed '[' line
    res = runner.invoke(cli, ["prompts", "check"], env=env)
    assert res.exit_code == 1 and re.search(rf"{re.escape(str(f))}:[23]: invalid YAML", res.output)


def test_real_subprocess_show_and_unknown_id() -> None:
    out = subprocess.run([str(BIN), "prompts", "show", "push/reactivation", "--industry", "finance"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ref:         push/reactivation.finance@1.0.0+")
    bad = subprocess.run([str(BIN), "prompts", "show", "push/nope"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: unknown prompt 'push/nope'; known:") and "Traceback" not in bad.stderr
