"""Outcome events in the library (ingest, CSV import) and the performance figures over them."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contentgen.testing import cli_main, cli_ok
from library import Library, outcomes, performance
from library.errors import ConflictError, PermissionDenied
from library.outcomes import EventsRefused, OutcomeEventIn, ingest
from tests.outcome_data import h, released


def ev(mid: str, i: int, kind: str = "delivered", **kw: Any) -> OutcomeEventIn:
    data: dict[str, Any] = {"id": f"{mid}-{i}-{kind}", "material_id": mid, "version": 1, "channel": "sms",
                            "recipient": h(i), "type": kind, "at": "2026-11-02T09:30:00+08:00", **kw}
    return OutcomeEventIn.model_validate(data)


@pytest.fixture
def mid(lib: Library, draft_factory: Any) -> str:
    return released(lib, draft_factory)


def test_a_replayed_batch_adds_nothing_and_counts_duplicates(lib: Library, mid: str) -> None:
    conn = lib._db().conn
    batch = [ev(mid, i) for i in range(5)] + [ev(mid, 0, "clicked")]
    assert ingest(conn, batch, source="app").as_dict() == {"received": 6, "accepted": 6, "duplicates": 0}
    again = ingest(conn, [*batch, ev(mid, 9)], source="app")
    assert (again.accepted, again.duplicates) == (1, 6) and outcomes.count(lib) == 7
    # The same instant written in another zone is the same event, not a conflict.
    same = ev(mid, 0, at="2026-11-02T01:30:00Z")
    assert ingest(conn, [same], source="app").duplicates == 1
    # Ids belong to their source: another client's "same" id is its own event.
    assert ingest(conn, [ev(mid, 0)], source="other").accepted == 1


def test_an_id_reused_for_another_event_refuses_the_whole_batch(lib: Library, mid: str) -> None:
    conn = lib._db().conn
    ingest(conn, [ev(mid, 1)], source="app")
    changed = ev(mid, 1, at="2026-11-03T09:30:00+08:00")
    with pytest.raises(ConflictError, match=f"'{mid}-1-delivered' already stands for a different event"):
        ingest(conn, [ev(mid, 2), changed], source="app")
    with pytest.raises(ConflictError):
        ingest(conn, [ev(mid, 3), ev(mid, 3, value=5.0)], source="app")  # twice in one batch
    assert outcomes.count(lib) == 1


def test_events_for_a_version_never_released_are_refused(lib: Library, mid: str, draft_factory: Any) -> None:
    approved = lib.save_draft(draft_factory(), author="alice").material_id
    lib.submit(approved, 1, actor="alice")
    lib.approve(approved, 1, actor="rita")
    with pytest.raises(EventsRefused) as e:
        ingest(lib._db().conn, [ev(mid, 1), ev(approved, 2), ev(mid, 3, version=7), ev("mat_none", 4)],
               source="app")
    assert len(e.value.problems) == 3
    assert f"event 2 (id '{approved}-2-delivered'): material '{approved}' version 1 was never released" in str(e.value)
    assert "version 7 was never released" in str(e.value) and "'mat_none'" in str(e.value)
    assert "Nothing in this batch was stored" in str(e.value) and outcomes.count(lib) == 0
    with pytest.raises(EventsRefused, match="is on channel sms, not app_push"):
        ingest(lib._db().conn, [ev(mid, 1, channel="app_push")], source="app")


@pytest.mark.parametrize("recipient,kind", [
    ("13812345678", "phone"), ("+86 138-1234-5678", "phone"), ("11010519491231002X", "ID number"),
    ("ana.lopez@example.com", "e-mail"), ("王小明", "name"), ("Ana Lopez", "name"), ("analopez", "name"),
    ("abc123", "not hash-like"),
])
def test_recipients_that_look_like_personal_data_are_refused(lib: Library, mid: str, recipient: str,
                                                             kind: str) -> None:
    with pytest.raises(EventsRefused) as e:
        ingest(lib._db().conn, [ev(mid, 1, recipient=recipient)], source="app")
    assert kind in str(e.value) and "opaque hash" in str(e.value)
    assert recipient not in str(e.value)  # the refusal never repeats personal data
    assert outcomes.count(lib) == 0


def test_hashes_of_every_usual_shape_are_accepted(lib: Library, mid: str) -> None:
    digest = hashlib.sha256(b"x").digest()
    import base64

    shapes = [digest.hex(), hashlib.md5(b"x").hexdigest(), base64.b64encode(digest).decode(),
              base64.urlsafe_b64encode(digest).decode().rstrip("="), "sha256:" + digest.hex()[:40],
              "wmABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"]
    got = ingest(lib._db().conn, [ev(mid, i, recipient=r) for i, r in enumerate(shapes)], source="app")
    assert got.accepted == len(shapes)


def test_events_may_name_a_delivery_of_their_own_client(lib: Library, mid: str) -> None:
    from library.api import deliveries

    conn = lib._db().conn
    ack = {"material_id": mid, "version": 1, "channel": "sms", "recipients": 3, "sent_at": None}
    stored, _ = deliveries.record(conn, client="app", key="k1", body_hash="h", ack=ack)
    by_delivery = OutcomeEventIn(id="d1", delivery_id=stored["id"], recipient=h(1), type="read",
                                 at=datetime.now(UTC))
    assert ingest(conn, [by_delivery], source="app", channels=["sms"], delivery_client="app").accepted == 1
    row = conn.execute("SELECT material_id, version, channel FROM outcome_events").fetchone()
    assert row == (mid, 1, "sms")
    with pytest.raises(EventsRefused, match="no delivery .* was acknowledged by token 'other'"):
        ingest(conn, [by_delivery], source="other", delivery_client="other")
    with pytest.raises(PermissionDenied, match="may report events on app_push, not sms"):
        ingest(conn, [ev(mid, 2)], source="app", channels=["app_push"])


def test_a_time_without_a_zone_or_far_ahead_is_refused(lib: Library, mid: str) -> None:
    with pytest.raises(ValueError, match="no zone"):
        ev(mid, 1, at="2026-11-02T09:30:00")
    ahead = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    with pytest.raises(EventsRefused, match="more than a day ahead"):
        ingest(lib._db().conn, [ev(mid, 1, at=ahead)], source="app")


# ---- the CSV importer -------------------------------------------------------------------------


def _csv(tmp_path: Path, rows: list[str], header: str = "material_id,version,recipient,type,at,nickname") -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_csv_export_imports_once_with_every_bad_line_named(lib: Library, mid: str, lib_path: Path,
                                                             tmp_path: Path) -> None:
    rows = [f"{mid},1,{h(i)},{t},2026-11-02T10:0{i}:00+08:00,小{i}" for i in range(4)
            for t in ("delivered", "clicked")]
    path = _csv(tmp_path, rows)
    out = cli_ok("events", "import", str(path), "--channel", "sms", "--db", str(lib_path)).output
    assert "8 events read: 8 stored, 0 duplicates" in out
    assert "ignored columns (not stored): nickname" in out
    again = json.loads(cli_ok("events", "import", str(path), "--channel", "sms", "--db", str(lib_path),
                              "--format", "json").output)
    assert again == {"received": 8, "accepted": 0, "duplicates": 8, "ignored_columns": ["nickname"]}
    bad = _csv(tmp_path, [f"{mid},1,{h(9)},clicked,2026-11-02T10:00:00+08:00,x",
                          f"{mid},1,13812345678,clicked,2026-11-02T10:00:00+08:00,x",
                          f"{mid},x,{h(8)},clicked,2026-11-02T10:00:00+08:00,x",
                          f"{mid},1,{h(7)},liked,2026-11-02T10:00:00+08:00,x"])
    code, _, err = cli_main("events", "import", str(bad), "--channel", "sms", "--db", str(lib_path))
    assert code == 2 and err.startswith("Error: ")
    assert "line 3: recipient looks like a phone" in err and "line 4: version" in err and "line 5: type" in err
    assert "13812345678" not in err and outcomes.count(lib) == 8
    code, _, err = cli_main("events", "import", str(_csv(tmp_path, [], header="recipient,type")),
                            "--db", str(lib_path))
    assert code == 2 and "the header has no at, material_id, version column" in err


# ---- performance ------------------------------------------------------------------------------


def test_performance_gives_rates_with_intervals_and_says_when_data_is_thin(
        lib: Library, draft_factory: Any, lib_path: Path) -> None:
    a = released(lib, draft_factory, segment="dormant.mass")
    b = released(lib, draft_factory, segment="active.high_value")
    events = [ev(a, i) for i in range(40)] + [ev(a, i, "clicked") for i in range(10)]
    events += [ev(a, i, "clicked", id=f"again-{i}") for i in range(5)]  # a second click: one recipient
    events += [ev(a, 50 + i, "converted", value=99.0) for i in range(2)]  # no delivered event: still reached
    events += [ev(b, i, "clicked") for i in range(5)]
    ingest(lib._db().conn, events, source="app")
    got = performance.performance(lib, by=["segment"])
    thin, rich = got["groups"]
    assert rich["key"] == {"segment": "dormant.mass"} and rich["reached"] == 42
    clicked = rich["rates"]["clicked"]
    assert clicked["count"] == 10 and clicked["rate"] == pytest.approx(10 / 42)
    assert clicked["low"] < 10 / 42 < clicked["high"] and rich["converted_value"] == 198.0
    assert thin["note"] == "not enough data yet (5 reached; 30 needed)"
    assert thin["rates"]["clicked"] == {"count": 5, "rate": None, "low": None, "high": None}
    out = json.loads(cli_ok("perf", "--by", "segment,content_type", "--since", "2026-11-01",
                            "--format", "json", "--db", str(lib_path)).output)
    assert [g["key"] for g in out["groups"]] == [
        {"segment": "active.high_value", "content_type": "push"}, {"segment": "dormant.mass", "content_type": "push"}]
    assert json.loads(cli_ok("perf", "--since", "2026-11-03", "--format", "json", "--db",
                             str(lib_path)).output)["groups"] == []
    text = cli_ok("perf", "--by", "version,day", "--db", str(lib_path)).output
    assert f"version={a} v1  day=2026-11-02  reached 42" in text and "clicked 23.8% [" in text
    assert "not enough data yet" in text
    code, _, err = cli_main("perf", "--by", "colour", "--db", str(lib_path))
    assert code == 2 and "cannot group by colour" in err


def test_a_recipient_counts_for_the_day_of_their_first_event(lib: Library, mid: str) -> None:
    ingest(lib._db().conn, [ev(mid, 1, at="2026-11-02T23:00:00Z"),
                            ev(mid, 1, "clicked", at="2026-11-03T08:00:00Z")], source="app")
    days = performance.performance(lib, by=["day"], min_reached=1)["groups"]
    assert [(g["key"]["day"], g["reached"], g["rates"]["clicked"]["count"]) for g in days] == [("2026-11-02", 1, 1)]
