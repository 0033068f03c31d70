"""UI test fixtures: a library file with one user per role and drafts built directly."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import Brief, Draft, ModelInfo, PushContent, SendWindow
from contentgen.usecases import open_library

APP = str(Path(__file__).resolve().parents[2] / "review_ui" / "app.py")
PASSWORD = "secret-pass"
USERS = {"olivia": "operator", "rui": "reviewer", "chen": "compliance", "root": "admin",
         "rita": "reviewer"}
_keys = itertools.count(1)


@pytest.fixture
def lib(isolated_env: Path) -> Iterator[Any]:

    library = open_library(isolated_env / "contentgen.db")
    for name, role in USERS.items():
        library.users.add(name, role, password=PASSWORD)
    yield library
    library.close()


def _draft(body: str, findings: list[Finding], *, industry: str = "retail",
           channel: str = "app_push") -> Draft:
    brief = Brief(industry=industry, segment="dormant.mass", content_type="push", channel=channel,
                  product="周末野餐篮")
    content = PushContent(title="周末好去处", body=body, send_window=SendWindow(start="10:00", end="20:00"))
    return Draft(
        key=f"ui-test-{next(_keys)}",
        variant=1,
        brief=brief,
        content=content,
        text=f"周末好去处\n{body}",
        prompt_ref="push/reactivation@1+abc",
        model=ModelInfo(provider="offline", name="offline-test", offline=True),
        compliance=ComplianceReport(verdict=ComplianceReport.verdict_for(findings), findings=findings,
                                    locale="zh-CN", industry=industry, channel=channel),
    )


@pytest.fixture
def push_draft() -> Callable[..., Draft]:
    return _draft


@pytest.fixture
def many_drafts() -> Callable[[int], Iterator[Draft]]:
    """n distinct clean push drafts, made lazily (for the 10,000-item paging test)."""

    def make(n: int) -> Iterator[Draft]:
        for i in range(n):
            yield _draft(f"野餐篮第{i}号上新，点击查看。", [])

    return make


@pytest.fixture
def make_material(lib: Any) -> Callable[..., Any]:
    """Save a push draft as olivia and take it to `status` through the real workflow."""

    def make(status: str = "in_review", *, body: str = "好久不见，野餐篮本周上新，点击查看。",
             error: bool = False, warning: bool = False, author: str = "olivia",
             **kw: Any) -> Any:
        findings = []
        if warning:
            findings = [Finding(rule="pii.phone", severity="warning", start=0, end=2,
                                match=body[:2], message="个人信息", field="body")]
        if error:
            start = body.index("最")
            findings = [Finding(rule="ad_law.superlative", severity="error", start=start,
                                end=start + 2, match=body[start:start + 2], message="绝对化用语",
                                suggestion="更", reference="《广告法》第九条", field="body")]
        mv = lib.save_draft(_draft(body, findings, **kw), author=author)
        if status in ("in_review", "approved", "released"):
            lib.submit(mv.material_id, 1, actor=author)
        if status in ("approved", "released"):
            lib.approve(mv.material_id, 1, actor="rui")
        if status == "released":
            lib.release(mv.material_id, 1, actor="rui")
        return lib.get(mv.material_id)

    return make


def app_as(user: str | None, page: str | None = None) -> Any:
    """An AppTest of the review UI signed in as user (None: nobody), on page (e.g. 'review')."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state["user"] = {"name": user, "role": USERS[user]}
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


@pytest.fixture
def app() -> Callable[..., Any]:
    return app_as


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, deadline_s: float, proc: Any = None) -> None:
    """Poll url until it answers 200; fail with the process's output if it died or time ran out."""
    import time
    import urllib.request

    deadline = time.monotonic() + deadline_s
    while True:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited ({proc.returncode}) before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {deadline_s:.0f}s")
        time.sleep(0.25)


@pytest.fixture
def wait_for() -> Callable[..., None]:
    return _wait_for


@dataclass
class Stack:
    """What scripts/run.sh started: the process, its ports, its output file and library."""

    proc: Any
    api: int
    ui: int
    out: Path
    db: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """scripts/run.sh (what `make run` runs) on free ports, shared by a module's tests.

    One start per module: seeding plus two servers is the slowest thing in the UI suite.
    Stopped with SIGTERM to its process group afterwards; SIGKILL if it lingers.
    """
    import os
    import signal
    import subprocess

    root = Path(__file__).resolve().parents[2]
    tmp = tmp_path_factory.mktemp("stack")
    api, ui = free_port(), free_port()
    db, out = tmp / "demo.db", tmp / "run.out"
    env = {**os.environ, "API_PORT": str(api), "UI_PORT": str(ui), "CONTENTGEN_DB": str(db),
           "BIN": str(root / ".venv" / "bin")}
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    log = out.open("wb")
    proc = subprocess.Popen(["bash", str(root / "scripts" / "run.sh")], cwd=root, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield Stack(proc, api, ui, out, db)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
