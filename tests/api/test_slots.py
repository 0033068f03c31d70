"""GET /v1/slots/{id}/pick over a real socket, and the whole loop through `contentgen serve`."""

from __future__ import annotations

import hashlib
import json
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.testing import cli_ok
from contentgen.usecases import open_library
from library import Library, slots
from library.rescan import rescan
from tests.api.served import serve

if TYPE_CHECKING:
    from tests.api.conftest import ErrorOf, World


def h(i: int | str) -> str:
    return hashlib.sha256(f"customer-{i}".encode()).hexdigest()


def pick(client: httpx.Client, slot_id: str, recipient: str) -> httpx.Response:
    return client.get(f"/v1/slots/{slot_id}/pick", params={"recipient": recipient})


def test_a_pick_is_a_released_variant_with_its_payload_stable_per_recipient(
        world: World, lib: Library, client: httpx.Client) -> None:
    mids = [world.released("sms", body=f"好久不见，新品第{i}款上架。") for i in range(3)]
    slot = slots.create_slot(lib, mids, metric="clicked", actor="olivia")
    r = pick(client, slot.id, h(1))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["slot_id"] == slot.id and body["recipient"] == h(1) and body["new"] is True
    assert body["allocation"] in ("thompson", "holdout")
    item = body["item"]
    assert item["id"] in mids and item["version"] == 1 and item["channel"] == "sms"
    assert "新品第" in json.dumps(item["payload"], ensure_ascii=False)
    for _ in range(3):
        again = pick(client, slot.id, h(1)).json()
        assert again["item"]["id"] == item["id"] and again["new"] is False
    seen = {pick(client, slot.id, h(i)).json()["item"]["id"] for i in range(20)}
    assert len(seen) >= 2  # no data yet: every variant gets tried
    rows = lib._db().conn.execute("SELECT COUNT(*) FROM slot_picks WHERE slot_id = ?", [slot.id]).fetchone()
    assert rows[0] == 20  # one recorded assignment per recipient, not one per request


def test_retired_and_withdrawn_variants_leave_the_slot_at_once(
        world: World, lib: Library, client: httpx.Client, err: ErrorOf) -> None:
    lib.users.add("cora", "compliance")
    a, b = world.released("sms", body="好久不见，甲款上架。"), world.released("sms", body="好久不见，乙款上架。")
    slot = slots.create_slot(lib, [a, b], metric="replied", actor="olivia")
    given = {i: pick(client, slot.id, h(i)).json()["item"]["id"] for i in range(12)}
    lib.retire(a, actor="rita")
    for i in range(12):
        got = pick(client, slot.id, h(i)).json()
        assert got["item"]["id"] == b and got["new"] is (given[i] == a)

    class BlocksB:
        def packs(self, scope: Any) -> frozenset[tuple[str, str]]:
            return frozenset({("test.pack", "2")})

        def check(self, content: Any, scope: Any) -> ComplianceReport:
            if "乙款" not in content.model_dump_json():
                return ComplianceReport(verdict="pass")
            return ComplianceReport(verdict="block", findings=[Finding(
                rule="test.blocked", severity="error", start=0, end=1, match="乙", message="blocked")])

    rescan(lib, engine=BlocksB())
    r = pick(client, slot.id, h(1))
    assert r.status_code == 404 and "has no variant released now" in err(r)["message"]
    lib.override(b, 1, actor="cora", justification="checked with legal")  # reinstated: served again
    assert pick(client, slot.id, h(1)).json()["item"]["id"] == b


def test_pick_refusals(world: World, lib: Library, client: httpx.Client, err: ErrorOf) -> None:
    sms = [world.released("sms"), world.released("sms")]
    moments = [world.released("moments"), world.released("moments")]
    on_sms = slots.create_slot(lib, sms, metric="clicked", actor="olivia")
    on_moments = slots.create_slot(lib, moments, metric="clicked", actor="olivia")
    r = pick(client, on_moments.id, h(1))
    assert r.status_code == 403 and "slot " + on_moments.id + " is on moments" in err(r)["message"]
    assert pick(client, "slot_nope", h(1)).status_code == 404
    for value, kind in (("13812345678", "phone"), ("wei.zhang@example.cn", "e-mail"), ("张伟", "name")):
        r = pick(client, on_sms.id, value)
        assert r.status_code == 422 and err(r)["code"] == "invalid_recipient"
        assert kind in err(r)["message"] and value not in r.text
    assert client.get(f"/v1/slots/{on_sms.id}/pick").status_code == 400
    r = client.get(f"/v1/slots/{on_sms.id}/pick", params={"recipient": h(1), "channel": "sms"})
    assert r.status_code == 400 and "unknown query parameter channel" in err(r)["message"]
    assert lib._db().conn.execute("SELECT COUNT(*) FROM slot_picks").fetchone()[0] == 0


