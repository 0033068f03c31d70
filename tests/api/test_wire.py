"""The delivery API over a real socket: uvicorn on loopback, httpx as the delivery system."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from library import Library

if TYPE_CHECKING:  # fixtures' types, for readers; conftest is not imported at run time
    from tests.api.conftest import ErrorOf, World


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# ---- auth and scopes ------------------------------------------------------------------------


def test_no_token_is_401_with_a_json_body(anonymous: httpx.Client, err: ErrorOf) -> None:
    r = anonymous.get("/v1/materials")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    e = err(r)
    assert e["code"] == "unauthorized" and "Authorization: Bearer" in e["message"]


@pytest.mark.parametrize("header", ["Bearer cgt_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "token"])
def test_bad_credentials_are_401(anonymous: httpx.Client, err: ErrorOf, header: str) -> None:
    for path in ("/v1/materials", "/v1/sync", "/v1/materials/mat_x"):
        r = anonymous.get(path, headers={"Authorization": header})
        assert r.status_code == 401, (path, r.text)
        assert err(r)["code"] == "unauthorized"
        assert "cgt_not-a-real-token" not in r.text  # the secret is never echoed


def test_revoked_token_is_401(client: httpx.Client, lib: Library, err: ErrorOf) -> None:
    assert client.get("/v1/materials").status_code == 200
    lib.tokens.revoke("pusher")
    r = client.get("/v1/materials")
    assert r.status_code == 401 and err(r)["message"] == "invalid or revoked token"


def test_channel_outside_the_token_scope_is_403(client: httpx.Client, world: World, err: ErrorOf) -> None:
    moments = world.released("moments")
    for path, params in (("/v1/materials", {"channel": "moments"}), ("/v1/sync", {"channel": "sms,moments"})):
        r = client.get(path, params=params)
        assert r.status_code == 403, r.text
        assert "may read sms, app_push" in err(r)["message"]
    r = client.get(f"/v1/materials/{moments}")
    assert r.status_code == 403 and err(r)["code"] == "forbidden"
    r = client.post("/v1/deliveries", json={"material_id": moments, "version": 1, "channel": "moments",
                                            "recipients": 3}, headers={"Idempotency-Key": "k"})
    assert r.status_code == 403


def test_without_a_channel_filter_only_the_token_channels_are_served(client: httpx.Client, world: World) -> None:
    sms, push = world.released("sms"), world.released("app_push")
    world.released("moments")
    world.released("video_account")
    assert sorted(ids(client.get("/v1/materials"))) == sorted([sms, push])
    assert ids(client.get("/v1/materials", params={"channel": "app_push"})) == [push]
    assert sorted(ids(client.get("/v1/sync"))) == sorted([sms, push])


# ---- released only --------------------------------------------------------------------------


def test_unreleased_materials_are_404_whatever_the_token(
    client: httpx.Client, world: World, lib: Library, err: ErrorOf
) -> None:
    draft = world.draft("sms")
    in_review = world.draft("sms")
    lib.submit(in_review, 1, actor="olivia")
    approved = world.approved("sms")
    moments_draft = world.draft("moments")  # out of scope AND unreleased: still 404, not 403
    for mid in (draft, in_review, approved, moments_draft, "mat_does_not_exist"):
        r = client.get(f"/v1/materials/{mid}")
        assert r.status_code == 404, r.text
        assert err(r)["code"] == "not_found"
    assert ids(client.get("/v1/materials")) == []
    assert ids(client.get("/v1/sync")) == []


def test_an_edit_keeps_serving_the_released_version_until_its_successor_is_released(
    client: httpx.Client, world: World, lib: Library
) -> None:
    mid = world.released("sms", body="第一版正文")
    world.edit(mid, "第二版正文")
    for _ in range(2):
        item = client.get(f"/v1/materials/{mid}").json()
        assert item["version"] == 1 and "第一版正文" in item["payload"]["body"]
        listed = client.get("/v1/materials").json()["items"]
        assert [(i["id"], i["version"]) for i in listed] == [(mid, 1)]
        lib.submit(mid, 2, actor="olivia")
        lib.approve(mid, 2, actor="rita")  # approved but not released: still version 1
        break
    assert client.get(f"/v1/materials/{mid}").json()["version"] == 1
    lib.release(mid, 2, actor="rita")
    item = client.get(f"/v1/materials/{mid}").json()
    assert item["version"] == 2 and "第二版正文" in item["payload"]["body"]


def test_retired_material_is_gone(client: httpx.Client, world: World, lib: Library) -> None:
    mid = world.released("sms")
    assert client.get(f"/v1/materials/{mid}").status_code == 200
    lib.retire(mid, actor="rita", reason="campaign over")
    assert client.get(f"/v1/materials/{mid}").status_code == 404
    assert ids(client.get("/v1/materials")) == []


# ---- payloads ----------------------------------------------------------------------------------


def test_items_carry_dimensions_and_the_channel_payload(client: httpx.Client, world: World) -> None:
    sms = world.released("sms", locale="en-US", industry="finance", segment="active.high_value")
    push = world.released("app_push")
    item = client.get(f"/v1/materials/{sms}").json()
    assert {k: item[k] for k in ("channel", "industry", "segment", "locale", "content_type", "persona")} == {
        "channel": "sms", "industry": "finance", "segment": "active.high_value", "locale": "en-US",
        "content_type": "push", "persona": "approachable"}
    assert item["payload"]["format"] == "text"
    assert item["payload"]["body"].endswith("Reply STOP to opt out.")
    payload = client.get(f"/v1/materials/{push}").json()["payload"]
    assert payload["format"] == "json"
    assert payload["body"]["deeplink"] == "app://home"
    assert payload["body"]["material"] == {"id": push, "version": 1}


# ---- filters, cursors, bad parameters -------------------------------------------------------


def test_filters_narrow_the_list(client: httpx.Client, world: World) -> None:
    fin = world.released("sms", industry="finance")
    ja = world.released("sms", locale="ja-JP")
    vip = world.released("sms", segment="loyal.high_value", persona="professional")
    tagged = world.released("app_push", tags=["spring", "新品"])
    assert ids(client.get("/v1/materials", params={"industry": "finance"})) == [fin]
    assert ids(client.get("/v1/materials", params={"locale": "ja-JP"})) == [ja]
    assert ids(client.get("/v1/materials", params={"segment": "loyal.high_value"})) == [vip]
    assert ids(client.get("/v1/materials", params={"persona": "professional"})) == [vip]
    assert ids(client.get("/v1/materials", params={"tag": "新品"})) == [tagged]
    assert ids(client.get("/v1/materials", params={"tag": "spring", "channel": "sms"})) == []
    assert len(ids(client.get("/v1/materials", params={"content_type": "push"}))) == 4
    assert ids(client.get("/v1/materials", params={"plan_id": "plan_none"})) == []


def test_cursor_pagination_walks_every_item_once(client: httpx.Client, world: World) -> None:
    made = sorted(world.released("sms") for _ in range(7))
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, str | int] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get("/v1/materials", params=params).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made and pages == 3


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"industry": "banking"}, "unknown industry 'banking'"),
        ({"segment": "dormant"}, "unknown segment"),
        ({"locale": "zh"}, "unknown locale"),
        ({"channel": "fax"}, "unknown channel 'fax'"),
        ({"channel": ","}, "channel is empty"),
        ({"chanel": "sms"}, "unknown query parameter chanel"),
        ({"cursor": "not-a-cursor!!"}, "cursor"),
        ({"cursor": "eyJrIjoic3luYyJ9"}, "/v1/sync"),  # a sync cursor on the list
        ({"tag": "x" * 201}, "tag"),
    ],
)
def test_bad_list_parameters_are_400_with_a_clear_message(
    client: httpx.Client, err: ErrorOf, params: dict[str, object], needle: str
) -> None:
    r = client.get("/v1/materials", params=params)  # type: ignore[arg-type]
    assert r.status_code == 400, r.text
    assert needle in err(r)["message"]


def test_repeated_parameter_and_cursor_from_other_filters_are_400(
    client: httpx.Client, world: World, err: ErrorOf
) -> None:
    for _ in range(3):
        world.released("sms")
    r = client.get("/v1/materials?industry=retail&industry=finance")
    assert r.status_code == 400 and "give industry once" in err(r)["message"]
    cursor = client.get("/v1/materials", params={"limit": 1}).json()["next_cursor"]
    r = client.get("/v1/materials", params={"limit": 1, "cursor": cursor, "industry": "finance"})
    assert r.status_code == 400 and err(r)["code"] == "invalid_cursor"
    r = client.get("/v1/sync", params={"cursor": cursor})
    assert r.status_code == 400 and "/v1/materials" in err(r)["message"]


def test_unknown_route_and_method_are_json_errors(client: httpx.Client, err: ErrorOf) -> None:
    r = client.get("/v2/nothing")
    assert r.status_code == 404 and err(r)["code"] == "not_found"
    r = client.delete("/v1/materials")
    assert r.status_code == 405 and err(r)["code"] == "method_not_allowed"


# ---- ETag / 304 --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/materials", "/v1/sync"])
def test_if_none_match_gives_304_until_the_page_changes(
    client: httpx.Client, world: World, lib: Library, path: str
) -> None:
    mid = world.released("sms")
    first = client.get(path, params={"channel": "sms"})
    tag = first.headers["etag"]
    again = client.get(path, params={"channel": "sms"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get(path, params={"channel": "sms"}, headers={"If-None-Match": '"other"'}).status_code == 200
    lib.retire(mid, actor="rita")
    changed = client.get(path, params={"channel": "sms"}, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag


# ---- sync -----------------------------------------------------------------------------------------


def test_sync_first_call_then_only_changes_with_tombstones(
    client: httpx.Client, world: World, lib: Library
) -> None:
    a, b = world.released("sms"), world.released("app_push")
    world.draft("sms")
    first = client.get("/v1/sync").json()
    assert sorted(i["id"] for i in first["items"]) == sorted([a, b])
    assert first["deleted"] == [] and first["has_more"] is False
    quiet = client.get("/v1/sync", params={"cursor": first["next_cursor"]}).json()
    assert quiet["items"] == [] and quiet["deleted"] == []

    c = world.released("sms")
    world.edit(a, "改后的正文")
    world.release_current(a)
    lib.retire(b, actor="rita")
    delta = client.get("/v1/sync", params={"cursor": quiet["next_cursor"]}).json()
    assert sorted((i["id"], i["version"]) for i in delta["items"]) == sorted([(c, 1), (a, 2)])
    assert delta["deleted"] == [{"id": b, "version": 1}]
    after = client.get("/v1/sync", params={"cursor": delta["next_cursor"]}).json()
    assert after["items"] == [] and after["deleted"] == []


def test_sync_pages_the_first_call_and_the_changes(client: httpx.Client, world: World, lib: Library) -> None:
    made = sorted(world.released("sms") for _ in range(5))
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": 2, "channel": "sms"} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/sync", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == made
    for mid in made[:3]:
        lib.retire(mid, actor="rita")
    gone: list[str] = []
    while True:
        page = client.get("/v1/sync", params={"limit": 2, "cursor": cursor}).json()
        gone += [d["id"] for d in page["deleted"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert gone == made[:3]


def test_sync_cursor_keeps_its_channels(client: httpx.Client, world: World, err: ErrorOf) -> None:
    world.released("sms")
    cursor = client.get("/v1/sync", params={"channel": "sms"}).json()["next_cursor"]
    r = client.get("/v1/sync", params={"cursor": cursor, "channel": "app_push"})
    assert r.status_code == 400 and "syncs sms" in err(r)["message"]
    assert client.get("/v1/sync", params={"cursor": cursor, "channel": "sms"}).status_code == 200
    for bad in ("", "abc", "eyJrIjoic3luYyIsImMiOjEsInMiOiJ4In0"):  # last: {"k":"sync","c":1,"s":"x"}
        r = client.get("/v1/sync", params={"cursor": bad})
        assert r.status_code == 400, (bad, r.text)


# ---- deliveries ---------------------------------------------------------------------------------


def ack(mid: str, **kw: object) -> dict[str, object]:
    return {"material_id": mid, "version": 1, "channel": "sms", "recipients": 120} | kw


def test_delivery_ack_is_idempotent_by_key(client: httpx.Client, world: World, err: ErrorOf) -> None:
    mid = world.released("sms")
    first = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "send-1"})
    assert first.status_code == 201, first.text
    assert first.json()["recipients"] == 120 and "Idempotent-Replayed" not in first.headers
    again = client.post("/v1/deliveries", json=dict(reversed(list(ack(mid).items()))),
                        headers={"Idempotency-Key": "send-1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post("/v1/deliveries", json=ack(mid, recipients=121), headers={"Idempotency-Key": "send-1"})
    assert other.status_code == 409 and "different request body" in err(other)["message"]
    second = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "send-2"})
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]


def test_replay_still_answers_after_the_material_is_retired(
    client: httpx.Client, world: World, lib: Library
) -> None:
    mid = world.released("sms")
    first = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "k"})
    lib.retire(mid, actor="rita")
    again = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "k"})
    assert again.status_code == 201 and again.json() == first.json()
    fresh = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "k2"})
    assert fresh.status_code == 201  # it WAS released: sends just before a retire are acknowledged


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"version": 1, "channel": "sms", "recipients": 1}, "material_id"),
        ({"material_id": "m", "version": 0, "channel": "sms", "recipients": 1}, "version"),
        ({"material_id": "m", "version": 1, "channel": "sms", "recipients": -1}, "recipients"),
        ({"material_id": "m", "version": 1, "channel": "fax", "recipients": 1}, "unknown channel 'fax'"),
        ({"material_id": "m", "version": 1, "channel": "sms", "recipients": 1, "extra": 1}, "extra"),
        ({"material_id": "m", "version": 1, "channel": "sms", "recipients": 1, "sent_at": "yesterday"}, "sent_at"),
    ],
)
def test_bad_delivery_bodies_are_400(client: httpx.Client, err: ErrorOf, body: dict[str, object], needle: str) -> None:
    r = client.post("/v1/deliveries", json=body, headers={"Idempotency-Key": "k"})
    assert r.status_code == 400, r.text
    assert needle in err(r)["message"]


def test_delivery_refusals(client: httpx.Client, world: World, err: ErrorOf) -> None:
    mid = world.released("sms")
    r = client.post("/v1/deliveries", json=ack(mid))
    assert r.status_code == 400 and "Idempotency-Key" in err(r)["message"]
    r = client.post("/v1/deliveries", content=b"{not json", headers={"Idempotency-Key": "k",
                                                                        "Content-Type": "application/json"})
    assert r.status_code == 400
    draft = world.draft("sms")
    r = client.post("/v1/deliveries", json=ack(draft), headers={"Idempotency-Key": "k"})
    assert r.status_code == 404 and "never released" in err(r)["message"]
    r = client.post("/v1/deliveries", json=ack(mid, version=2), headers={"Idempotency-Key": "k"})
    assert r.status_code == 404
    r = client.post("/v1/deliveries", json=ack(mid, channel="app_push"), headers={"Idempotency-Key": "k"})
    assert r.status_code == 400 and "is on channel sms" in err(r)["message"]


# ---- the spec -------------------------------------------------------------------------------------


def test_openapi_spec_describes_the_routes_and_bearer_auth(anonymous: httpx.Client) -> None:
    spec = anonymous.get("/openapi.json").json()
    assert {"/v1/materials", "/v1/materials/{material_id}", "/v1/sync", "/v1/deliveries"} <= set(spec["paths"])
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())
    params = {p["name"] for p in spec["paths"]["/v1/materials"]["get"]["parameters"]}
    assert {"channel", "industry", "segment", "locale", "content_type", "persona", "tag", "plan_id",
            "limit", "cursor"} <= params
    assert "401" in spec["paths"]["/v1/sync"]["get"]["responses"]


def test_a_sync_cursor_stops_working_when_its_token_loses_the_channel(
    server: object, world: World, lib: Library, err: ErrorOf
) -> None:
    world.released("app_push")
    url = server.url  # type: ignore[attr-defined]
    wide = lib.tokens.create("wide", ["sms", "app_push"])
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {wide}"}) as c:
        cursor = c.get("/v1/sync").json()["next_cursor"]
    lib.tokens.revoke("wide")
    narrow = lib.tokens.create("wide", ["sms"])
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {narrow}"}) as c:
        r = c.get("/v1/sync", params={"cursor": cursor})
        assert r.status_code == 403 and "not app_push" in err(r)["message"]
        assert c.get("/v1/sync").status_code == 200  # a fresh sync within the new scope works
