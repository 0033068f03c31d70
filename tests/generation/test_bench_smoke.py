"""The batch benchmark runs (tiny size) so it cannot rot between `make bench` runs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_batch.py"


def test_bench_batch_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    main = runpy.run_path(str(BENCH))["main"]
    assert main(["--briefs", "16", "--latency", "0.01", "--concurrency", "8"]) == 0
    out = capsys.readouterr().out
    assert "16 drafts, 0 failed" in out and "ratio" in out
