"""The layers of ARCHITECTURE.md hold: import-linter's contracts (in pyproject.toml) are kept,
and every top-level module of contentgen is placed in them, so a new one cannot slip past."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from contentgen.kernel.config import ROOT


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in done.stdout


def test_every_contentgen_module_has_a_layer() -> None:
    named = {m for c in _contracts() for key in ("source_modules", "forbidden_modules")
             for m in c.get(key, [])}  # type: ignore[attr-defined]
    top = {p.stem if p.is_file() else p.name for p in (ROOT / "contentgen").iterdir()
           if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    missing = sorted(f"contentgen.{m}" for m in top if f"contentgen.{m}" not in named)
    assert not missing, f"place these in a layer in pyproject.toml [tool.importlinter]: {missing}"
