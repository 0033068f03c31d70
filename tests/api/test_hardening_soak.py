"""The soak script runs end to end at a tiny size (its figure in the README is a longer run)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak_api.py"


@pytest.mark.slow
def test_soak_passes_with_a_writer_holding_the_lock(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("soak_api", SOAK)
    assert spec and spec.loader
    soak = importlib.util.module_from_spec(spec)
    sys.modules["soak_api"] = soak  # its dataclasses look their module up
    try:
        spec.loader.exec_module(soak)
    finally:
        sys.modules.pop("soak_api", None)
    code = soak.main(["--duration", "5", "--clients", "3", "--materials", "60", "--hold", "2.5",
                      "--gap", "0.5"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "soak: ok" in out and "writer held the lock" in out
    assert "write 503 x" in out  # writes during a 2.5 s hold waited 2 s, then were told to retry
