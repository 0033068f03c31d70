"""A process killed in the middle of a batch save leaves a sound file with every acknowledged save."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

CHILD = """
import sys
from contentgen.kernel.schemas import Draft
from library import Library

lib = Library.open(sys.argv[1])
drafts = (Draft.model_validate_json(line) for line in open(sys.argv[2], encoding="utf-8"))
for mv in lib.iter_save_drafts(drafts, author="generator", batch_size=7):
    print(mv.material_id, flush=True)   # acknowledged: its batch is committed
print("DONE", flush=True)
"""


def test_sigkill_mid_batch_keeps_every_acknowledged_version(tmp_path: Path,
                                                            draft_factory: Any) -> None:
    db, drafts = tmp_path / "crash.db", tmp_path / "drafts.jsonl"
    with drafts.open("w", encoding="utf-8") as fp:
        for i in range(3000):
            fp.write(draft_factory(body=f"第 {i} 条：新品上市，回复1领取试用装。").model_dump_json() + "\n")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(drafts)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acknowledged: list[str] = []
    for line in child.stdout:
        acknowledged.append(line.strip())
        if len(acknowledged) >= 60:
            os.kill(child.pid, signal.SIGKILL)
            break
    acknowledged += [line.strip() for line in child.stdout]  # what it printed before dying
    child.wait(timeout=30)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert "DONE" not in acknowledged, "the child finished before it was killed"

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    stored = {r[0] for r in conn.execute("SELECT material_id FROM versions WHERE version = 1")}
    assert set(acknowledged) <= stored
    # Batches are all or nothing: every stored material has its version, audit event and search row.
    n = len(stored)
    assert conn.execute("SELECT COUNT(*) FROM materials").fetchone()[0] == n
    assert conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'create'").fetchone()[0] == n
    assert conn.execute("SELECT COUNT(*) FROM material_search").fetchone()[0] == n
    assert n < 3000
    conn.close()
