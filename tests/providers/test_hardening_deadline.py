"""A model server that never answers fails a draft at its deadline, not after 4 x 60 s (issue 10, item 16)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from contentgen.generate import Generator, jobs_for
from contentgen.kernel.config import Settings
from contentgen.kernel.schemas import Brief
from contentgen.providers import RetryPolicy, get_model

SMS = json.dumps(
    {"kind": "push", "title": "", "body": "【洁面乳】氨基酸洁面乳回购季，温和不紧绷，点开看看。回T退订",
     "send_window": {"start": "12:00", "end": "13:00"}},
    ensure_ascii=False,
)
BRIEF = ["--industry", "cosmetics", "--segment", "repurchase.mass", "--content-type", "push",
         "--channel", "sms", "--product", "氨基酸洁面乳"]


def _generate(fault_server: Any, *extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI; returns the process and the batch's own seconds (from its summary line:
    process start-up, which loads every rule pack, is no part of a deadline)."""
    exe = Path(sys.executable).parent / "contentgen"
    env = {**os.environ, "OPENAI_API_KEY": "sk-loopback-test", "OPENAI_BASE_URL": fault_server.base_url}
    proc = subprocess.run([str(exe), "generate", *BRIEF, "--format", "json", *extra],
                          capture_output=True, text=True, env=env, timeout=280)
    batch = re.search(r"drafts?, \d+ failed, ([\d.]+)s on openai", proc.stderr)
    assert batch, proc.stderr
    return proc, float(batch.group(1))


@pytest.mark.timeout(300)  # two rule-pack loads on a busy machine; the deadline itself is 2 s
def test_timeout_flag_fails_a_hanging_draft_at_its_deadline(fault_server: Any) -> None:
    for _ in range(8):
        fault_server.stall(60, SMS)  # never answers within the test
    proc, elapsed = _generate(fault_server, "--timeout", "2")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == []
    assert "Error: variant 1 failed:" in proc.stderr and "deadline of 2 s" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert elapsed < 10, elapsed  # without the deadline: 4 attempts x 60 s


@pytest.mark.timeout(300)
def test_batch_timeout_ends_the_whole_batch(fault_server: Any) -> None:
    for _ in range(8):
        fault_server.stall(60, SMS)
    proc, elapsed = _generate(fault_server, "--variants", "3", "--concurrency", "1",
                              "--timeout", "100", "--batch-timeout", "3")
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("Error: variant")]
    assert len(lines) == 3 and all("batch deadline of 3 s" in line for line in lines), proc.stderr
    assert elapsed < 10, elapsed


@pytest.mark.timeout(300)
def test_a_quick_answer_is_not_affected(fault_server: Any) -> None:
    fault_server.answer(SMS)
    proc, _ = _generate(fault_server, "--timeout", "30", "--batch-timeout", "60")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 1


def test_generator_deadline_in_process(fault_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-test")
    monkeypatch.setenv("OPENAI_BASE_URL", fault_server.base_url)
    fault_server.answer(SMS)
    for _ in range(8):
        fault_server.stall(60, SMS)
    handle = get_model(Settings.load(), timeout=60, retry=RetryPolicy(max_attempts=4, initial=0.01))
    gen = Generator(Settings.load(), handle=handle, deadline_s=1.0, max_rewrites=0)
    brief = Brief(industry="cosmetics", segment="repurchase.mass", content_type="push", channel="sms",
                  product="氨基酸洁面乳")
    started = time.monotonic()
    result = gen.run_sync(jobs_for(brief, 2), concurrency=2)
    assert time.monotonic() - started < 10
    assert len(result.drafts) == 1  # the one that answered is kept
    [failure] = result.failures
    assert "deadline of 1 s" in failure.error


def test_progress_bar_says_how_many_drafts_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    from contentgen.cli import generate_cmd

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    brief = Brief(industry="food", segment="new.mass", content_type="push", channel="app_push",
                  product="燕麦脆")
    gen = Generator(Settings.load())
    result = generate_cmd._run_with_progress(gen, jobs_for(brief, 3), 2, quiet=False, file=out)
    assert len(result.drafts) == 3
    text = out.getvalue()
    assert "3 waiting (2 in flight)" in text and "1 waiting (1 in flight)" in text
