"""What keeps the delivery API answering whatever its clients send, and its logs free of secrets.

    limits = ApiLimits(max_body_bytes=256 * 1024, body_read_timeout_s=5.0)
    app.add_middleware(BodyGuard, limits=limits)
    install_error_handlers(app, limits)

- BodyGuard: a body above `max_body_bytes` (declared or streamed) is a 413 before it is parsed;
  a body that stops arriving for `body_read_timeout_s` is a 408 and the connection is closed.
- install_error_handlers: every error is `{"error": {"code", "message"}}`; a database lock that
  stays taken longer than `write_lock_timeout_s` is a 503 with Retry-After, never a 500.
- RedactSecrets: a logging filter that takes tokens and query values out of every log line.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contentgen.kernel.errors import ChannelTemplateError
from library.api.params import ApiError

log = logging.getLogger("contentgen.delivery_api")


@dataclass(frozen=True)
class ApiLimits:
    """Limits of the delivery API, e.g. `ApiLimits(max_body_bytes=256 * 1024)`."""

    # 1 MiB: a delivery acknowledgement is ~200 bytes and a batch of events a few KiB.
    max_body_bytes: int = 1024 * 1024
    # Longest wait for the next chunk of a request body (slow clients on mobile links included).
    body_read_timeout_s: float = 10.0
    # Longest wait of an API write for the database lock before answering 503.
    write_lock_timeout_s: float = 2.0
    retry_after_s: int = 2

    def size_text(self) -> str:
        n = self.max_body_bytes
        return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n:,} bytes"


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class BodyGuard:
    """ASGI middleware: a body cap (413) and a read timeout (408) on every request."""

    def __init__(self, app: ASGIApp, limits: ApiLimits | None = None):
        self.app = app
        self.limits = limits or ApiLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await self._reject(scope, send, 400, "invalid_request", "Content-Length is not a number")
                return
            if int(declared) > limits.max_body_bytes:
                await self._reject(scope, send, 413, "payload_too_large", self._too_large())
                return
        seen, complete = 0, False

        async def guarded() -> Message:
            nonlocal seen, complete
            if complete:  # the body is in; a later receive waits for a disconnect, untimed
                return await receive()
            try:
                with anyio.fail_after(limits.body_read_timeout_s):
                    message = await receive()
            except TimeoutError:
                # Raised as an HTTPException: FastAPI passes those through body parsing.
                raise StarletteHTTPException(408, f"the request body stopped arriving for "
                                             f"{limits.body_read_timeout_s:g} s",
                                             headers={"Connection": "close"}) from None
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                seen += len(message.get("body", b""))
                if seen > limits.max_body_bytes:
                    raise StarletteHTTPException(413, self._too_large(), headers={"Connection": "close"})
            return message

        await self.app(scope, guarded, send)

    def _too_large(self) -> str:
        return (f"request body over the limit of {self.limits.size_text()}; "
                "send fewer items per request")

    async def _reject(self, scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        response = error_response(status, code, message, {"Connection": "close"})
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
               413: "payload_too_large"}


def install_error_handlers(app: FastAPI, limits: ApiLimits) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else {}
        return error_response(e.status, e.code, e.message, {**headers, **e.headers} or None)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> Response:
        parts = []
        for err in e.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "body", "header", "path")]
            parts.append(f"{'.'.join(loc) or 'request'}: {err.get('msg', 'invalid')}")
        return error_response(400, "invalid_request", "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> Response:
        message = "no such route; see /openapi.json" if e.status_code == 404 else str(e.detail)
        return error_response(e.status_code, _HTTP_CODES.get(e.status_code, "http_error"), message,
                              dict(e.headers) if e.headers else None)

    @app.exception_handler(sqlite3.OperationalError)
    async def database_busy(request: Request, e: sqlite3.OperationalError) -> Response:
        if "unreachable" in str(e):  # PostgreSQL down or restarting (library.pg)
            log.error("database unreachable on %s %s: answered 503", request.method,
                      request.url.path)
            return error_response(503, "unavailable", "the library's database is unreachable; "
                                  f"retry in {limits.retry_after_s} s",
                                  {"Retry-After": str(limits.retry_after_s)})
        if "locked" not in str(e) and "busy" not in str(e):
            return await unexpected(request, e)
        log.warning("database busy on %s %s for over %g s: answered 503", request.method,
                    request.url.path, limits.write_lock_timeout_s)
        return error_response(503, "busy", "the library is busy with another write; retry in "
                              f"{limits.retry_after_s} s (the same Idempotency-Key is safe to resend)",
                              {"Retry-After": str(limits.retry_after_s)})

    @app.exception_handler(ChannelTemplateError)
    async def template_error(request: Request, e: ChannelTemplateError) -> Response:
        log.error("payload template failed: %s", e)
        return error_response(500, "template_error", str(e))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal", "internal error; the server log has the details")


# ---- secrets out of the logs -----------------------------------------------------------------

# Query parameters of the API whose values say nothing secret; any other value is masked.
SAFE_PARAMS = frozenset({"channel", "industry", "segment", "locale", "content_type", "persona", "tag",
                         "plan_id", "limit", "cursor", "due_before", "due_after"})
_TOKEN = re.compile(r"cgt_[A-Za-z0-9_\-]{6,}")
_QUERY = re.compile(r"\?([^\s\"']+)")


def _mask_query(m: re.Match[str]) -> str:
    parts = []
    for pair in m.group(1).split("&"):
        name, sep, _value = pair.partition("=")
        parts.append(pair if unquote_plus(name) in SAFE_PARAMS or not sep else f"{name}=***")
    return "?" + "&".join(parts)


def redact(text: str) -> str:
    """Text with delivery tokens and the values of unexpected query parameters masked."""
    if "cgt_" in text:
        text = _TOKEN.sub("cgt_***", text)
    return _QUERY.sub(_mask_query, text) if "?" in text else text


class RedactSecrets(logging.Filter):
    """A log filter: no token, and no value of an unknown query parameter, in any line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_redaction() -> None:
    """Filter uvicorn's loggers (access lines carry the full URL) in this process, once."""
    for name in ("uvicorn.access", "uvicorn.error", "contentgen.delivery_api"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging setup, with RedactSecrets on every handler (whatever the logger)."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = json.loads(json.dumps(LOGGING_CONFIG))
    config["filters"] = {"redact": {"()": "library.api.guard.RedactSecrets"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    return config
