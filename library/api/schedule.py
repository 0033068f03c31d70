"""GET /v1/schedule: released plan touchpoints due in a window, in send order, with payloads.

    GET /v1/schedule?due_before=2026-12-03T00:00:00Z&channel=sms
    → {"items": [{id, version, channel, ..., send_at, plan_id, seq, delivered, payload}], "next_cursor"}

Same bearer tokens, channel scopes, error shape and ETags as the rest of the delivery API;
a touchpoint that is not released (draft, in review, approved only) is never listed.
Acknowledge a send with POST /v1/deliveries, as for any material.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from library import released as dq
from library.api.deps import ERRORS, Client, Ctx, json_response
from library.api.models import MaterialItem
from library.api.params import ApiError, check_params, decode_cursor, encode_cursor, scoped_channels
from library.plans import due_released

SCHEDULE_PARAMS = ("due_before", "due_after", "channel", "plan_id", "limit", "cursor")

router = APIRouter()


class ScheduledItem(MaterialItem):
    seq: int
    delivered: bool


class SchedulePage(BaseModel):
    items: list[ScheduledItem]
    next_cursor: str | None


def _instant(name: str, value: str) -> str:
    """An ISO-8601 instant with its zone, as the UTC text that send_at is stored in."""
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ApiError(400, "invalid_request",
                       f"{name} {value!r} is not an ISO-8601 time, e.g. 2026-12-03T00:00:00Z") from None
    if at.tzinfo is None:
        raise ApiError(400, "invalid_request",
                       f"{name} {value!r} has no time zone; add Z for UTC or an offset such as +08:00")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@router.get("/v1/schedule", response_model=SchedulePage, responses=ERRORS, tags=["plans"])
async def schedule(
    request: Request, client: Client, ctx: Ctx,
    due_before: Annotated[str, Query(max_length=64, description="ISO-8601 instant with zone (exclusive)")],
    due_after: Annotated[str | None, Query(max_length=64, description="ISO-8601 instant with zone (inclusive)")] = None,
    channel: Annotated[str | None, Query(description="one channel or a comma-separated list")] = None,
    plan_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> Response:
    """Released touchpoints of service-cycle plans due before `due_before` (and from `due_after`)."""
    check_params(request, SCHEDULE_PARAMS)
    channels = scoped_channels(channel, client)
    before = _instant("due_before", due_before)
    after_t = _instant("due_after", due_after) if due_after is not None else None
    if after_t is not None and after_t >= before:
        raise ApiError(400, "invalid_request", f"due_after ({after_t}) must be before due_before ({before})")
    query_key = {"c": channels, "b": before, "f": after_t, "p": plan_id}
    after: tuple[str, str] | None = None
    if cursor is not None:
        state = decode_cursor(cursor, "schedule")
        pos = state.get("a")
        if state.get("q") != query_key:
            raise ApiError(400, "invalid_cursor", "this cursor belongs to another window, channel or plan; "
                           "repeat the same parameters, or start again without a cursor")
        if not (isinstance(pos, list) and len(pos) == 2 and all(isinstance(x, str) for x in pos)):
            raise ApiError(400, "invalid_cursor", "cursor is damaged; start again without a cursor")
        after = (pos[0], pos[1])
    conn = ctx.conn()
    due = due_released(conn, channels=channels, due_before=before, due_after=after_t, plan_id=plan_id,
                       limit=limit + 1, after=after)
    more, due = len(due) > limit, due[:limit]
    released = dq.released_by_ids(conn, [mid for _, mid, _, _ in due])
    delivered = _delivered(conn, client.name, [(r.id, r.version) for r in released.values()])
    items: list[dict[str, Any]] = []
    for send_at, mid, _plan, seq in due:
        if mid in released:  # released in the join above; re-read through the API's own guard
            item = ctx.item(released[mid])
            items.append({**item, "send_at": send_at, "seq": seq, "delivered": (mid, item["version"]) in delivered})
    next_cursor = encode_cursor("schedule", {"q": query_key, "a": [due[-1][0], due[-1][1]]}) if more else None
    return json_response(request, {"items": items, "next_cursor": next_cursor})


def _delivered(conn: Any, client: str, keys: list[tuple[str, int]]) -> set[tuple[str, int]]:
    if not keys:
        return set()
    ids = [k[0] for k in keys]
    rows = conn.execute(
        f"SELECT DISTINCT material_id, version FROM deliveries WHERE client = ? AND material_id IN "
        f"({', '.join('?' for _ in ids)})", [client, *ids]).fetchall()
    return {(r[0], r[1]) for r in rows} & set(keys)
