"""What every delivery API route depends on: the context, the authenticated client, the error
table and the one JSON response writer (serialised once, with an ETag).

Routers (library.api.app's own, library.api.schedule) import these; nothing else is shared
between route modules.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from library import migrations
from library import released as dq
from library._db import connections
from library.api.guard import ApiLimits
from library.api.models import ErrorBody
from library.api.params import ApiError
from library.errors import PermissionDenied
from library.models import Token
from library.payloads import PayloadRenderer
from library.store import Library

log = logging.getLogger("contentgen.delivery_api")

_bearer = HTTPBearer(auto_error=False, description="A delivery token: contentgen tokens create NAME --channels ...")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 503)
}
ITEM_CACHE_SIZE = 50_000  # serialised items (~0.5 KB each): the hot part of a large library
_ITEM_FIELDS = dq.ITEM_FIELDS


class DeliveryContext:
    """What every request handler needs: the library, its connections, the renderer."""

    def __init__(self, library: Library, renderer: PayloadRenderer, limits: ApiLimits | None = None):
        self.library = library
        self.renderer = renderer
        self.limits = limits or ApiLimits()
        # Our own per-thread connections: the API's reads never wait on a UI transaction, and
        # its writes wait for the lock only briefly (then 503), never the CLI's 30 s.
        self.connections = connections(
            library.target, busy_timeout_ms=int(self.limits.write_lock_timeout_s * 1000))
        self._item_cache: dict[tuple[Any, ...], bytes] = {}
        self._cache_lock = threading.Lock()
        # The library may have been opened before library.api.deliveries registered its table;
        # on the library's own connection, which waits as long as a CLI command would.
        migrations.apply(library._db())

    def conn(self) -> Any:
        return self.connections.db().conn

    def item(self, released: dq.Released) -> dict[str, Any]:
        row = released.row
        out = {k: row[k] for k in _ITEM_FIELDS}
        payload = self.renderer.render(row)
        # Text the offline model wrote says so wherever it goes, down to the delivery system.
        out["payload"] = {**payload, "offline": True} if row.get("offline") else payload
        return out

    def items_json(self, rows: list[tuple[Any, ...]]) -> Raw:
        """Items as one JSON array, spliced from serialised items cached by everything they show
        (a raw ITEM_FIELDS row); content is read, and payloads rendered, only for the misses."""
        cache = self._item_cache
        parts = [cache.get(row) for row in rows]
        missing = [i for i, raw in enumerate(parts) if raw is None]
        if missing:
            keys = [(rows[i][0], rows[i][1]) for i in missing]
            contents = dq.version_contents(self.conn(), keys)
            offline = dq.offline_versions(self.conn(), keys)
            for i in missing:
                row = rows[i]
                key = (row[0], row[1])
                raw = _dumps(self.item(dq.to_released(row, contents[key], key in offline)))
                parts[i] = raw
                with self._cache_lock:  # handlers are async today; a sync route would share it
                    cache[row] = raw
                    if len(cache) > ITEM_CACHE_SIZE:
                        cache.pop(next(iter(cache)))
        return Raw(b"[" + b",".join(parts) + b"]")  # type: ignore[arg-type]

    def close(self) -> None:
        self.connections.close()


async def context(request: Request) -> DeliveryContext:  # async: no threadpool hop
    ctx: DeliveryContext = request.app.state.delivery
    return ctx


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Token:
    """The delivery client behind the bearer token; 401 without a valid one."""
    if credentials is None:
        raise ApiError(
            401, "unauthorized",
            "missing bearer token: send 'Authorization: Bearer <token>' "
            "(create one with: contentgen tokens create NAME --channels sms,app_push)",
        )
    try:
        ctx: DeliveryContext = request.app.state.delivery
        return ctx.library.tokens.authenticate(credentials.credentials)
    except PermissionDenied:
        # Never echo the token: it would land in the client's and proxies' logs.
        raise ApiError(401, "unauthorized", "invalid or revoked token") from None


Client = Annotated[Token, Depends(authenticated)]
Ctx = Annotated[DeliveryContext, Depends(context)]


class Raw(bytes):
    """JSON already serialised (a list of cached items), spliced into a body as is."""


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _serialise(body: Any) -> bytes:
    if isinstance(body, dict) and any(isinstance(v, Raw) for v in body.values()):
        parts = [_dumps(k) + b":" + (v if isinstance(v, Raw) else _dumps(v)) for k, v in body.items()]
        return b"{" + b",".join(parts) + b"}"
    return _dumps(body)


def json_response(request: Request, body: Any, *, status: int = 200, etag: bool = True,
          headers: dict[str, str] | None = None) -> Response:
    """Serialise once; an ETag over the bytes lets a client's If-None-Match get a 304."""
    raw = _serialise(body)
    out_headers = dict(headers or {})
    if etag:
        tag = '"' + hashlib.blake2b(raw, digest_size=16).hexdigest() + '"'
        out_headers["ETag"] = tag
        out_headers["Cache-Control"] = "private, no-cache"
        wanted = request.headers.get("if-none-match")
        if wanted and (wanted.strip() == "*" or tag in {t.strip().removeprefix("W/") for t in wanted.split(",")}):
            return Response(status_code=304, headers=out_headers)
    return Response(raw, status_code=status, media_type="application/json", headers=out_headers)
