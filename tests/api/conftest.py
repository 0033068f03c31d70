"""Fixtures for the delivery API: a library with people, released materials, a real server."""

from __future__ import annotations

import itertools
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn

from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import CONTENT_MODELS, Brief, Draft, ModelInfo, content_text
from contentgen.usecases import open_library
from library import Library
from library.api.app import create_app

_keys = itertools.count(1)

CONTENT: dict[str, dict[str, Any]] = {
    "push": {"kind": "push", "title": "回来看看", "body": "好久不见，新品上架，点击查看。",
             "deeplink": "app://home", "send_window": {"start": "10:00", "end": "20:00"}},
    "copy": {"kind": "copy", "headline": "春季焕新", "body": "第一段。\n第二段 | 有竖线。", "cta": "立即了解",
             "hashtags": ["护肤"], "images": 3},
    "short_video_script": {
        "kind": "short_video_script", "title": "洁面三步", "hook": "你洗对脸了吗？", "cta": "点击购买",
        "total_duration_s": 12.0,
        "scenes": [{"duration_s": 5.0, "visual": "特写", "voice_over": "温和", "caption": "不紧绷"},
                   {"duration_s": 7.0, "visual": "对比 | 前后", "voice_over": "", "caption": ""}],
    },
}
KIND_FOR_CHANNEL = {"sms": "push", "app_push": "push", "wecom_1v1": "push", "group": "copy",
                    "moments": "copy", "official_account": "copy", "video_account": "short_video_script"}


def pass_checker(content: Any, **kw: Any) -> ComplianceReport:
    """Edits in these tests are clean; compliance has its own suite."""
    return ComplianceReport(verdict="pass")


def make_draft(channel: str = "sms", *, industry: str = "retail", segment: str = "dormant.mass",
               locale: str = "zh-CN", persona: str = "approachable", body: str | None = None) -> Draft:
    kind = KIND_FOR_CHANNEL[channel]
    data = dict(CONTENT[kind])
    if body is not None:
        data["body" if kind != "short_video_script" else "hook"] = body
    content = CONTENT_MODELS[kind].model_validate(data)
    brief = Brief(industry=industry, segment=segment, persona=persona, content_type=kind,
                  channel=channel, locale=locale, product="洁面乳")
    return Draft(key=f"test-{next(_keys)}", variant=1, brief=brief, content=content,  # type: ignore[arg-type]
                 text=content_text(content), prompt_ref="test@1+0", model=ModelInfo(provider="fake", name="fake"),
                 compliance=ComplianceReport(verdict="pass"))


class World:
    """A library with an operator, a reviewer, and helpers to move materials along."""

    def __init__(self, lib: Library):
        self.lib = lib
        lib.users.add("olivia", "operator")
        lib.users.add("rita", "reviewer")

    def draft(self, channel: str = "sms", **kw: Any) -> str:
        return self.lib.save_draft(make_draft(channel, **kw), author="olivia").material_id

    def approved(self, channel: str = "sms", **kw: Any) -> str:
        mid = self.draft(channel, **kw)
        self.lib.submit(mid, 1, actor="olivia")
        self.lib.approve(mid, 1, actor="rita")
        return mid

    def released(self, channel: str = "sms", *, tags: list[str] | None = None, **kw: Any) -> str:
        if tags:
            mid = self.lib.save_draft(make_draft(channel, **kw), author="olivia", tags=tags).material_id
            self.lib.submit(mid, 1, actor="olivia")
            self.lib.approve(mid, 1, actor="rita")
        else:
            mid = self.approved(channel, **kw)
        self.lib.release(mid, 1, actor="rita")
        return mid

    def edit(self, mid: str, body: str) -> int:
        m = self.lib.get(mid)
        content = dict(self.lib.get_version(mid, m.current_version).content)
        content["body" if "body" in content else "hook"] = body
        return self.lib.edit(mid, base_version=m.current_version, content=content, actor="olivia").version

    def release_current(self, mid: str) -> int:
        n = self.lib.get(mid).current_version
        self.lib.submit(mid, n, actor="olivia")
        self.lib.approve(mid, n, actor="rita")
        self.lib.release(mid, n, actor="rita")
        return n


@pytest.fixture(scope="session")
def blank_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty library file; copying it is much faster than migrating per test."""
    import library.api.deliveries  # noqa: F401  (registers its migration before the file is made)

    path = tmp_path_factory.mktemp("blank") / "blank.db"
    open_library(path).close()
    return path


@pytest.fixture
def lib(library_target: str | Path, request: pytest.FixtureRequest) -> Iterator[Library]:
    if isinstance(library_target, Path):  # copying a migrated file is faster than migrating
        shutil.copy(request.getfixturevalue("blank_library"), library_target)
    library = Library.open(library_target, checker=pass_checker)
    yield library
    library.close()


@pytest.fixture
def world(lib: Library) -> World:
    return World(lib)


@pytest.fixture
def token(lib: Library) -> str:
    """A delivery client that may read sms and app_push."""
    return lib.tokens.create("pusher", ["sms", "app_push"])


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


class SwappableApp:
    """An ASGI app whose target each test sets: one server serves every test's own app."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "no app mounted for this test"
        await self.app(scope, receive, send)


class LiveServer:
    """uvicorn serving an app on a loopback ephemeral port, in a thread."""

    def __init__(self, app: Any):
        self.sock = _free_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[tuple[LiveServer, SwappableApp]]:
    mount = SwappableApp()
    live = LiveServer(mount).start()
    yield live, mount
    live.stop()


@pytest.fixture
def server(lib: Library, live_server: tuple[LiveServer, SwappableApp]) -> Iterator[LiveServer]:
    """The real server on loopback, serving this test's library."""
    live, mount = live_server
    app = create_app(lib)
    mount.app = app
    yield live
    mount.app = None
    app.state.delivery.close()


@pytest.fixture
def client(server: LiveServer, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as c:
        yield c


@pytest.fixture
def anonymous(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


def error_of(response: httpx.Response) -> dict[str, str]:
    """The {"code", "message"} of an error response (asserting its shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"], body
    return dict(body["error"])


ErrorOf = Callable[[httpx.Response], dict[str, str]]


@pytest.fixture
def err() -> ErrorOf:
    return error_of


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, for tests that build libraries themselves (e.g. per hypothesis example)."""
    return SimpleNamespace(World=World, make_draft=make_draft, pass_checker=pass_checker)