def test_outcomes_attribute_to_the_variant_each_recipient_was_given(
        world: World, lib: Library, client: httpx.Client) -> None:
    a, b = world.released("sms"), world.released("sms")
    slot = slots.create_slot(lib, [a, b], metric="clicked", actor="olivia", holdout=0.0)
    given = {i: pick(client, slot.id, h(i)).json()["item"] for i in range(30)}
    # Everyone given A clicks; of those given B, nobody; each also "clicks" the other variant's
    # id once, which must not count for it (they were never given it).
    at = _now()
    events = []
    for i, item in given.items():
        other = b if item["id"] == a else a
        if item["id"] == a:
            events.append({"id": f"c-{i}", "material_id": a, "version": 1, "channel": "sms",
                           "recipient": h(i), "type": "clicked", "at": at})
        events.append({"id": f"x-{i}", "material_id": other, "version": 1, "channel": "sms",
                       "recipient": h(i), "type": "clicked", "at": at})
    assert client.post("/v1/events", json={"events": events}).status_code == 200
    report = {v["material_id"]: v for v in slots.report(lib, slot, min_n=1)["variants"]}
    n_a = sum(1 for item in given.values() if item["id"] == a)
    assert report[a]["picked"] == n_a and report[a]["clicked"] == n_a and report[a]["rate"] == 1.0
    assert report[b]["picked"] == 30 - n_a and report[b]["clicked"] == 0


def _now() -> str:
    return datetime.now(UTC).isoformat()


def test_the_loop_through_contentgen_serve_and_the_cli(tmp_path: Path, kit: Any) -> None:
    db = tmp_path / "loop.db"
    lib = open_library(db)
    world = kit.World(lib)
    lib.users.add("rui", "operator")
    mids = [world.released("wecom_1v1", body=f"好久不见，新品第{i}款。") for i in range(3)]
    lib.close()
    created = cli_ok("slots", "create", "--materials", ",".join(mids), "--metric", "clicked",
                     "--as", "rui", "--db", str(db)).output
    slot_id = created.strip().splitlines()[-1]
    assert slot_id.startswith("slot_")
    token = cli_ok("tokens", "create", "wecom-app", "--channels", "wecom_1v1", "--db", str(db)).output.strip().splitlines()[-1]
    proc, url, first = serve(db)
    try:
        auth = {"Authorization": f"Bearer {token}"}
        items = {}
        for i in range(8):
            r = httpx.get(f"{url}/v1/slots/{slot_id}/pick", params={"recipient": h(i)}, headers=auth)
            assert r.status_code == 200, r.text
            items[i] = r.json()["item"]
        refused = httpx.get(f"{url}/v1/slots/{slot_id}/pick", params={"recipient": "13900001111"}, headers=auth)
        assert refused.status_code == 422
        events = [{"id": f"e{i}", "material_id": item["id"], "version": item["version"], "channel": "wecom_1v1",
                   "recipient": h(i), "type": "clicked", "at": _now()} for i, item in items.items()]
        headers = {**auth, "Idempotency-Key": "batch-1"}
        assert httpx.post(f"{url}/v1/events", json={"events": events}, headers=headers).json()["accepted"] == 8
        assert httpx.post(f"{url}/v1/events", json={"events": events}, headers=headers).json()["duplicates"] == 8
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert "13900001111" not in first + out  # the refused phone number is not in the access log
    shown = json.loads(cli_ok("slots", "show", slot_id, "--min-n", "1", "--format", "json", "--db", str(db)).output)
    assert sum(v["picked"] for v in shown["variants"]) == 8 and sum(v["clicked"] for v in shown["variants"]) == 8
    text = cli_ok("perf", "--slot", slot_id, "--db", str(db)).output
    assert slot_id in text and "not enough data yet" in text
    listed = json.loads(cli_ok("slots", "list", "--format", "json", "--db", str(db)).output)
    assert [s["id"] for s in listed] == [slot_id]
