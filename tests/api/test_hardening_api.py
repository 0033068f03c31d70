"""Red-team regressions on the delivery API (issue 10): lock waits, huge integers, body limits."""

from __future__ import annotations

import base64
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from contentgen.testing_pg import raw_connection
from library import Library
from library.api.app import create_app
from library.api.guard import ApiLimits

if TYPE_CHECKING:
    from tests.api.conftest import ErrorOf, LiveServer, SwappableApp, World


def ack(mid: str, **kw: Any) -> dict[str, Any]:
    return {"material_id": mid, "version": 1, "channel": "sms", "recipients": 5, **kw}


@contextmanager
def write_lock(lib: Library) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction (a CLI command, an import, a backup) holding the lock."""
    conn = raw_connection(lib.target)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


# ---- item 1: a held write lock never freezes the API ------------------------------------------


def test_reads_are_answered_and_a_blocked_write_is_a_503_while_the_lock_is_held(
        world: World, lib: Library, client: httpx.Client, server: LiveServer, token: str,
        err: ErrorOf) -> None:
    mid = world.released("sms")
    posted: dict[str, Any] = {}

    def post() -> None:
        t0 = time.monotonic()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
            posted["r"] = c.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "held-1"},
                                 timeout=60)
        posted["s"] = time.monotonic() - t0

    with write_lock(lib):
        writer = threading.Thread(target=post)
        writer.start()
        time.sleep(0.3)  # the POST is now waiting for the write lock
        t0 = time.monotonic()
        assert client.get("/healthz", timeout=5).status_code == 200
        listed = client.get("/v1/materials", timeout=5)
        assert listed.status_code == 200 and [i["id"] for i in listed.json()["items"]] == [mid]
        assert client.get("/v1/sync", timeout=5).status_code == 200
        assert time.monotonic() - t0 < 2, "reads waited for the writer"
        writer.join(timeout=60)
        r = posted["r"]
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert err(r)["code"] == "busy" and "retry" in err(r)["message"]
        assert posted["s"] < 6
    # Nothing was recorded by the 503: the same key now records the delivery once.
    again = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "held-1"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers


# ---- item 11: huge integers are a 400, never an OverflowError 500 -----------------------------


def _cursor(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("field,value", [("version", 10**30), ("version", 2**63), ("recipients", 10**30)])
def test_huge_integers_in_a_delivery_are_400(world: World, client: httpx.Client, err: ErrorOf,
                                             field: str, value: int) -> None:
    mid = world.released("sms")
    r = client.post("/v1/deliveries", json=ack(mid, **{field: value}), headers={"Idempotency-Key": "big"})
    assert r.status_code == 400, r.text
    assert field in err(r)["message"]


def test_a_thousands_of_digits_integer_is_400(world: World, client: httpx.Client, err: ErrorOf) -> None:
    mid = world.released("sms")
    body = json.dumps(ack(mid)).replace('"version": 1', '"version": ' + "9" * 5000)
    r = client.post("/v1/deliveries", content=body, headers={"Idempotency-Key": "big",
                                                              "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    err(r)


@pytest.mark.parametrize("seq", [10**30, 2**63, -(2**70), True])
def test_huge_or_odd_integers_in_a_sync_cursor_are_400(client: httpx.Client, err: ErrorOf, seq: Any) -> None:
    r = client.get("/v1/sync", params={"cursor": _cursor({"k": "sync", "c": ["sms"], "s": seq})})
    assert r.status_code == 400, r.text
    assert err(r)["code"] == "invalid_cursor"


def test_huge_integers_anywhere_in_a_list_cursor_are_400(client: httpx.Client, err: ErrorOf) -> None:
    state = {"k": "list", "q": {"c": ["app_push", "sms"], "f": {}}, "a": "mat_x", "n": 10**40}
    r = client.get("/v1/materials", params={"cursor": _cursor(state)})
    assert r.status_code == 400 and err(r)["code"] == "invalid_cursor"


# ---- item 15: a body cap (413) and a read timeout ---------------------------------------------


def test_a_body_over_the_cap_is_413_before_it_is_read(client: httpx.Client, world: World, err: ErrorOf) -> None:
    mid = world.released("sms")
    big = json.dumps(ack(mid, padding="x" * (ApiLimits().max_body_bytes + 1)))
    r = client.post("/v1/deliveries", content=big, headers={"Idempotency-Key": "k",
                                                             "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    e = err(r)
    assert e["code"] == "payload_too_large" and "1 MiB" in e["message"]


def test_a_chunked_body_over_the_cap_is_413(client: httpx.Client, world: World, err: ErrorOf) -> None:
    mid = world.released("sms")

    def chunks() -> Iterator[bytes]:
        yield json.dumps(ack(mid))[:-1].encode() + b', "padding": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    r = client.post("/v1/deliveries", content=chunks(), headers={"Idempotency-Key": "k",
                                                                  "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert err(r)["code"] == "payload_too_large"


def test_a_body_under_the_cap_is_served_as_before(client: httpx.Client, world: World) -> None:
    mid = world.released("sms")
    r = client.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "small"})
    assert r.status_code == 201, r.text


def _raw_exchange(url: str, request: bytes, wait: float) -> tuple[bytes, float]:
    host, port = url.removeprefix("http://").split(":")
    t0 = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(request)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except TimeoutError:
            pass
    return got, time.monotonic() - t0


def test_an_incomplete_body_does_not_hold_the_connection(
        lib: Library, token: str, live_server: tuple[LiveServer, SwappableApp]) -> None:
    live, mount = live_server
    app = create_app(lib, limits=ApiLimits(body_read_timeout_s=0.5))
    mount.app = app
    try:
        request = (b"POST /v1/deliveries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Authorization: Bearer " + token.encode() + b"\r\nIdempotency-Key: slow\r\n"
                   b"Content-Length: 200\r\n\r\n{\"material_id\": ")
        got, took = _raw_exchange(live.url, request, wait=10)
        assert got.startswith(b"HTTP/1.1 408 "), got[:200]
        assert b"request_timeout" in got
        assert took < 5  # answered, and the server closed the connection (recv saw EOF)
    finally:
        mount.app = None
        app.state.delivery.close()
