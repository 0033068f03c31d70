"""Query parameters of the delivery API: scopes, filters, opaque cursors, and their errors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from fastapi import Request

from contentgen.kernel import vocab
from library.models import Token

LIST_PARAMS = ("channel", "industry", "segment", "locale", "content_type", "persona", "tag",
               "plan_id", "limit", "cursor")
SYNC_PARAMS = ("channel", "limit", "cursor")
_VOCAB: dict[str, tuple[str, ...]] = {
    "industry": vocab.INDUSTRIES,
    "segment": vocab.SEGMENTS,
    "locale": vocab.LOCALES,
    "content_type": vocab.CONTENT_TYPES,
    "persona": vocab.PERSONAS,
}


INT64 = 2**63 - 1  # SQLite's integers: anything larger would overflow when bound


class ApiError(Exception):
    """An HTTP error with a JSON body {"error": {"code", "message"}}."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def check_params(request: Request, allowed: Iterable[str]) -> None:
    """Unknown or repeated query parameters are mistakes: say so instead of ignoring them."""
    allowed = tuple(allowed)
    keys = [k for k, _ in request.query_params.multi_items()]
    unknown = sorted({k for k in keys if k not in allowed})
    if unknown:
        takes = ", ".join(allowed) if allowed else "no query parameters"
        raise ApiError(400, "invalid_request",
                       f"unknown query parameter {', '.join(unknown)}; this endpoint takes: {takes}")
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ApiError(400, "invalid_request",
                       f"give {', '.join(repeated)} once (several channels: channel=sms,app_push)")


def scoped_channels(requested: str | None, client: Token) -> list[str]:
    """The channels to read: the requested ones, all of which the token must cover; else all of its own."""
    if requested is None:
        return sorted(client.channels)
    wanted = [c.strip() for c in requested.split(",") if c.strip()]
    if not wanted:
        raise ApiError(400, "invalid_request", "channel is empty; give one, e.g. channel=sms")
    for c in wanted:
        if c not in vocab.CHANNELS:
            raise ApiError(400, "invalid_request",
                           f"unknown channel {c!r}; choose one of: {', '.join(vocab.CHANNELS)}")
    outside = [c for c in wanted if c not in client.channels]
    if outside:
        raise ApiError(403, "forbidden",
                       f"token {client.name!r} may read {', '.join(client.channels)}; "
                       f"not {', '.join(outside)}")
    return sorted(set(wanted))


def list_filters(**values: str | None) -> dict[str, str]:
    """The filters given, each checked against the vocabulary where it has one."""
    out: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        allowed = _VOCAB.get(name)
        if allowed is not None and value not in allowed:
            raise ApiError(400, "invalid_request",
                           f"unknown {name} {value!r}; choose one of: {', '.join(allowed)}")
        out[name] = value
    return out


def encode_cursor(kind: str, state: dict[str, Any]) -> str:
    """Opaque to clients: base64url of compact JSON, tagged with its endpoint."""
    raw = json.dumps({"k": kind, **state}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> dict[str, Any]:
    damaged = ApiError(400, "invalid_cursor",
                       "cursor is not one this API issued (or it was cut short); "
                       "pass next_cursor exactly as received, or start again without a cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        state = json.loads(raw)
    except (binascii.Error, ValueError):
        raise damaged from None
    if not isinstance(state, dict) or not _plain(state):
        raise damaged
    if state.get("k") != kind:
        other = {"list": "/v1/materials", "sync": "/v1/sync"}.get(str(state.get("k")), "another endpoint")
        raise ApiError(400, "invalid_cursor", f"this cursor is for {other}; use it there")
    return state


def _plain(state: dict[str, Any]) -> bool:
    """What our cursors hold: strings, lists, objects, null and integers 0..INT64 (no bool, no
    float): a crafted huge integer would overflow SQLite, a bool pass for an int."""
    todo: list[Any] = [state]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
        elif isinstance(value, bool) or isinstance(value, float):
            return False
        elif isinstance(value, int) and not 0 <= value <= INT64:
            return False
    return True
