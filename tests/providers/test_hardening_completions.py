"""A 200 answer without a completion is a provider error, retried and said in words (issue 10, item 17).

The loopback server here answers raw bytes (an HTML login page, `{}`, no choices), which the
JSON-only fault server of conftest cannot send.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ProviderError
from contentgen.kernel.schemas import ModelInfo, PushContent
from contentgen.providers import ModelHandle, RetryPolicy, get_model
from contentgen.providers.structured import ainvoke_structured, invoke_structured
from contentgen.testing import FakeChatModel

GOOD = json.dumps({"kind": "push", "title": "好久不见", "body": "洁面乳有新变化，回来看看吧。",
                   "send_window": {"start": "12:00", "end": "13:30"}}, ensure_ascii=False)
MESSAGES = [HumanMessage("Write a push message as JSON.")]
FAST = RetryPolicy(max_attempts=3, initial=0.01, maximum=0.02, jitter=0.0)


def completion(content: str) -> bytes:
    return json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content}}]}).encode()


HTML = ("text/html; charset=utf-8", b"<!doctype html><html><body>Gateway login</body></html>")
EMPTY_OBJECT = ("application/json", b"{}")
NO_CHOICES = ("application/json", json.dumps({"id": "c", "object": "chat.completion", "created": 1,
                                              "model": "m", "choices": []}).encode())
NULL_CHOICES = ("application/json", b'{"choices": null}')
ERROR_OBJECT = ("application/json", b'{"error": {"message": "quota exhausted"}}')
NOT_JSON = ("application/json", b"upstream said no")
EMPTY_BODY = ("application/json", b"")
OK = ("application/json", completion(GOOD))


class RawServer:
    """POST /v1/chat/completions answers 200 with the next scripted (content type, body)."""

    def __init__(self) -> None:
        self.script: list[tuple[str, bytes]] = []
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                owner.hits += 1
                ctype, body = owner.script.pop(0) if owner.script else HTML
                self.send_response(200)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=5)


@pytest.fixture
def handle(raw_server: RawServer, monkeypatch: pytest.MonkeyPatch) -> ModelHandle:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-test")
    monkeypatch.setenv("OPENAI_BASE_URL", raw_server.base_url)
    return get_model(Settings.load(), model="gpt-4o-mini", timeout=2.0, retry=FAST)


@pytest.mark.parametrize("answer,words", [
    (HTML, "HTML page"), (EMPTY_OBJECT, "empty JSON object"), (NO_CHOICES, "no choices"),
    (NULL_CHOICES, "no choices"), (ERROR_OBJECT, "quota exhausted"), (NOT_JSON, "not JSON"),
    (EMPTY_BODY, "empty body"),
])
def test_a_200_without_a_completion_is_retried_like_a_5xx(raw_server: RawServer, handle: ModelHandle,
                                                           answer: tuple[str, bytes], words: str) -> None:
    raw_server.script = [answer, OK]
    res = invoke_structured(handle, MESSAGES, PushContent)
    assert isinstance(res.value, PushContent) and raw_server.hits == 2
    first = res.attempts[0].error or ""
    assert first.startswith("the model server answered 200 without a completion (") and words in first


def test_always_html_fails_in_words_after_the_retries(raw_server: RawServer, handle: ModelHandle) -> None:
    raw_server.script = [HTML] * 5
    with pytest.raises(ProviderError) as err:
        invoke_structured(handle, MESSAGES, PushContent)
    message = str(err.value)
    assert raw_server.hits == 3  # FAST.max_attempts, like a 5xx
    assert message == ("model call failed (generate) after 3 attempts: the model server answered "
                       "200 without a completion (HTML page)")
    assert "Error" not in message.split(":", 1)[1]  # no AttributeError/TypeError text


def test_async_path_classifies_the_same(raw_server: RawServer, handle: ModelHandle) -> None:
    raw_server.script = [NO_CHOICES, EMPTY_OBJECT, OK]
    res = asyncio.run(ainvoke_structured(handle, MESSAGES, PushContent))
    assert isinstance(res.value, PushContent) and raw_server.hits == 3
    assert [a.ok for a in res.attempts] == [False, False, True]


def test_a_programming_error_is_not_called_a_model_failure() -> None:
    """A bug (here a TypeError inside the chat model) surfaces as itself, not as 'model call failed'."""
    fake = FakeChatModel(responses=[TypeError("unsupported operand in our own code")])
    handle = ModelHandle(chat=fake, info=ModelInfo(provider="fake", name="fake"), retry=FAST)
    with pytest.raises(TypeError, match="our own code"):
        invoke_structured(handle, MESSAGES, PushContent)
    fake = FakeChatModel(responses=[KeyError("address")])
    handle = ModelHandle(chat=fake, info=ModelInfo(provider="fake", name="fake"), retry=FAST)
    with pytest.raises(KeyError):
        asyncio.run(ainvoke_structured(handle, MESSAGES, PushContent))
