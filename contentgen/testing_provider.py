"""A loopback OpenAI-compatible provider with a rate limit, for queue tests and benchmarks.

    provider = LimitedProvider(latency=0.2, rpm=1200).start()   # a thread in this process
    python -m contentgen.testing_provider --latency 0.2 --rpm 1200 --port 8765   # its own process

POST /v1/chat/completions answers what the offline model writes for the request's messages
(memoised per request text, so the server costs little CPU), after `latency` seconds. Like a
real provider it enforces its limit as a token bucket refilled at rpm/60 per second holding one
second's worth: over it, HTTP 429 with Retry-After. It counts requests and 429s
(GET /stats gives them as JSON). A brief whose text holds POISON is always answered with
something that is not JSON; `fail_next(n)` answers the next n requests with HTTP 500.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from contentgen.providers.offline import compose_answer

_SEED = re.compile(r'variant="(\d+)"')


def _messages(body: dict[str, Any]) -> list[BaseMessage]:
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds.get(m.get("role"), HumanMessage)(str(m.get("content") or "")) for m in body.get("messages", [])]


class LimitedProvider:
    def __init__(self, *, latency: float = 0.0, rpm: float | None = None, port: int = 0) -> None:
        self.latency, self.rpm = latency, rpm
        self.requests = self.throttled = self.failed = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._fail_next = 0
        self._bucket = (rpm / 60.0) if rpm else 0.0
        self._bucket_at = time.monotonic()
        self._lock = threading.Lock()
        self._memo: dict[str, str] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the OpenAI client expects
            disable_nagle_algorithm = True  # header, body: two writes; no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._send(200, owner.stats())

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, body, headers = owner.answer(self.path, json.loads(raw or b"{}"))
                self._send(status, body, headers)

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> LimitedProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def limit(self, rpm: float | None) -> None:
        """Enforce rpm from now on (None: no limit), with a full bucket."""
        with self._lock:
            self.rpm, self._bucket, self._bucket_at = rpm, (rpm / 60.0) if rpm else 0.0, time.monotonic()

    def fail_next(self, n: int) -> None:
        with self._lock:
            self._fail_next = n

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": self.requests, "throttled": self.throttled, "failed": self.failed,
                    "first_at": self.first_at, "last_at": self.last_at}

    def _admit(self, now: float) -> float | None:
        """None: admitted; else the seconds until one request fits the bucket."""
        if not self.rpm:
            return None
        rate = self.rpm / 60.0
        self._bucket = min(rate, self._bucket + (now - self._bucket_at) * rate)  # one second's worth
        self._bucket_at = now
        if self._bucket >= 1.0:
            self._bucket -= 1.0
            return None
        return (1.0 - self._bucket) / rate

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": f"no route {path}", "type": "not_found"}}, {}
        now = time.monotonic()
        with self._lock:
            self.requests += 1
            self.first_at = self.first_at or now
            wait = self._admit(now)
            if wait is not None:
                self.throttled += 1
                return 429, {"error": {"message": "rate limit reached", "type": "rate_limit_exceeded"}}, {
                    "retry-after": f"{max(wait, 0.05):.2f}"}
            failing = self._fail_next > 0
            if failing:
                self._fail_next -= 1
                self.failed += 1
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.last_at = time.monotonic()
        if failing:
            return 500, {"error": {"message": "scripted server error", "type": "server_error"}}, {}
        messages = _messages(body)
        text = "\n".join(str(m.content) for m in messages)
        content: str | None = "I cannot answer that in JSON." if "POISON" in text else None
        if content is None:
            with self._lock:
                content = self._memo.get(text)
            if content is None:
                found = _SEED.search(text)
                content = compose_answer(messages, seed=int(found.group(1)) if found else 0)
                with self._lock:
                    self._memo[text] = content
        tokens = len(text) // 2
        return 200, {
            "id": "chatcmpl-limited", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "gpt-4o-mini"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": tokens, "completion_tokens": len(content) // 2,
                      "total_tokens": tokens + len(content) // 2},
        }, {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--rpm", type=float, default=None)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    provider = LimitedProvider(latency=args.latency, rpm=args.rpm, port=args.port).start()
    print(provider.base_url, flush=True)
    try:
        provider._thread.join()
    except KeyboardInterrupt:
        provider.stop()


if __name__ == "__main__":
    main()
