"""Shared fixtures for the plans tests: the shipped templates and hand-made steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.config import ROOT
from contentgen.plan_templates import PlanTemplate, load_templates

PLANS_DIR = ROOT / "prompts" / "plans"


@pytest.fixture(scope="session")
def templates() -> dict[str, PlanTemplate]:
    return load_templates(PLANS_DIR)


@pytest.fixture
def plans_dir() -> Path:
    return PLANS_DIR
