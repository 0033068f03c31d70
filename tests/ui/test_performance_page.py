"""The Performance page under AppTest: rates with intervals, thin groups, trends, slots, text."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from library import slots
from library.outcomes import OutcomeEventIn, ingest
from library.performance_views import short_id
from review_ui._i18n import label, name
from tests.ui.conftest import APP, USERS
from tests.ui.test_hardening_markdown import EVIL, assert_shown_as_text

TITLE = "**bold** <img src=x> 周末"


def h(*parts: object) -> str:
    return hashlib.sha256("-".join(map(str, parts)).encode()).hexdigest()


def send(lib: Any, mid: str, reached: int, *, clicked: int = 0, read: int = 0, days_ago: float = 1,
         channel: str = "app_push", tag: str = "") -> None:
    """`reached` recipients delivered; the first `clicked` clicked, the first `read` read."""
    at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    events = []
    for i in range(reached):
        kinds = ["delivered"] + (["clicked"] if i < clicked else []) + (["read"] if i < read else [])
        for kind in kinds:
            events.append(OutcomeEventIn.model_validate({
                "id": f"{mid}-{tag}{i}-{kind}", "material_id": mid, "version": 1, "channel": channel,
                "recipient": h(mid, tag, i), "type": kind, "at": at}))
    ingest(lib._db().conn, events, source="test")


def perf_as(user: str, lang: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = {"name": user, "role": USERS[user]}
    at.session_state["ui_lang"] = lang
    at.switch_page("pages/performance.py").run()
    assert not at.exception, at.exception
    return at


def metrics_of(at: Any) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_rows(at: Any) -> list[list[dict[str, Any]]]:
    """The rows behind each Altair chart, as the browser receives them: Arrow IPC when Streamlit
    moved them out of the spec, else the spec's own values (the first layer's, when layers
    carry their own data: the value labels' rows come after)."""
    out = []
    for c in at.get("vega_lite_chart"):
        raw = c.proto.data.data or (c.proto.datasets[0].data.data if c.proto.datasets else b"")
        if raw:
            out.append(pa.ipc.open_stream(raw).read_all().to_pylist())
            continue
        spec = json.loads(c.proto.spec)
        data = spec.get("data") or spec["layer"][0]["data"]
        out.append(list(data["values"]))
    return out


def table_with(at: Any, column: str) -> Any:
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture
def seeded(make_material: Any) -> dict[str, str]:
    """Two retail pushes with enough recipients (25% and 40% clicked), a thin finance SMS."""
    a = make_material("released").id
    b = make_material("released", body="野餐篮第二款上新，点击查看。").id
    thin = make_material("released", body="理财讲座周末开讲。", industry="finance", channel="sms").id
    return {"a": a, "b": b, "thin": thin}


@pytest.fixture
def sent(lib: Any, seeded: dict[str, str]) -> dict[str, str]:
    send(lib, seeded["a"], 40, clicked=10, read=20)
    send(lib, seeded["b"], 35, clicked=14, read=7)
    send(lib, seeded["thin"], 5, clicked=1, channel="sms")
    return seeded


def test_rates_with_intervals_best_first_and_thin_groups_in_both_languages(sent: dict[str, str]) -> None:
    at = perf_as("olivia", "zh")
    at.selectbox(key="perf_by").set_value("industry").run()
    for user, lang in (("olivia", "zh"), ("chen", "en"), ("rui", "zh")):
        at.session_state["user"] = {"name": user, "role": USERS[user]}
        at.session_state["ui_lang"] = lang
        at.run()
        assert not at.exception, (lang, at.exception)
        got = metrics_of(at)
        assert len(got) == 6  # two rows of three
        assert got[label("perf_rate_clicked", lang)] == f"{25 / 80:.1%}"
        assert got[label("perf_rate_read", lang)] == f"{27 / 80:.1%}"
        assert got[label("perf_rate_complained", lang)] == "0.0%"
        captions = [c.value for c in at.caption]
        assert label("perf_reached_total", lang, n=80, need=30) in captions
        assert any(c.startswith(label("perf_interval", lang, low="", high="", count=25, reached=80)[:6])
                   for c in captions)
        table = table_with(at, "interval")
        assert list(table["name"]) == [name("industry", "retail", lang), name("industry", "finance", lang)]
        assert list(table["reached"]) == [75, 5]
        assert table["rate"].iloc[0] == pytest.approx(100 * 24 / 75)  # in percent
        assert table["interval"].iloc[1] == label("perf_not_enough", lang)  # no number for 5
        ranking = chart_rows(at)[0]
        assert [r["row_name"] for r in ranking] == [name("industry", "retail", lang)]
        assert ranking[0]["label"] == "32.0%" and ranking[0]["rate_low"] < 0.32 < ranking[0]["rate_high"]


def test_groups_come_best_first(sent: dict[str, str]) -> None:
    at = perf_as("rui", "en")
    at.selectbox(key="perf_by").set_value("material").run()
    table = table_with(at, "interval")
    assert [n.split(" · ")[-1] for n in table["name"]] == [short_id(sent[k]) for k in ("b", "a", "thin")]
    at.selectbox(key="perf_rate").set_value("read").run()  # a's 50% read now leads
    table = table_with(at, "interval")
    assert [n.split(" · ")[-1] for n in table["name"]][:2] == [short_id(sent["a"]), short_id(sent["b"])]
    everything = table_with(at, "unsubscribed")
    assert list(everything["clicked"])[:2] == [f"{10 / 40:.1%}", f"{14 / 35:.1%}"]


