"""Every test runs isolated: its own library file, no API keys from the developer's shell.

`--backend postgresql` (or CONTENTGEN_TEST_BACKEND=postgresql) runs the library fixtures on a
real PostgreSQL server this run starts (contentgen.testing_pg). That run keeps only the tests
that open a library through `library_target`; a test about SQLite files themselves carries
`@pytest.mark.sqlite_only` and is left out of it. A test of what only PostgreSQL has (the
task queue) carries `@pytest.mark.postgresql_only` and is left out of the SQLite run instead.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_databases = itertools.count(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", choices=("sqlite", "postgresql"),
                     default=os.environ.get("CONTENTGEN_TEST_BACKEND", "sqlite"),
                     help="the library backend of the library fixtures (default: sqlite)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("backend") != "postgresql":
        pg_only = [i for i in items if i.get_closest_marker("postgresql_only") is not None]
        if pg_only:
            config.hook.pytest_deselected(items=pg_only)
            items[:] = [i for i in items if i.get_closest_marker("postgresql_only") is None]
        return
    # Only what runs on a library (through library_target); the rest ran on the SQLite pass.
    kept = [i for i in items if i.get_closest_marker("sqlite_only") is None
            and "library_target" in getattr(i, "fixturenames", ())]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "CONTENTGEN_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CONTENTGEN_DB", str(tmp_path / "contentgen.db"))
    return tmp_path


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("backend"))


@pytest.fixture(scope="session")
def pg_server(backend: str) -> Iterator[Any]:
    """The run's PostgreSQL server, with a migrated empty library `blank` to copy from."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL runs with --backend postgresql")
    from contentgen.testing_pg import PostgresServer
    from library import Library

    server = PostgresServer.start()
    Library.open(server.create_database("blank")).close()
    yield server
    server.stop()


@pytest.fixture
def library_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str | Path]:
    """Where a test's library lives: a fresh file, or a fresh migrated PostgreSQL database."""
    if backend != "postgresql":
        yield tmp_path / "library.db"
        return
    server = request.getfixturevalue("pg_server")
    name = f"t{next(_databases)}"
    yield server.create_database(name, template="blank")
    server.drop_database(name)
