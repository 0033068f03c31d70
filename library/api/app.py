"""The delivery API: what a delivery system may send, released versions only, as payloads.

    app = create_app("contentgen.db")      # or create_app(Library.open(...))
    uvicorn.run(app, host="127.0.0.1", port=8100)

Routes: GET /v1/materials, GET /v1/materials/{id}, GET /v1/sync, POST /v1/deliveries,
GET /healthz, /openapi.json; GET /v1/schedule comes from library.api.schedule, POST /v1/events
from library.api.events and GET /v1/slots/{id}/pick from library.api.slots. What routes
share (context, client, error table, JSON writer) is in library.api.deps.

Reads run on the event loop: in WAL mode a reader never waits for a writer, and the thread hop
would cost the hot read path. Writes run in the threadpool with a short lock wait
(`ApiLimits.write_lock_timeout_s`): while a CLI command, an import or a backup holds the write
lock, reads keep being answered and a write answers 503 with Retry-After. Limits (body size,
read timeout) and error bodies live in library.api.guard.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ChannelTemplateError
from library import released as dq
from library import sent_text
from library.api import deliveries, events, schedule, slots
from library.api.deps import ERRORS, Client, Ctx, DeliveryContext, json_response
from library.api.guard import ApiLimits, BodyGuard, install_error_handlers, install_log_redaction
from library.api.models import (
    DeliveryAck,
    DeliveryReceipt,
    ErrorBody,
    MaterialItem,
    MaterialPage,
    SyncPage,
)
from library.api.params import (
    LIST_PARAMS,
    SYNC_PARAMS,
    ApiError,
    check_params,
    decode_cursor,
    encode_cursor,
    list_filters,
    scoped_channels,
)
from library.errors import ConflictError
from library.payloads import PayloadRenderer, self_check
from library.store import Library


def _lifespan(on_start: Callable[[Library], None] | None) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        if on_start is not None:
            on_start(app.state.delivery.library)  # raising here fails closed: nothing is served
        yield

    return lifespan


def create_app(source: Library | str | Path, *, templates_dir: Path | None = None,
               on_start: Callable[[Library], None] | None = None,
               limits: ApiLimits | None = None) -> FastAPI:
    """The delivery API over one library file; templates are checked before the first request;
    `on_start(library)` runs before the first request is answered (`contentgen serve` passes the
    rule rescan, contentgen.usecases.rescan_before_serving) and, if it raises, nothing is served;
    `limits` (library.api.guard.ApiLimits): body cap, body read timeout, write lock wait."""
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
        lifespan=_lifespan(on_start),
    )
    limits = limits or ApiLimits()
    app.state.delivery = DeliveryContext(library, renderer, limits)
    app.add_middleware(BodyGuard, limits=limits)
    install_error_handlers(app, limits)
    install_log_redaction()
    _routes(app)
    app.include_router(schedule.router)  # plans: /v1/schedule
    app.include_router(events.router)  # outcomes: POST /v1/events
    app.include_router(slots.router)  # variant slots: GET /v1/slots/{id}/pick
    return app


def _routes(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/materials", response_model=MaterialPage, responses=ERRORS)
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
        return json_response(request, {"items": ctx.items_json(items), "next_cursor": next_cursor})

    @app.get("/v1/materials/{material_id}", response_model=MaterialItem, responses=ERRORS)
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
        return json_response(request, ctx.item(found))

    @app.get("/v1/sync", response_model=SyncPage, responses=ERRORS)
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
        return json_response(request, body)

    @app.post("/v1/deliveries", status_code=201, response_model=DeliveryReceipt,
              responses={**ERRORS, 201: {"model": DeliveryReceipt}, 422: {"model": ErrorBody}})
    async def acknowledge(
        request: Request, client: Client, ctx: Ctx, ack: DeliveryAck,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    ) -> Response:
        """Record what was sent; retrying with the same Idempotency-Key returns the same answer.
        With `sent_text`, the text is compared with the approved payload; a material edit is
        queued for a reviewer (`edited_after_approval` in the answer)."""
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
        return json_response(request, stored, status=201, etag=False, headers=headers)


def _record_ack(ctx: DeliveryContext, client: str, key: str, ack: DeliveryAck) -> tuple[dict[str, Any], bool]:
    """Replay or record one acknowledgement, on this worker thread's own connection."""
    # recipient_name is never stored, not even inside the body's fingerprint; fields left out
    # keep the fingerprint of acks recorded before sent_text existed.
    body = ack.model_dump(mode="json", exclude={"recipient_name"})
    for optional in ("sent_text", "sender"):
        if body[optional] is None:
            del body[optional]
    body_hash = deliveries.request_hash(body)
    conn = ctx.conn()
    try:
        stored = deliveries.replay(conn, client=client, key=key, body_hash=body_hash)
        if stored is None:
            _check_deliverable(conn, ack)
            stored, replayed = deliveries.record(conn, client=client, key=key, body_hash=body_hash,
                                                 ack=body, then=_sent_text(ctx, client, ack))
        else:
            replayed = True
    except ConflictError as e:
        raise ApiError(409, "conflict", str(e)) from None
    edited = sent_text.edited_for_delivery(conn, client, stored["id"])
    return {**stored, "edited_after_approval": edited}, replayed


def _sent_text(ctx: DeliveryContext, client: str, ack: DeliveryAck) -> Callable[[Any, dict[str, Any]], None] | None:
    """The ack's sent text compared and re-checked now, before the write lock is taken; stored
    with the delivery, in its transaction."""
    if ack.sent_text is None:
        return None
    try:
        sent_text.check_fields(ack.sent_text, ack.recipient_name, ack.sender)
    except sent_text.SentTextRefused as e:
        raise ApiError(422, "invalid_request", str(e)) from None
    check = sent_text.check_sent(ctx.conn(), ctx.renderer, ctx.library.checker,
                                 material_id=ack.material_id, version=ack.version,
                                 channel=ack.channel, sent_text=ack.sent_text,
                                 recipient_name=ack.recipient_name)

    def store(conn: Any, stored: dict[str, Any]) -> None:
        sent_text.record(conn, check, client=client, sender=ack.sender, delivery_id=int(stored["id"]))

    return store


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