def test_trend_per_day_and_week_on_a_time_axis(lib: Any, seeded: dict[str, str]) -> None:
    send(lib, seeded["a"], 30, clicked=3, days_ago=3, tag="early")
    send(lib, seeded["a"], 40, clicked=20, days_ago=1)
    send(lib, seeded["b"], 4, days_ago=2)  # a thin day: left out of the line, still reached
    at = perf_as("chen", "zh")
    charts = chart_rows(at)
    line, reached = charts[1], charts[2]
    assert [r["label"] for r in line] == ["10.0%", "50.0%"]
    assert line[0]["day"] < line[1]["day"]
    assert [r["reached"] for r in reached] == [30, 4, 40]
    assert [r["label"] for r in reached] == ["30", "4", "40"]
    assert label("perf_trend_thin", "zh", n=1) in [c.value for c in at.caption]
    specs = [c.proto.spec for c in at.get("vega_lite_chart")[1:]]
    assert all('"temporal"' in s and '"text"' in s for s in specs)
    at.radio(key="perf_trend").set_value("week").run()
    assert not at.exception, at.exception
    weeks = chart_rows(at)[2]
    assert sum(r["reached"] for r in weeks) == 74
    assert all(datetime.fromisoformat(r["day"]).weekday() == 0 for r in weeks)  # Mondays


def test_the_period_leaves_older_sends_out(lib: Any, seeded: dict[str, str]) -> None:
    send(lib, seeded["a"], 30, clicked=6, days_ago=45)
    at = perf_as("rui", "en")  # the last 30 days by default
    assert at.info and at.info[0].value == label("perf_no_events", "en")
    at.selectbox(key="perf_period").set_value(0).run()
    assert metrics_of(at)[label("perf_rate_clicked", "en")] == "20.0%"


def test_a_slot_lists_its_variants_with_picks_outcomes_rate_and_lift(lib: Any, make_material: Any) -> None:
    a = make_material("released").id
    b = make_material("released", body="野餐篮第二款上新，点击查看。").id
    slot = slots.create_slot(lib, [a, b], metric="clicked", actor="rui", name="周末推送")
    conn, rng = lib._db().conn, random.Random(7)
    given = {}
    for i in range(80):
        got = slots.pick(conn, slot, h("r", i), rng=rng)
        assert got is not None
        given[i] = got.released.id
    clicks = [OutcomeEventIn.model_validate({
        "id": f"c{i}", "material_id": mid, "version": 1, "channel": "app_push", "recipient": h("r", i),
        "type": "clicked", "at": datetime.now(UTC).isoformat()}) for i, mid in given.items()
        if i % (2 if mid == a else 5) == 0]
    ingest(conn, clicks, source="test")
    expected = slots.report(lib, slot)
    for lang in ("zh", "en"):
        at = perf_as("olivia", lang)
        assert any(name("channel", "app_push", lang) in m.value and "周末推送" in m.value
                   for m in at.markdown)
        table = table_with(at, "lift")
        assert len(table) == 2
        for v in expected["variants"]:
            row = next(r for r in table.to_dict("records") if r["variant"].endswith(short_id(v["material_id"])))
            assert (row["picked"], row["outcomes"]) == (v["picked"], v["clicked"])
            assert row["served"] == label("perf_served_version", lang, v=1)
            if v["rate"] is None:
                assert row["rate"] == label("perf_not_enough", lang) and row["lift"] == "—"
            else:
                assert row["rate"].startswith(f"{v['rate']:.1%}")
    lib.retire(a, actor="rui")
    at = perf_as("olivia", "en")
    served = {r["variant"].split(" · ")[-1]: r["served"] for r in table_with(at, "lift").to_dict("records")}
    assert served[short_id(a)] == label("perf_not_served", "en")


def test_nothing_yet_says_so(lib: Any) -> None:
    at = perf_as("chen", "zh")
    assert at.info[0].value == label("perf_no_events", "zh")
    assert label("perf_no_slots", "zh") in [c.value for c in at.caption]


def test_titles_and_slot_names_show_as_text(lib: Any, push_draft: Any) -> None:
    ids = []
    for i in range(2):
        d = push_draft(f"野餐篮第{i}款。", [])
        d = d.model_copy(update={"content": d.content.model_copy(update={"title": f"{TITLE} {EVIL}"})})
        mid = lib.save_draft(d, author="olivia").material_id
        lib.submit(mid, 1, actor="olivia")
        lib.approve(mid, 1, actor="rui")
        lib.release(mid, 1, actor="rui")
        ids.append(mid)
        send(lib, mid, 30, clicked=3 + i)
    slots.create_slot(lib, ids, metric="clicked", actor="rui", name=f"slot {EVIL}")
    at = perf_as("rui", "zh")
    at.selectbox(key="perf_by").set_value("material").run()
    assert_shown_as_text(at, f"slot {EVIL}")
    names = list(table_with(at, "interval")["name"])
    assert names[0] == f"{TITLE} {EVIL} · {short_id(ids[1])}"  # a plain-text cell, literally
    assert table_with(at, "lift")["variant"].str.startswith(f"{TITLE} {EVIL}").all()
    assert chart_rows(at)[0][0]["row_name"] == names[0]  # chart text is drawn, never parsed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_word_with_data_is_in_the_users_language(sent: dict[str, str], lib: Any, lang: str) -> None:
    """The language walk sees this page over the demo, which has no outcomes: read it with data."""
    from tests.ui.language_checks import problems, shown_strings

    slots.create_slot(lib, [sent["a"], sent["b"]], metric="replied", actor="rui")
    at = perf_as("rui", lang)
    for by in ("segment", "channel", "content_type", "industry", "persona", "prompt"):
        at.selectbox(key="perf_by").set_value(by).run()
        assert not at.exception, (by, at.exception)
        found = [(p, s) for s in shown_strings(at) for p in problems(s, lang)]
        assert not found, (by, found[:10])
