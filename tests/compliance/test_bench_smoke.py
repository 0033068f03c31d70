"""The benchmark runs (tiny N) so it cannot rot; speed itself is measured by `make bench`."""

from __future__ import annotations

import importlib.util

import pytest

from contentgen.kernel.config import ROOT


def test_benchmark_runs_with_small_n(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_compliance", ROOT / "benchmarks" / "bench_compliance.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.main(["--docs", "30", "--terms", "300", "--regexes", "5", "--naive-docs", "5"])
    assert set(results) == {"ours", "naive", "flashtext", "bare_aho"} and all(v > 0 for v in results.values())
    out = capsys.readouterr().out
    assert "docs/s" in out and "ours / naive" in out
