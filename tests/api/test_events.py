"""POST /v1/events over a real socket: idempotency, token scopes, PII refusal, released only."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from contentgen.testing_pg import raw_connection
from library import Library, outcomes

if TYPE_CHECKING:
    from tests.api.conftest import ErrorOf, LiveServer, World


@contextmanager
def write_lock(lib: Library) -> Iterator[None]:
    """Another process holding the library's write lock (a CLI command, an import, a backup)."""
    conn = raw_connection(lib.target)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def h(i: int | str) -> str:
    return hashlib.sha256(f"customer-{i}".encode()).hexdigest()


def event(mid: str, i: int, kind: str = "clicked", **kw: Any) -> dict[str, Any]:
    return {"id": f"ev-{mid}-{i}-{kind}", "material_id": mid, "version": 1, "channel": "sms",
            "recipient": h(i), "type": kind, "at": "2026-11-02T09:30:00+08:00", **kw}


def test_a_replayed_batch_adds_nothing_and_says_how_many_were_duplicates(
        world: World, lib: Library, client: httpx.Client) -> None:
    mid = world.released("sms")
    batch = {"events": [event(mid, i, k) for i in range(20) for k in ("delivered", "clicked")]}
    first = client.post("/v1/events", json=batch, headers={"Idempotency-Key": "batch-1"})
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 40, "accepted": 40, "duplicates": 0}
    again = client.post("/v1/events", json=batch)  # a retry, with or without the header
    assert again.json() == {"received": 40, "accepted": 0, "duplicates": 40}
    more = client.post("/v1/events", json={"events": [*batch["events"][:5], event(mid, 99)]})
    assert more.json() == {"received": 6, "accepted": 1, "duplicates": 5}
    assert outcomes.count(lib) == 41


def test_an_id_reused_for_another_event_is_409_and_stores_nothing(
        world: World, lib: Library, client: httpx.Client, err: ErrorOf) -> None:
    mid = world.released("sms")
    assert client.post("/v1/events", json={"events": [event(mid, 1)]}).status_code == 200
    r = client.post("/v1/events", json={"events": [event(mid, 2), event(mid, 1, value=10.0)]})
    assert r.status_code == 409 and err(r)["code"] == "conflict"
    assert "already stands for a different event" in err(r)["message"]
    assert outcomes.count(lib) == 1


def test_events_are_scoped_to_the_token_channels(world: World, lib: Library, client: httpx.Client,
                                                 anonymous: httpx.Client, err: ErrorOf) -> None:
    sms, moments = world.released("sms"), world.released("moments")
    r = client.post("/v1/events", json={"events": [event(sms, 1), event(moments, 2, channel="moments")]})
    assert r.status_code == 403, r.text
    assert err(r)["message"] == "token 'pusher' may report events on sms, app_push, not moments"
    assert anonymous.post("/v1/events", json={"events": [event(sms, 1)]}).status_code == 401
    assert outcomes.count(lib) == 0


def test_recipients_that_look_like_personal_data_are_a_422_that_never_echoes_them(
        world: World, lib: Library, client: httpx.Client, err: ErrorOf) -> None:
    mid = world.released("sms")
    values = {"13812345678": "phone", "li.na@example.cn": "e-mail", "李娜": "name", "Li Na": "name"}
    batch = {"events": [event(mid, 0)] + [event(mid, i + 1, recipient=v) for i, v in enumerate(values)]}
    r = client.post("/v1/events", json=batch)
    assert r.status_code == 422, r.text
    e = err(r)
    assert e["code"] == "invalid_events"
    for i, (value, kind) in enumerate(values.items()):
        assert f"event {i + 2} (id 'ev-{mid}-{i + 1}-clicked'): recipient looks like {'a' if kind != 'e-mail' else 'an'} {kind}" in e["message"]
        assert value not in r.text
    assert "phone numbers, e-mail addresses and names are never stored" in e["message"]
    assert outcomes.count(lib) == 0  # the good event of the batch was not stored either


def test_events_for_a_version_never_released_are_refused(
        world: World, lib: Library, client: httpx.Client, err: ErrorOf) -> None:
    draft, approved, mid = world.draft("sms"), world.approved("sms"), world.released("sms")
    r = client.post("/v1/events", json={"events": [event(draft, 1), event(approved, 2), event(mid, 3, version=2)]})
    assert r.status_code == 422
    message = err(r)["message"]
    for name, version in ((draft, 1), (approved, 1), (mid, 2)):
        assert f"material '{name}' version {version} was never released" in message
    world.edit(mid, "新版本来了")
    world.release_current(mid)
    # Version 1 was released once: its late outcomes still count after version 2 replaced it.
    late = client.post("/v1/events", json={"events": [event(mid, 4), event(mid, 5, version=2)]})
    assert late.status_code == 200 and late.json()["accepted"] == 2


def test_an_event_may_name_a_delivery_the_token_acknowledged(
        world: World, lib: Library, client: httpx.Client, err: ErrorOf) -> None:
    mid = world.released("sms")
    ack = client.post("/v1/deliveries", json={"material_id": mid, "version": 1, "channel": "sms", "recipients": 2},
                      headers={"Idempotency-Key": "d-1"})
    assert ack.status_code == 201
    by_delivery = {"id": "r-1", "delivery_id": ack.json()["id"], "recipient": h(1), "type": "read",
                   "at": "2026-11-02T10:00:00Z"}
    assert client.post("/v1/events", json={"events": [by_delivery]}).json()["accepted"] == 1
    r = client.post("/v1/events", json={"events": [{**by_delivery, "id": "r-2", "delivery_id": 999}]})
    assert r.status_code == 422 and "no delivery 999 was acknowledged by token 'pusher'" in err(r)["message"]


def test_malformed_batches_are_400(world: World, client: httpx.Client, err: ErrorOf) -> None:
    mid = world.released("sms")
    for body in ({"events": []}, {"events": [{**event(mid, 1), "type": "liked"}]},
                 {"events": [{k: v for k, v in event(mid, 1).items() if k != "channel"}]},
                 {"events": [event(mid, 1, at="2026-11-02T10:00:00")]}, {"events": [event(mid, 1, extra=1)]}):
        r = client.post("/v1/events", json=body)
        assert r.status_code == 400, (body, r.text)
        assert err(r)["code"] == "invalid_request"
    r = client.post("/v1/events", json={"events": [{k: v for k, v in event(mid, 1).items() if k != "channel"}]})
    assert "give delivery_id, or material_id, version and channel" in err(r)["message"]


def test_a_batch_waits_briefly_for_the_write_lock_then_is_a_503(
        world: World, lib: Library, client: httpx.Client, server: LiveServer, token: str,
        err: ErrorOf) -> None:
    mid = world.released("sms")
    got: dict[str, httpx.Response] = {}

    def post() -> None:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
            got["r"] = c.post("/v1/events", json={"events": [event(mid, 1)]}, timeout=30)

    with write_lock(lib):
        writer = threading.Thread(target=post)
        writer.start()
        time.sleep(0.2)
        assert client.get("/v1/materials", timeout=5).status_code == 200  # reads go on
        writer.join(timeout=30)
    assert got["r"].status_code == 503 and err(got["r"])["code"] == "busy"
    assert client.post("/v1/events", json={"events": [event(mid, 1)]}).json()["accepted"] == 1
