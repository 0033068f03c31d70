"""POST /v1/events: what happened after a send, in batches, idempotent per event id.

    POST /v1/events  {"events": [{"id": "e-1", "delivery_id": 42, "recipient": "9f86d0…",
                                  "type": "clicked", "at": "2026-11-02T09:30:00+08:00"}]}
    → 200 {"received": 1, "accepted": 1, "duplicates": 0}

An event may carry `sent_text` (with optional `recipient_name` and `sender`): the text this
recipient actually got, compared with the approved payload by library.sent_text.

Same bearer tokens and channel scopes as deliveries: a token reports events on its own
channels only (403), and names only the deliveries it acknowledged itself. Events whose
recipient is not an opaque hash, or whose version was never released, refuse the batch with a
422 listing every problem; nothing is stored. An id already stored for this token counts as a
duplicate (the batch can be resent safely; no Idempotency-Key header is needed); the same id
for a different event is a 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from library import outcomes, sent_text
from library.api.deps import ERRORS, Client, Ctx, DeliveryContext, json_response
from library.api.models import ErrorBody
from library.api.params import ApiError, check_params
from library.errors import ConflictError, PermissionDenied
from library.models import Token

router = APIRouter()


class EventIn(outcomes.OutcomeEventIn):
    """An outcome event; a `delivered` one may say what text was actually sent (WeCom edits)."""

    # Checked by library.sent_text (a 422 over 20,000 characters), like the delivery ack's.
    sent_text: str | None = Field(default=None, description=(
        "the text actually sent to this recipient: compared with the approved payload; a "
        "material edit is queued for review. At most 20,000 characters"))
    recipient_name: str | None = Field(default=None, description=(
        "the recipient's name as greeted in sent_text: ignored in the comparison, never stored"))
    sender: str | None = Field(default=None, description="who sent it (e.g. the salesperson's WeCom user id)")


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[EventIn] = Field(min_length=1, max_length=outcomes.MAX_BATCH)


class EventReceipt(BaseModel):
    received: int = Field(description="events in the batch")
    accepted: int = Field(description="stored now")
    duplicates: int = Field(description="already stored under the same id (or repeated in the batch)")


@router.post("/v1/events", response_model=EventReceipt, tags=["outcomes"],
             responses={**ERRORS, 422: {"model": ErrorBody}})
async def post_events(request: Request, client: Client, ctx: Ctx, batch: EventBatch) -> Response:
    """Record outcome events; a replayed batch adds nothing and says how many were duplicates."""
    check_params(request, ())
    # In the threadpool: waiting for the write lock must never stall the event loop.
    result = await run_in_threadpool(_ingest, ctx, client, batch.events)
    return json_response(request, result, etag=False)


def _ingest(ctx: DeliveryContext, client: Token, events: list[EventIn]) -> dict[str, Any]:
    conn = ctx.conn()
    try:
        rows = outcomes.prepare(conn, events, source=client.name, channels=client.channels,
                                delivery_client=client.name)
        sent = _check_sent_texts(ctx, client, events, rows)
        done = outcomes.store(conn, rows)
        # Its own transaction after the events': a 503 in between is healed by resending the
        # batch (events count as duplicates, sent texts are stored once per event id).
        if sent:
            sent_text.record_events(conn, sent)
    except PermissionDenied as e:
        raise ApiError(403, "forbidden", str(e)) from None
    except outcomes.EventsRefused as e:
        raise ApiError(422, "invalid_events", str(e)) from None
    except ConflictError as e:
        raise ApiError(409, "conflict", str(e)) from None
    return done.as_dict()


def _check_sent_texts(ctx: DeliveryContext, client: Token, events: list[EventIn],
                      rows: list[tuple[Any, ...]]) -> list[tuple[sent_text.SentCheck, dict[str, Any]]]:
    """Each event's sent text compared (and re-checked) before any write; a bad one refuses the
    batch with a 422 like any other refused event."""
    problems = []
    for i, e in enumerate(events):
        if e.sent_text is not None:
            try:
                sent_text.check_fields(e.sent_text, e.recipient_name, e.sender)
            except sent_text.SentTextRefused as err:
                problems.append(f"event {i + 1} (id {e.id!r}): {err}")
    if problems:
        raise outcomes.EventsRefused(problems)
    cache = sent_text.CheckCache(ctx.conn(), ctx.renderer, ctx.library.checker)
    out = []
    # prepare() keeps the batch's order: row i is event i, resolved to its material and version.
    for e, row in zip(events, rows, strict=True):
        if e.sent_text is None:
            continue
        check = cache.check(material_id=row[4], version=row[5], channel=row[6], sent_text=e.sent_text,
                            recipient_name=e.recipient_name)
        out.append((check, {"client": client.name, "sender": e.sender, "delivery_id": e.delivery_id,
                            "event_id": e.id, "recipient": e.recipient}))
    return out
