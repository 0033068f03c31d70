"""Every test runs isolated: its own library file, no API keys from the developer's shell."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "CONTENTGEN_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CONTENTGEN_DB", str(tmp_path / "contentgen.db"))
    return tmp_path
