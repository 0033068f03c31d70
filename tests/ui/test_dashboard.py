"""The dashboard under AppTest: figures with values, human names, plans apart, content as text."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from review_ui._i18n import LABELS, label, name
from tests.ui.conftest import APP, USERS
from tests.ui.test_hardening_markdown import EVIL, assert_shown_as_text


def dashboard_as(user: str, lang: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = {"name": user, "role": USERS[user]}
    at.session_state["ui_lang"] = lang
    # Straight to the dashboard: AppTest formats the options of a page it leaves outside the
    # script run (in the default language), which other pages' widgets do not survive.
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    return at


def metrics_of(at: Any) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions_with(at: Any, text: str) -> list[str]:
    return [c.value for c in at.caption if text in c.value]


def chart_rows(at: Any) -> list[list[dict[str, Any]]]:
    """The rows behind each Altair chart, as the browser receives them (Arrow IPC)."""
    return [pa.ipc.open_stream(c.proto.data.data).read_all().to_pylist()
            for c in at.get("vega_lite_chart")]


@pytest.fixture
def seeded(lib: Any, make_material: Any, push_draft: Any) -> dict[str, str]:
    """Retail app pushes: one approved, one sent back with a reason, one waiting; a blocked
    finance draft; and a plan's touchpoint waiting, which single-material figures leave out."""
    make_material("approved")
    back = make_material(body="野餐篮第二款上新。")
    lib.request_changes(back.id, 1, actor="rui", reason="请写明活动截止日期")
    make_material(body="野餐篮第三款上新。")
    blocked = make_material("draft", body="全网最低价野餐篮。", error=True, industry="finance",
                            channel="sms")
    tp = lib.save_draft(push_draft("计划第一天：野餐篮上新。", []), author="olivia",
                        plan_id="plan_demo", send_at="2026-12-01T02:00:00Z")
    lib.submit(tp.material_id, 1, actor="olivia")
    return {"back": back.id, "blocked": blocked.id}


def test_renders_values_and_human_names_per_role_and_language(lib: Any,
                                                              seeded: dict[str, str]) -> None:
    at = dashboard_as("rui", "zh")
    for user, lang in (("rui", "zh"), ("rui", "en"), ("olivia", "en"), ("olivia", "zh")):
        at.session_state["user"] = {"name": user, "role": USERS[user]}
        at.session_state["ui_lang"] = lang
        at.run()  # one session, as a person who switches language (and another who logs in)
        assert not at.exception, (user, lang, at.exception)
        _shows_the_seeded_figures(at, lang)


def _shows_the_seeded_figures(at: Any, lang: str) -> None:
    got = metrics_of(at)
    assert captions_with(at, label("dash_scope_count", lang, n=4))  # the plan's one is apart
    assert got[label("dash_waiting", lang)] == "1"
    assert got[label("dash_approval_rate", lang)] == "50%"  # approve + request changes
    assert got[label("dash_first_pass", lang)] == "50%"
    assert got[label("dash_touchpoints_waiting", lang)] == "1"
    assert got[label("dash_plans_waiting", lang)] == "1"
    ours = {pair[0 if lang == "zh" else 1] for pair in LABELS.values()}
    assert set(got) <= ours, "every metric label comes from the catalogue"
    tables = [df.value for df in at.dataframe]
    blocking = next(t for t in tables if "rule" in t.columns)
    assert blocking.to_dict("records") == [
        {"message": "绝对化用语", "rule": "ad_law.superlative", "materials": 1}]
    reasons = next(t for t in tables if "reason" in t.columns)
    assert reasons.to_dict("records") == [
        {"reason": "请写明活动截止日期", "total": 1, "request_changes": 1, "reject": 0}]
    industry, channel, segment = [t for t in tables if "name" in t.columns]
    assert list(industry["name"]) == [name("industry", "retail", lang), name("industry", "finance", lang)]
    assert list(industry["created"]) == [3, 1]  # busiest first, not A-Z
    assert list(channel["name"]) == [name("channel", "app_push", lang), name("channel", "sms", lang)]
    assert list(segment["name"]) == [name("segment", "dormant.mass", lang)]
    for kind, raw, table in (("industry", "retail", industry), ("channel", "app_push", channel)):
        if f"{kind}:{raw}" in LABELS:  # once named, the identifier never shows alone
            assert raw not in set(table["name"])


def test_charts_carry_their_values_on_a_day_axis(lib: Any, seeded: dict[str, str]) -> None:
    at = dashboard_as("rui", "en")
    waiting, throughput = chart_rows(at)
    assert len(waiting) == 30 and waiting[-1]["count"] == 1 and waiting[-1]["label"] == "1"
    assert waiting[0]["day"] < waiting[-1]["day"]  # oldest first along the time axis
    today = waiting[-1]["day"]
    done = {r["outcome"]: r["label"] for r in throughput if r["day"] == today and r["count"]}
    assert done == {label("dash_out_approve", "en"): "1",
                    label("dash_out_request_changes", "en"): "1"}
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert all('"type": "temporal"' in s and '"text"' in s for s in specs)
    at.radio(key="d_period").set_value(90).run()  # by week: 13 bars, each still labelled
    _, weekly = chart_rows(at)
    assert len({r["bar_from"] for r in weekly}) == 13
    assert [r["label"] for r in weekly if r["count"]] == ["1", "1"]


def test_too_little_data_shows_a_dash_and_says_why(lib: Any, make_material: Any) -> None:
    make_material()  # one item waiting: no median, and no "0 s" either
    at = dashboard_as("rui", "zh")
    got = metrics_of(at)
    assert got[label("dash_median_wait", "zh")] == "—"
    assert got[label("dash_review_time", "zh")] == "—"
    assert got[label("dash_oldest", "zh")] == label("dash_under_minute", "zh")
    captions = [c.value for c in at.caption]
    assert label("dash_too_little", "zh", n=1, need=3) in captions
    assert not any("0 s" in v or "0 秒" in v for v in got.values())


def test_scope_and_period_switch(lib: Any, seeded: dict[str, str]) -> None:
    at = dashboard_as("chen", "en")
    at.radio(key="d_scope").set_value("plan").run()
    assert not at.exception, at.exception
    got = metrics_of(at)
    assert captions_with(at, label("dash_scope_count", "en", n=1))
    assert got[label("dash_waiting", "en")] == "1"
    assert got[label("dash_approval_rate", "en")] == "—"
    at.radio(key="d_scope").set_value("all").run()
    at.radio(key="d_period").set_value(7).run()
    assert captions_with(at, label("dash_scope_count", "en", n=5))
    assert len(chart_rows(at)[0]) == 7


def test_reasons_and_findings_show_as_text(lib: Any, make_material: Any) -> None:
    m = make_material()
    lib.request_changes(m.id, 1, actor="rui", reason=f"reason {EVIL}")
    at = dashboard_as("rui", "zh")
    assert_shown_as_text(at)
    reasons = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert list(reasons["reason"]) == [f"reason {EVIL}"]  # a plain-text cell, literally
