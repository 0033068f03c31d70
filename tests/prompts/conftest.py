"""Fixtures for the prompt system: the real catalog, and a scratch copy to break on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.config import ROOT
from contentgen.kernel.schemas import Brief
from contentgen.prompts import PromptCatalog

PROMPTS = ROOT / "prompts"


@pytest.fixture(scope="session")
def catalog() -> PromptCatalog:
    return PromptCatalog.load(PROMPTS)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A private copy of prompts/ that a test may edit."""
    dest = tmp_path / "prompts"
    shutil.copytree(PROMPTS, dest)
    return dest


@pytest.fixture
def make_brief() -> Callable[..., Brief]:
    def make(**kw: Any) -> Brief:
        data: dict[str, Any] = dict(
            industry="cosmetics", segment="dormant.mass", content_type="push",
            channel="wecom_1v1", locale="zh-CN", product="氨基酸洁面乳",
        )
        data.update(kw)
        return Brief(**data)

    return make
