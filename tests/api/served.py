"""A real `contentgen serve` process on a free port, for the tests that read its log."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx


def serve(db: Path) -> tuple[subprocess.Popen[str], str, str]:
    """The process, its base URL and its first log line, once /healthz answers."""
    exe = Path(sys.executable).parent / "contentgen"
    proc = subprocess.Popen([str(exe), "serve", "--port", "0", "--db", str(db), "--log-level", "debug"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", first)
    assert m, first
    url = f"http://127.0.0.1:{m.group(1)}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/healthz", timeout=1)
            return proc, url, first
        except httpx.HTTPError:
            assert time.monotonic() < deadline and proc.poll() is None, "server did not come up"
            time.sleep(0.05)
