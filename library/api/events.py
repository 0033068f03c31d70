"""POST /v1/events: what happened after a send, in batches, idempotent per event id.

    POST /v1/events  {"events": [{"id": "e-1", "delivery_id": 42, "recipient": "9f86d0…",
                                  "type": "clicked", "at": "2026-11-02T09:30:00+08:00"}]}
    → 200 {"received": 1, "accepted": 1, "duplicates": 0}

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

from library import outcomes
from library.api.deps import ERRORS, Client, Ctx, DeliveryContext, json_response
from library.api.models import ErrorBody
from library.api.params import ApiError, check_params
from library.errors import ConflictError, PermissionDenied
from library.models import Token

router = APIRouter()


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[outcomes.OutcomeEventIn] = Field(min_length=1, max_length=outcomes.MAX_BATCH)


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


def _ingest(ctx: DeliveryContext, client: Token, events: list[outcomes.OutcomeEventIn]) -> dict[str, Any]:
    try:
        done = outcomes.ingest(ctx.conn(), events, source=client.name, channels=client.channels,
                               delivery_client=client.name)
    except PermissionDenied as e:
        raise ApiError(403, "forbidden", str(e)) from None
    except outcomes.EventsRefused as e:
        raise ApiError(422, "invalid_events", str(e)) from None
    except ConflictError as e:
        raise ApiError(409, "conflict", str(e)) from None
    return done.as_dict()
