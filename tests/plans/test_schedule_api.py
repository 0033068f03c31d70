"""GET /v1/schedule through a real HTTP client against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from contentgen.plans import PlanRequest, generate_plan
from library import Library
from library.api.app import create_app
from library.plans import (
    approve_plan,
    edit_touchpoint,
    get_plan,
    release_plan,
    save_plan,
    submit_plan,
)


@pytest.fixture
def released_plan(lib: Library, generator: Any) -> str:
    """A 7-day plan on sms/wecom/group/moments, released except its last touchpoint (approved only)."""
    req = PlanRequest.parse(segment="dormant.mass", objective="reactivate", days=7, industry="retail",
                            locale="zh-CN", start=date(2026, 12, 1),
                            channels=["wecom_1v1", "group", "moments", "sms"])
    sp = save_plan(lib, generate_plan(req, generator=generator), author="olga")
    submit_plan(lib, sp.id, actor="olga")
    approve_plan(lib, sp.id, actor="rita")
    last = get_plan(lib, sp.id).touchpoints[-1]
    for t in get_plan(lib, sp.id).touchpoints[:-1]:
        lib.release(t.material_id, t.current_version, actor="rita")
    assert lib.get(last.material_id).status == "approved"
    return sp.id


@pytest.fixture
def api(lib: Library, live_url: Callable[[object], str]) -> Any:
    app = create_app(lib)
    url = live_url(app)
    yield lambda token: httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    app.state.delivery.close()


def test_lists_released_touchpoints_due_in_the_window_with_payloads(
    lib: Library, released_plan: str, api: Any
) -> None:
    token = lib.tokens.create("wechat", ["wecom_1v1", "group", "moments", "sms"])
    plan = get_plan(lib, released_plan)
    with api(token) as c:
        r = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z"})
        assert r.status_code == 200
        items = r.json()["items"]
        # every released touchpoint, in send order; the approved-only one is not served
        assert [i["id"] for i in items] == [t.material_id for t in plan.touchpoints[:-1]]
        assert [i["send_at"] for i in items] == sorted(i["send_at"] for i in items)
        for i in items:
            assert i["plan_id"] == released_plan and i["payload"] and i["version"] == 1
            assert i["delivered"] is False
        # the window: due before Dec 3 00:00 UTC (Shanghai 08:00) is day 0 and day 1 only
        r = c.get("/v1/schedule", params={"due_before": "2026-12-03T00:00:00Z"})
        days = {t.material_id: t.day for t in plan.touchpoints}
        assert sorted(days[i["id"]] for i in r.json()["items"]) == [0, 1]
        r = c.get("/v1/schedule", params={"due_before": "2026-12-03T08:00:00+08:00", "channel": "sms"})
        assert r.status_code == 200 and r.json()["items"] == []
        r = c.get("/v1/schedule", params={"due_after": "2026-12-03T00:00:00Z", "due_before": "2027-01-01T00:00:00Z"})
        assert all(days[i["id"]] >= 2 for i in r.json()["items"]) and r.json()["items"]


def test_paging_and_etag(lib: Library, released_plan: str, api: Any) -> None:
    token = lib.tokens.create("wechat", ["wecom_1v1", "group", "moments", "sms"])
    with api(token) as c:
        params = {"due_before": "2027-01-01T00:00:00Z", "limit": "2"}
        seen: list[str] = []
        r = c.get("/v1/schedule", params=params)
        while True:
            body = r.json()
            seen += [i["id"] for i in body["items"]]
            if not body["next_cursor"]:
                break
            r = c.get("/v1/schedule", params={**params, "cursor": body["next_cursor"]})
        assert len(seen) == len(set(seen)) == len(get_plan(lib, released_plan).touchpoints) - 1
        first = c.get("/v1/schedule", params=params)
        again = c.get("/v1/schedule", params=params, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        bad = c.get("/v1/schedule", params={"due_before": "2026-12-02T00:00:00Z", "cursor": first.json()["next_cursor"]})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


def test_scopes_auth_and_bad_parameters(lib: Library, released_plan: str, api: Any) -> None:
    sms_only = lib.tokens.create("sms-gateway", ["sms"])
    with api(sms_only) as c:
        r = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z"})
        assert r.status_code == 200 and {i["channel"] for i in r.json()["items"]} <= {"sms"}
        r = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z", "channel": "moments"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        for params, fragment in [
            ({}, "due_before"),
            ({"due_before": "tomorrow"}, "not an ISO-8601 time"),
            ({"due_before": "2026-12-03T00:00:00"}, "has no time zone"),
            ({"due_before": "2026-12-03T00:00:00Z", "due_after": "2026-12-04T00:00:00Z"}, "must be before"),
            ({"due_before": "2026-12-03T00:00:00Z", "limit": "0"}, "limit"),
            ({"due_before": "2026-12-03T00:00:00Z", "when": "now"}, "unknown query parameter"),
        ]:
            r = c.get("/v1/schedule", params=params)
            assert r.status_code == 400, params
            assert fragment in r.json()["error"]["message"], (params, r.json())
    with api("not-a-token") as c:
        r = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z"})
        assert r.status_code == 401


def test_edited_touchpoint_keeps_its_released_version_until_the_new_one_is_released(
    lib: Library, released_plan: str, api: Any
) -> None:
    token = lib.tokens.create("wechat", ["wecom_1v1", "group", "moments", "sms"])
    t = next(t for t in get_plan(lib, released_plan).touchpoints if t.released_version and t.content_type == "push")
    content = dict(lib.get_version(t.material_id, 1).content)
    edit_touchpoint(lib, released_plan, t.seq, content={**content, "body": "您好，活动延长到周日。回T退订"}, actor="olga")
    with api(token) as c:
        items = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z", "channel": t.channel}).json()["items"]
        assert {i["id"]: i["version"] for i in items}[t.material_id] == 1
        approve_plan(lib, released_plan, actor="rita")
        release_plan(lib, released_plan, actor="rita")
        items = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z", "channel": t.channel}).json()["items"]
        mine = next(i for i in items if i["id"] == t.material_id)
        assert mine["version"] == 2 and "活动延长到周日" in str(mine["payload"])
        # acknowledgement as for any material; the schedule then marks it delivered
        ack = c.post("/v1/deliveries", headers={"Idempotency-Key": "k1"},
                     json={"material_id": t.material_id, "version": 2, "channel": t.channel, "recipients": 120})
        assert ack.status_code == 201, ack.text
        items = c.get("/v1/schedule", params={"due_before": "2027-01-01T00:00:00Z", "channel": t.channel}).json()["items"]
        assert {i["id"]: i["delivered"] for i in items} == {i["id"]: i["id"] == t.material_id for i in items}


def test_schedule_is_in_the_openapi_spec(lib: Library, api: Any) -> None:
    with api("x") as c:
        spec = c.get("/openapi.json").json()
    assert "/v1/schedule" in spec["paths"]
