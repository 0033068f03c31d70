"""Queue fixtures: a PostgreSQL library with an operator, a loopback provider with a limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contentgen.testing_provider import LimitedProvider
from library import Library


@pytest.fixture
def pg_url(library_target: str | Path) -> str:
    """A migrated PostgreSQL library with the operator olga."""
    url = str(library_target)
    lib = Library.open(url)
    lib.users.add("olga", "operator")
    lib.close()
    return url


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[LimitedProvider]:
    server = LimitedProvider(latency=0.02).start()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    yield server
    server.stop()


@pytest.fixture
def lib(pg_url: str) -> Iterator[Any]:
    library = Library.open(pg_url)
    yield library
    library.close()
