"""`make run` smoke test: the same script on free ports; UI and API answer in bounded time."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

BOUND_S = 120  # seeding + two servers on a loaded 2-core machine; normally ~15 s


@pytest.mark.slow
def test_make_run_serves_ui_and_api(tmp_path: Path, run_script: Any, wait_for: Any) -> None:
    proc, api, ui, out = run_script(tmp_path / "demo.db")
    wait_for(f"http://127.0.0.1:{ui}/_stcore/health", BOUND_S, proc)
    wait_for(f"http://127.0.0.1:{api}/openapi.json", BOUND_S, proc)
    with urllib.request.urlopen(f"http://127.0.0.1:{ui}/", timeout=10) as r:
        assert r.status == 200 and b"<html" in r.read().lower()
    banner = "contentgen is running"  # printed once both answer, with URLs, logins, token
    deadline = time.monotonic() + BOUND_S
    while banner not in out.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = out.read_text()
    assert banner in text, text
    assert "olivia (operator)" in text and f"http://127.0.0.1:{ui}" in text
    token = next(line.split()[-1] for line in text.splitlines() if "API token" in line)
    req = urllib.request.Request(f"http://127.0.0.1:{api}/v1/materials",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        items = json.loads(r.read())["items"]
    assert items, "the demo seeds released materials the API serves"
    assert all("payload" in i for i in items)
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
