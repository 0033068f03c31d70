"""Shared fixtures: the shipped rule packs, and a CLI runner that goes through main()."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contentgen.compliance import RulePack, load_packs
from contentgen.kernel.config import ROOT

RULES_DIR = ROOT / "rules"


@pytest.fixture(scope="session")
def packs() -> list[RulePack]:
    return load_packs(RULES_DIR)


@pytest.fixture
def run_cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
            ) -> Callable[..., tuple[int, str, str]]:
    """Run `contentgen ARGS` through main(), as the console script does; returns (code, out, err)."""
    import io
    import sys

    from contentgen.cli import main

    def run(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out, err = capsysbinary.readouterr()
        code = exc.value.code if isinstance(exc.value.code, int) else 1
        return code, out.decode("utf-8"), err.decode("utf-8")

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    def _write(name: str, content: str | bytes) -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        return p

    return _write
