"""`generate --briefs ... --save` saves each draft as it completes; a kill loses only what was in
flight and a rerun resumes by the idempotency keys (issue 10, item 18)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from contentgen.usecases import open_library

SMS = json.dumps(
    {"kind": "push", "title": "", "body": "【洁面乳】氨基酸洁面乳回购季，温和不紧绷，点开看看。回T退订",
     "send_window": {"start": "12:00", "end": "13:00"}},
    ensure_ascii=False,
)
TOTAL = 10


def _rows(db: Path) -> tuple[int, int]:
    """(rows, distinct draft keys) in the library, read without taking any lock."""
    if not db.exists():
        return 0, 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            total, keys = conn.execute("SELECT COUNT(*), COUNT(DISTINCT draft_key) FROM materials").fetchone()
        except sqlite3.OperationalError:  # the schema is still being created
            return 0, 0
    return int(total), int(keys)


@pytest.mark.timeout(400)  # two CLI start-ups (each loads every rule pack) and a slow model
def test_a_killed_batch_keeps_what_it_finished_and_a_rerun_completes_it(
        fault_server: Any, tmp_path: Path) -> None:
    db = tmp_path / "batch.db"
    lib = open_library(db)
    lib.users.add("olga", "operator")
    lib.close()
    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text(json.dumps({"industry": "cosmetics", "segment": "repurchase.mass",
                                  "content_type": "push", "channel": "sms", "product": "氨基酸洁面乳",
                                  "variants": TOTAL}, ensure_ascii=False) + "\n", encoding="utf-8")
    for _ in range(4 * TOTAL):
        fault_server.stall(0.4, SMS)  # a slow model: about 0.4 s a draft, two at a time
    exe = Path(sys.executable).parent / "contentgen"
    env = {**os.environ, "OPENAI_API_KEY": "sk-loopback-test", "OPENAI_BASE_URL": fault_server.base_url,
           "CONTENTGEN_DB": str(db)}
    args = [str(exe), "generate", "--briefs", str(briefs), "--save", "--as", "olga", "--concurrency", "2",
            "--max-rewrites", "0", "--format", "json", "-q"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while _rows(db)[0] < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.stderr:
            proc.stderr.close()
    saved, keys = _rows(db)
    # Drafts were in the library while the batch was still running, and the kill lost at most
    # the ones in flight (without per-draft saving: nothing until the very end).
    assert alive, "the batch ended before any draft was saved"
    assert 3 <= saved < TOTAL and keys == saved

    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr
    assert f"{saved} draft(s) already in the library" in again.stderr
    assert len(json.loads(again.stdout)) == TOTAL - saved
    assert _rows(db) == (TOTAL, TOTAL)  # all present, none twice
