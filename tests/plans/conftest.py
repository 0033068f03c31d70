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


@pytest.fixture(scope="session")
def generator():  # type: ignore[no-untyped-def]
    """One offline-model generator for the session: catalogs and rule packs load once."""
    from contentgen.config import Settings
    from contentgen.generate import Generator

    return Generator(Settings.load())


@pytest.fixture
def lib(isolated_env: Path):  # type: ignore[no-untyped-def]
    """A fresh library with an operator, two reviewers and a compliance officer."""
    from library import Library

    library = Library.open(isolated_env / "plans.db")
    library.users.add("olga", "operator")
    library.users.add("rita", "reviewer")
    library.users.add("remy", "reviewer")
    library.users.add("cora", "compliance")
    library.users.add("ada", "admin")
    yield library
    library.close()
