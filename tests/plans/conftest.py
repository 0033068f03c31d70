"""Shared fixtures for the plans tests: the shipped templates and hand-made steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.kernel.config import ROOT
from contentgen.plan_templates import PlanTemplate, load_templates
from contentgen.usecases import open_library

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
    from contentgen.generate import Generator
    from contentgen.kernel.config import Settings

    return Generator(Settings.load())


@pytest.fixture
def lib(library_target):  # type: ignore[no-untyped-def]
    """A fresh library with an operator, two reviewers and a compliance officer."""
    library = open_library(library_target)
    library.users.add("olga", "operator")
    library.users.add("rita", "reviewer")
    library.users.add("remy", "reviewer")
    library.users.add("cora", "compliance")
    library.users.add("ada", "admin")
    yield library
    library.close()


@pytest.fixture
def live_url():  # type: ignore[no-untyped-def]
    """Serve an ASGI app with a real uvicorn on 127.0.0.1 (ephemeral port); yields start(app) -> url."""
    import socket
    import threading
    import time

    import uvicorn

    servers: list[tuple[uvicorn.Server, threading.Thread, socket.socket]] = []

    def start(app: object) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        servers.append((server, thread, sock))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server, thread, sock in servers:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
