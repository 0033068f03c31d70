"""Shared fixtures: briefs rendered the way prompt files end, and a loopback OpenAI server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from contentgen.kernel.schemas import Brief


def brief_messages(brief: Brief, variant: int = 1, of: int = 3) -> list[BaseMessage]:
    """Messages ending like every rendered prompt: the brief block, then the output spec."""
    payload = json.dumps(brief.model_dump(mode="json"), ensure_ascii=False)
    return [
        SystemMessage("You write marketing drafts as one JSON object."),
        HumanMessage(
            f"Write variant {variant}.\n<brief>{payload}</brief>\n"
            f'<output schema="{brief.content_type}" variant="{variant}" of="{of}"/>'
        ),
    ]


@pytest.fixture
def render() -> Any:
    return brief_messages


def completion(content: str, model: str = "gpt-4o-mini") -> dict[str, Any]:
    """A chat.completions response body in the exact OpenAI format."""
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 42, "completion_tokens": 24, "total_tokens": 66},
    }


def error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


@dataclass
class Step:
    """One scripted reply: a status with a JSON body and headers, optionally after a delay."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    at: float
    path: str
    body: dict[str, Any]
    authorization: str | None


class FaultServer:
    """POST /v1/chat/completions answers from a scripted queue; every request is recorded."""

    def __init__(self) -> None:
        self.script: list[Step] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                with owner.lock:
                    owner.seen.append(
                        Seen(time.monotonic(), self.path, json.loads(raw or b"{}"),
                             self.headers.get("authorization"))
                    )
                    step = owner.script.pop(0) if owner.script else Step(
                        500, error_body("fault server script is empty", "server_error")
                    )
                if self.path != "/v1/chat/completions":
                    step = Step(404, error_body(f"no route {self.path}", "not_found"))
                if step.delay:
                    time.sleep(step.delay)
                data = json.dumps(step.body).encode()
                try:
                    self.send_response(step.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in step.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): that is the point

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def answer(self, content: str) -> FaultServer:
        self.script.append(Step(200, completion(content)))
        return self

    def fail(self, status: int, message: str = "scripted failure", **headers: str) -> FaultServer:
        kind = {429: "rate_limit_exceeded", 400: "invalid_request_error", 401: "invalid_api_key"}
        self.script.append(
            Step(status, error_body(message, kind.get(status, "server_error")),
                 {k.replace("_", "-"): v for k, v in headers.items()})
        )
        return self

    def stall(self, seconds: float, content: str) -> FaultServer:
        self.script.append(Step(200, completion(content), delay=seconds))
        return self


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=5)
