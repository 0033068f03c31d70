"""Running a benchmark's parts: each in its own temporary folder, the exit status says whether
every part met its targets (shared by the benchmarks that have `--only PART`)."""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

Part = Callable[[argparse.Namespace, Path], bool]


def run_parts(parts: dict[str, Part], args: argparse.Namespace) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or parts:
            part_dir = Path(tmp) / name
            part_dir.mkdir()
            ok = parts[name](args, part_dir) and ok
    return 0 if ok else 1


def stop(proc: subprocess.Popen[Any]) -> None:
    """End a server process: SIGTERM, then SIGKILL after 10 s; its stderr pipe closed."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
