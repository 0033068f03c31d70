"""`contentgen generate` with OPENAI_API_KEY + OPENAI_BASE_URL talks to that server, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SMS = json.dumps(
    {"kind": "push", "title": "", "body": "氨基酸洁面乳回购季，温和不紧绷，点开看看。回T退订",
     "send_window": {"start": "12:00", "end": "13:00"}},
    ensure_ascii=False,
)
BLOCKED = SMS.replace("温和不紧绷", "全网最低价")


def _generate(fault_server: Any, *extra: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "contentgen"
    env = {**os.environ, "OPENAI_API_KEY": "sk-loopback-test", "OPENAI_BASE_URL": fault_server.base_url,
           "CONTENTGEN_MODEL": "qwen-plus"}
    return subprocess.run(
        [str(exe), "generate", "--industry", "cosmetics", "--segment", "repurchase.mass",
         "--content-type", "push", "--channel", "sms", "--product", "氨基酸洁面乳",
         "--format", "json", "-q", *extra],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_generate_uses_the_openai_compatible_server(fault_server: Any) -> None:
    fault_server.answer(SMS)
    proc = _generate(fault_server)
    assert proc.returncode == 0, proc.stderr
    [draft] = json.loads(proc.stdout)
    assert draft["model"] == {"provider": "openai", "name": "qwen-plus", "offline": False}
    assert draft["content"]["body"].endswith("回T退订")
    assert draft["compliance"]["verdict"] == "pass"
    [request] = fault_server.seen
    assert request.body["model"] == "qwen-plus"
    assert request.authorization == "Bearer sk-loopback-test"
    assert "<brief>" in request.body["messages"][-1]["content"]


def test_a_blocked_answer_goes_back_to_the_real_model_with_the_findings(fault_server: Any) -> None:
    fault_server.answer(BLOCKED).answer(SMS)
    proc = _generate(fault_server)
    assert proc.returncode == 0, proc.stderr
    [draft] = json.loads(proc.stdout)
    assert [a["purpose"] for a in draft["attempts"]] == ["generate", "rewrite"]
    rewrite = fault_server.seen[1].body["messages"][-1]["content"]
    assert "<rewrite>" in rewrite and "全网最低价" in rewrite


def test_server_failure_is_one_clear_line_and_exit_1(fault_server: Any) -> None:
    fault_server.fail(401, "invalid api key")
    proc = _generate(fault_server)
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == []
    assert "HTTP 401" in proc.stderr and "Traceback" not in proc.stderr
