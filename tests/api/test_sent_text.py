"""Sent text over real HTTP (issue 15, item 7): on a delivery ack and on events, compared with
the approved payload, idempotent, 422 when too long, 503 under a held write lock, no name stored."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.testing_pg import dump_text, raw_connection
from library import Library, sent_text
from tests.api.conftest import CONTENT, ErrorOf, LiveServer, World

APPROVED = CONTENT["push"]["title"] + "\n" + CONTENT["push"]["body"] + "\n" + CONTENT["push"]["deeplink"]
EDITED = "张三，您好！" + APPROVED.replace("点击查看", "保本高收益，点击查看")


def banned_checker(content: Any, **kw: Any) -> ComplianceReport:
    text = content.body
    findings = [Finding(rule="finance.guaranteed_return", severity="error", start=text.find("保本"),
                        end=text.find("保本") + 2, match="保本", message="promises a return")] if "保本" in text else []
    return ComplianceReport(verdict=ComplianceReport.verdict_for(findings), findings=findings)


@pytest.fixture
def wecom(lib: Library, server: LiveServer) -> Iterator[httpx.Client]:
    lib.checker = banned_checker
    token = lib.tokens.create("wecom-app", ["wecom_1v1"])
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as c:
        yield c


def ack(mid: str, **kw: object) -> dict[str, object]:
    return {"material_id": mid, "version": 1, "channel": "wecom_1v1", "recipients": 1} | kw


def test_an_unchanged_send_is_not_an_edit(wecom: httpx.Client, world: World, lib: Library) -> None:
    mid = world.released("wecom_1v1")
    r = wecom.post("/v1/deliveries", json=ack(mid, sent_text="张三先生，" + APPROVED.replace("\n", "\n\n "),
                                              recipient_name="张三"), headers={"Idempotency-Key": "a"})
    assert r.status_code == 201, r.text
    assert r.json()["edited_after_approval"] is False
    plain = wecom.post("/v1/deliveries", json=ack(mid), headers={"Idempotency-Key": "b"})
    assert plain.json()["edited_after_approval"] is None
    assert sent_text.edited_after_approval(lib) == []


def test_an_edited_send_is_queued_rechecked_and_replayed_once(wecom: httpx.Client, world: World,
                                                              lib: Library) -> None:
    mid = world.released("wecom_1v1")
    body = ack(mid, sent_text=EDITED, recipient_name="张三", sender="zhang.wei")
    r = wecom.post("/v1/deliveries", json=body, headers={"Idempotency-Key": "send-1"})
    assert r.status_code == 201, r.text
    assert r.json()["edited_after_approval"] is True
    again = wecom.post("/v1/deliveries", json=body, headers={"Idempotency-Key": "send-1"})
    assert again.json() == r.json() and again.headers["idempotent-replayed"] == "true"
    (item,) = sent_text.edited_after_approval(lib)
    assert item["delivery_id"] == r.json()["id"] and item["sender"] == "zhang.wei"
    assert item["recheck_verdict"] == "block" and item["finding"]["severity"] == "error"
    assert "保本" in item["diff"]
    assert [e.action for e in lib.history(mid)].count(sent_text.ACTION) == 1
    assert "张三" not in dump_text(lib.target)


def test_a_long_or_binary_sent_text_is_422(wecom: httpx.Client, world: World, err: ErrorOf) -> None:
    mid = world.released("wecom_1v1")
    r = wecom.post("/v1/deliveries", json=ack(mid, sent_text="字" * 20_001), headers={"Idempotency-Key": "k"})
    assert r.status_code == 422 and "20,000" in err(r)["message"]
    r = wecom.post("/v1/deliveries", json=ack(mid, sent_text="a\x00b"), headers={"Idempotency-Key": "k"})
    assert r.status_code == 422 and "control character" in err(r)["message"]
    r = wecom.post("/v1/deliveries", json=ack(mid, sent_texts="x"), headers={"Idempotency-Key": "k"})
    assert r.status_code == 400  # unknown fields stay refused
    r = wecom.post("/v1/deliveries", json=ack(mid, sent_text="字" * 20_000), headers={"Idempotency-Key": "k"})
    assert r.status_code == 201 and r.json()["edited_after_approval"] is True


def test_a_held_write_lock_is_a_503_and_the_retry_records_once(
        wecom: httpx.Client, world: World, lib: Library, err: ErrorOf) -> None:
    mid = world.released("wecom_1v1")
    body = ack(mid, sent_text=EDITED, recipient_name="张三")
    held = raw_connection(lib.target)
    posted: dict[str, Any] = {}
    try:
        held.execute("BEGIN IMMEDIATE")
        worker = threading.Thread(target=lambda: posted.update(
            r=wecom.post("/v1/deliveries", json=body, headers={"Idempotency-Key": "held"}, timeout=30)))
        worker.start()
        time.sleep(0.2)
        worker.join(timeout=30)
    finally:
        held.execute("ROLLBACK")
        held.close()
    assert posted["r"].status_code == 503 and err(posted["r"])["code"] == "busy"
    assert sent_text.edited_after_approval(lib) == []  # nothing half-written
    r = wecom.post("/v1/deliveries", json=body, headers={"Idempotency-Key": "held"})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    assert len(sent_text.edited_after_approval(lib)) == 1


def _event(i: int, mid: str, **kw: object) -> dict[str, object]:
    return {"id": f"e-{i}", "material_id": mid, "version": 1, "channel": "wecom_1v1",
            "recipient": f"9f86d081884c7d65{i:04d}", "type": "delivered",
            "at": "2026-11-02T09:30:00+08:00"} | kw


def test_events_carry_sent_text_too(wecom: httpx.Client, world: World, lib: Library, err: ErrorOf) -> None:
    mid = world.released("wecom_1v1")
    batch = {"events": [_event(1, mid, sent_text=EDITED, recipient_name="张三", sender="li.na"),
                        _event(2, mid, sent_text=EDITED.replace("张三", "李四"), recipient_name="李四"),
                        _event(3, mid, sent_text=APPROVED), _event(4, mid)]}
    r = wecom.post("/v1/events", json=batch)
    assert r.status_code == 200 and r.json()["accepted"] == 4, r.text
    again = wecom.post("/v1/events", json=batch)
    assert again.json()["duplicates"] == 4
    queue = sent_text.edited_after_approval(lib)
    assert sorted(q["event_id"] for q in queue) == ["e-1", "e-2"]
    assert {q["sender"] for q in queue} == {"li.na", None}
    assert all(q["recipient"].startswith("9f86d081884c7d65") for q in queue)
    flags = dict(lib._db().conn.execute("SELECT event_id, edited FROM sent_texts").fetchall())
    assert flags == {"e-1": 1, "e-2": 1, "e-3": 0}
    too_long = wecom.post("/v1/events", json={"events": [_event(9, mid, sent_text="字" * 20_001)]})
    assert too_long.status_code == 422 and "event 1 (id 'e-9')" in err(too_long)["message"]
    assert lib._db().conn.execute("SELECT COUNT(*) FROM outcome_events WHERE event_id = 'e-9'").fetchone()[0] == 0
