"""The HTTP benchmark runs end to end at a tiny size (the numbers are for `make bench`)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_http_benchmark_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location("api_http", BENCHMARKS / "api_http.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.part_http(argparse.Namespace(materials=300, requests=20), tmp_path)
    finally:
        sys.path.remove(str(BENCHMARKS))
    out = capsys.readouterr().out
    assert "300 released materials" in out
    for name in ("sync page", "filtered list"):
        line = next(line for line in out.splitlines() if name in line)
        assert "API p50" in line and "bare FastAPI p50" in line and "throughput ratio" in line
