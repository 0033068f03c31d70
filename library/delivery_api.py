"""The delivery API: what a delivery system may send, released versions only, as payloads.

    app = create_app("contentgen.db")      # or create_app(Library.open(...))
    uvicorn.run(app, host="127.0.0.1", port=8100)

Routes: GET /v1/materials, GET /v1/materials/{id}, GET /v1/sync, POST /v1/deliveries,
GET /healthz, /openapi.json. Other routers (e.g. the plans schedule) reuse `authenticated`
and `DeliveryContext` from here and are included in `create_app`.

Reads run on the event loop: in WAL mode a reader never waits for a writer, and the thread hop
would cost the hot read path. Writes run in the threadpool with a short lock wait
(`ApiLimits.write_lock_timeout_s`): while a CLI command, an import or a backup holds the write
lock, reads keep being answered and a write answers 503 with Retry-After. Limits (body size,
read timeout) and error bodies live in library.api_guard.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from contentgen.config import Settings
from contentgen.errors import ChannelTemplateError, ConflictError, PermissionDenied
from library import deliveries, migrations
from library import delivery_queries as dq
from library._db import Connections
from library.api_guard import ApiLimits, BodyGuard, install_error_handlers, install_log_redaction
from library.api_models import (
    DeliveryAck,
    DeliveryReceipt,
    ErrorBody,
    MaterialItem,
    MaterialPage,
    SyncPage,
)
from library.api_params import (
    LIST_PARAMS,
    SYNC_PARAMS,
    ApiError,
    check_params,
    decode_cursor,
    encode_cursor,
    list_filters,
    scoped_channels,
)
from library.models import Token
from library.payloads import PayloadRenderer, self_check
from library.rescan import startup_lifespan
from library.store import Library

log = logging.getLogger("contentgen.delivery_api")

_bearer = HTTPBearer(auto_error=False, description="A delivery token: contentgen tokens create NAME --channels ...")
_ERRORS: dict[int | str, dict[str, Any]] = {
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
        self.connections = Connections(
            library.path, busy_timeout_ms=int(self.limits.write_lock_timeout_s * 1000))
        self._item_cache: dict[tuple[Any, ...], bytes] = {}
        self._cache_lock = threading.Lock()
        # The library may have been opened before library.deliveries registered its table;
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


def _json(request: Request, body: Any, *, status: int = 200, etag: bool = True,
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


def create_app(source: Library | str | Path, *, templates_dir: Path | None = None,
               rescan_on_start: bool = True, limits: ApiLimits | None = None) -> FastAPI:
    """The delivery API over one library file; templates are checked before the first request,
    and (rescan_on_start) served versions are re-checked against the rule packs at startup;
    `limits` (library.api_guard.ApiLimits): body cap, body read timeout, write lock wait."""
    library = source if isinstance(source, Library) else Library.open(source)
    renderer = PayloadRenderer(templates_dir or Settings.load().templates_dir)
    problems = self_check(renderer)
    if problems:
        raise ChannelTemplateError("channel templates are broken: " + "; ".join(problems))
    app = FastAPI(
        title="contentgen delivery API",
        version="1",
        description="Released marketing materials with their channel payloads. "
        "Drafts and anything not released are never served.",
        lifespan=startup_lifespan(rescan_on_start),
    )
    limits = limits or ApiLimits()
    app.state.delivery = DeliveryContext(library, renderer, limits)
    app.add_middleware(BodyGuard, limits=limits)
    install_error_handlers(app, limits)
    install_log_redaction()
    _routes(app)
    app.include_router(__import__("library.schedule_api", fromlist=["router"]).router)  # plans: /v1/schedule
    return app


def _routes(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/materials", response_model=MaterialPage, responses=_ERRORS)
    async def list_materials(
        request: Request, client: Client, ctx: Ctx,
        channel: Annotated[str | None, Query(description="one channel or a comma-separated list")] = None,
        industry: str | None = None, segment: str | None = None, locale: str | None = None,
        content_type: str | None = None, persona: str | None = None,
        tag: Annotated[str | None, Query(max_length=200)] = None,
        plan_id: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    ) -> Response:
        """Released materials in the token's channels, filtered, by id, in pages."""
        check_params(request, LIST_PARAMS)
        channels = scoped_channels(channel, client)
        filters = list_filters(industry=industry, segment=segment, locale=locale,
                               content_type=content_type, persona=persona, tag=tag, plan_id=plan_id)
        query_key = {"c": channels, "f": filters}
        after = None
        if cursor is not None:
            state = decode_cursor(cursor, "list")
            if state.get("q") != query_key:
                raise ApiError(400, "invalid_cursor",
                               "this cursor belongs to a query with other filters or channels; "
                               "repeat the same filters, or start again without a cursor")
            after = state.get("a")
            if not isinstance(after, str):
                raise ApiError(400, "invalid_cursor", "cursor is damaged; start again without a cursor")
        items, more = dq.released_page_rows(ctx.conn(), channels=channels, filters=filters,
                                            after_id=after, limit=limit)
        next_cursor = encode_cursor("list", {"q": query_key, "a": items[-1][0]}) if more else None
        return _json(request, {"items": ctx.items_json(items), "next_cursor": next_cursor})

    @app.get("/v1/materials/{material_id}", response_model=MaterialItem, responses=_ERRORS)
    async def get_material(
        request: Request, client: Client, ctx: Ctx,
        material_id: Annotated[str, PathParam(max_length=200)],
    ) -> Response:
        """One released material; anything not released is a 404 whatever the token."""
        check_params(request, ())
        found = dq.released_by_ids(ctx.conn(), [material_id]).get(material_id)
        if found is None:
            raise ApiError(404, "not_found", f"no released material {material_id!r}")
        if found.row["channel"] not in client.channels:
            raise ApiError(403, "forbidden",
                           f"token {client.name!r} may read {', '.join(client.channels)}; "
                           f"material {material_id} is on {found.row['channel']}")
        return _json(request, ctx.item(found))

    @app.get("/v1/sync", response_model=SyncPage, responses=_ERRORS)
    async def sync(
        request: Request, client: Client, ctx: Ctx,
        channel: Annotated[str | None, Query(description="one channel or a comma-separated list")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 100,
        cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous call")] = None,
    ) -> Response:
        """Change feed: no cursor → everything released; with one → only what changed since."""
        check_params(request, SYNC_PARAMS)
        if cursor is None:
            channels = scoped_channels(channel, client)
            state: dict[str, Any] = {"c": channels, "s": dq.last_change_seq(ctx.conn()), "a": ""}
        else:
            state = decode_cursor(cursor, "sync")
            channels = state.get("c")  # type: ignore[assignment]
            if (not isinstance(channels, list) or not all(isinstance(c, str) for c in channels)
                    or not isinstance(state.get("s"), int) or not isinstance(state.get("a", ""), str)):
                raise ApiError(400, "invalid_cursor", "cursor is damaged; start a new sync without a cursor")
            if channel is not None and scoped_channels(channel, client) != channels:
                raise ApiError(400, "invalid_cursor",
                               f"this cursor syncs {','.join(channels)}; drop the channel parameter "
                               "or start a new sync for other channels")
            scoped_channels(",".join(channels), client)  # the token may have lost a channel since
        body = _initial_page(ctx, state, channels, limit) if "a" in state else _delta_page(ctx, state, channels, limit)
        return _json(request, body)

    @app.post("/v1/deliveries", status_code=201, response_model=DeliveryReceipt,
              responses={**_ERRORS, 201: {"model": DeliveryReceipt}})
    async def acknowledge(
        request: Request, client: Client, ctx: Ctx, ack: DeliveryAck,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    ) -> Response:
        """Record what was sent; retrying with the same Idempotency-Key returns the same answer."""
        check_params(request, ())
        if not idempotency_key or not idempotency_key.strip():
            raise ApiError(400, "invalid_request",
                           "missing Idempotency-Key header: send a unique key per delivery (e.g. a UUID) "
                           "so a retried request is recorded once")
        if ack.channel not in client.channels:
            raise ApiError(403, "forbidden",
                           f"token {client.name!r} may deliver on {', '.join(client.channels)}, not {ack.channel}")
        # In the threadpool: waiting for the write lock must never stall the event loop.
        stored, replayed = await run_in_threadpool(_record_ack, ctx, client.name, idempotency_key, ack)
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return _json(request, stored, status=201, etag=False, headers=headers)


def _record_ack(ctx: DeliveryContext, client: str, key: str, ack: DeliveryAck) -> tuple[dict[str, Any], bool]:
    """Replay or record one acknowledgement, on this worker thread's own connection."""
    body = ack.model_dump(mode="json")
    body_hash = deliveries.request_hash(body)
    conn = ctx.conn()
    try:
        stored = deliveries.replay(conn, client=client, key=key, body_hash=body_hash)
        if stored is not None:
            return stored, True
        _check_deliverable(conn, ack)
        return deliveries.record(conn, client=client, key=key, body_hash=body_hash, ack=body)
    except ConflictError as e:
        raise ApiError(409, "conflict", str(e)) from None


def _check_deliverable(conn: Any, ack: DeliveryAck) -> None:
    channel = dq.material_channel(conn, ack.material_id)
    if channel is None or not dq.was_released(conn, ack.material_id, ack.version):
        raise ApiError(404, "not_found",
                       f"material {ack.material_id!r} version {ack.version} was never released; "
                       "only released versions can be delivered")
    if channel != ack.channel:
        raise ApiError(400, "invalid_request",
                       f"material {ack.material_id} is on channel {channel}, not {ack.channel}")


def _initial_page(ctx: DeliveryContext, state: dict[str, Any], channels: list[str], limit: int) -> dict[str, Any]:
    """First sync: every released item, paged by id; then the cursor switches to the change feed."""
    items, more = dq.released_page_rows(ctx.conn(), channels=channels, after_id=state["a"] or None, limit=limit)
    if more:
        nxt = {"c": channels, "s": state["s"], "a": items[-1][0]}
    else:
        # Changes made while paging sit after the snapshot seq: the next call replays them.
        nxt = {"c": channels, "s": state["s"]}
    return {"items": ctx.items_json(items), "deleted": [],
            "next_cursor": encode_cursor("sync", nxt), "has_more": more}


def _delta_page(ctx: DeliveryContext, state: dict[str, Any], channels: list[str], limit: int) -> dict[str, Any]:
    """Changes after the cursor: each touched material as it is NOW — released, or a tombstone."""
    conn = ctx.conn()
    changes, more = dq.changes_after(conn, channels=channels, after_seq=state["s"], limit=limit)
    last: dict[str, tuple[int, int]] = {}  # material → (seq, version) of its latest change here
    for seq, material_id, version, _kind in changes:
        last.pop(material_id, None)  # re-insert so order follows the latest change
        last[material_id] = (seq, version)
    current = dq.released_rows_by_ids(conn, list(last))
    items, deleted = [], []
    for material_id, (_seq, version) in last.items():
        if material_id in current:
            items.append(current[material_id])
        else:
            deleted.append({"id": material_id, "version": version})
    seq = changes[-1][0] if changes else state["s"]
    return {"items": ctx.items_json(items), "deleted": deleted,
            "next_cursor": encode_cursor("sync", {"c": channels, "s": seq}), "has_more": more}
