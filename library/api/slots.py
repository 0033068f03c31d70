"""GET /v1/slots/{id}/pick?recipient=HASH: one released variant of a slot for one recipient.

    GET /v1/slots/slot_3f…/pick?recipient=9f86d081884c7d65…
    → {"slot_id", "recipient", "allocation": "thompson"|"holdout", "new": bool, "item": {…payload}}

The item is read through library.released like every other route: a variant that is not
released now (retired, withdrawn by the rule rescan, never released) is never returned. The
same recipient gets the same variant while it stays released. A token picks only in slots on
its channels (403); a recipient that is not an opaque hash is a 422; a slot with no variant
released now is a 404. Per-variant outcome counts, which Thompson sampling draws from, are
re-read at most every STATS_TTL_S seconds per slot: a pick stays one indexed read and, for a
new recipient, one insert.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from library import slots
from library.api.deps import ERRORS, Client, Ctx, DeliveryContext, json_response
from library.api.models import ErrorBody, MaterialItem
from library.api.params import ApiError, check_params
from library.bandit import Arm
from library.errors import NotFoundError
from library.outcomes import RecipientRefused, check_recipient

STATS_TTL_S = 2.0
router = APIRouter()


class PickAnswer(BaseModel):
    slot_id: str
    recipient: str
    allocation: str
    new: bool
    item: MaterialItem


class _SlotCache:
    """Slot definitions (immutable once made) and their arm counts (fresh for STATS_TTL_S)."""

    def __init__(self) -> None:
        self.slots: dict[str, slots.Slot] = {}
        self.arms: dict[str, tuple[float, dict[str, Arm]]] = {}
        self.lock = threading.Lock()

    def slot(self, conn: Any, slot_id: str) -> slots.Slot:
        found = self.slots.get(slot_id)
        if found is None:
            found = slots.get_slot(conn, slot_id)
            with self.lock:
                self.slots[slot_id] = found
        return found

    def arm_stats(self, conn: Any, slot: slots.Slot) -> dict[str, Arm]:
        cached = self.arms.get(slot.id)
        if cached is not None and time.monotonic() - cached[0] < STATS_TTL_S:
            return cached[1]
        fresh = slots.arm_stats(conn, slot)
        with self.lock:
            self.arms[slot.id] = (time.monotonic(), fresh)
        return fresh


# One cache per app (per DeliveryContext), made on first use and gone with the app.
_CACHES: weakref.WeakKeyDictionary[DeliveryContext, _SlotCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache(ctx: DeliveryContext) -> _SlotCache:
    with _CACHES_LOCK:
        cache = _CACHES.get(ctx)
        if cache is None:
            cache = _CACHES[ctx] = _SlotCache()
        return cache


@router.get("/v1/slots/{slot_id}/pick", response_model=PickAnswer, tags=["slots"],
            responses={**ERRORS, 422: {"model": ErrorBody}})
async def pick(
    request: Request, client: Client, ctx: Ctx,
    slot_id: Annotated[str, PathParam(max_length=200)],
    recipient: Annotated[str, Query(min_length=1, max_length=200, description="an opaque hash")],
) -> Response:
    """The variant to send this recipient: Thompson sampling among released variants."""
    check_params(request, ("recipient",))
    try:
        check_recipient(recipient)
    except RecipientRefused as e:
        raise ApiError(422, "invalid_recipient", str(e)) from None
    # In the threadpool: a new assignment is a write, and waiting for the lock must never
    # stall the event loop.
    body = await run_in_threadpool(_pick, ctx, client.channels, client.name, slot_id, recipient)
    return json_response(request, body, etag=False)


def _pick(ctx: DeliveryContext, channels: list[str], token: str, slot_id: str,
          recipient: str) -> dict[str, Any]:
    conn = ctx.conn()
    cache = _cache(ctx)
    try:
        slot = cache.slot(conn, slot_id)
    except NotFoundError:
        raise ApiError(404, "not_found", f"no slot {slot_id!r}") from None
    if slot.channel not in channels:
        raise ApiError(403, "forbidden", f"token {token!r} may read {', '.join(channels)}; "
                       f"slot {slot_id} is on {slot.channel}")
    got = slots.pick(conn, slot, recipient, arms=cache.arm_stats(conn, slot))
    if got is None:
        raise ApiError(404, "not_found", f"slot {slot_id} has no variant released now; release one "
                       "of its materials, or send something else")
    return {"slot_id": slot.id, "recipient": recipient, "allocation": got.allocation, "new": got.new,
            "item": ctx.item(got.released)}
