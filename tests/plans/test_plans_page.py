"""The Plans page under AppTest: create, calendar, unit approval, single-touchpoint review and edit."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from contentgen.plans import PlanRequest, generate_plan
from library import Library
from library.plans import approve_plan, get_plan, list_plans, save_plan, submit_plan
from review_ui._i18n import label, name

APP = str(Path(__file__).resolve().parents[2] / "review_ui" / "app.py")
ROLES = {"olga": "operator", "rita": "reviewer", "remy": "reviewer", "cora": "compliance", "ada": "admin"}


def page_as(user: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["user"] = {"name": user, "role": ROLES[user]}
    at.run()
    at.switch_page("pages/plans.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def ui_lib(lib: Library, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("CONTENTGEN_DB", str(lib.target))  # the page opens the same file
    return lib


@pytest.fixture
def plan_in_review(ui_lib: Library, generator: Any) -> str:
    req = PlanRequest.parse(segment="dormant.mass", objective="reactivate", days=7, industry="retail",
                            locale="zh-CN", start=date(2026, 12, 1))
    sp = save_plan(ui_lib, generate_plan(req, generator=generator), author="olga")
    submit_plan(ui_lib, sp.id, actor="olga")
    return sp.id


def buttons(at: Any) -> set[str]:
    return {b.key for b in at.button if b.key}


def test_operator_creates_a_plan_and_sees_its_calendar(ui_lib: Library) -> None:
    at = page_as("olga")
    at.selectbox(key="p_objective").select("welcome")
    at.selectbox(key="p_segment").select("new.mass")
    at.selectbox(key="p_industry").select("education")
    at.date_input(key="p_start").set_value(date(2026, 12, 1))
    at.multiselect(key="p_channels").set_value(["wecom_1v1", "group", "moments", "sms", "app_push"])
    next(b for b in at.button if "生成" in str(b.label) or "Generate" in str(b.label)).click().run()
    assert not at.exception, at.exception
    [plan] = list_plans(ui_lib)
    assert plan.objective == "welcome" and plan.author == "olga" and len(plan.touchpoints) == 6
    assert any(plan.id in str(s.value) for s in at.success)
    # The calendar grid names every touchpoint; the operator may submit but not approve.
    grid = "\n".join(str(m.value) for m in at.markdown)
    for tp in plan.touchpoints:
        assert f"#{tp.seq} {tp.local_time} {name('channel', tp.channel)} :material/edit_note:" in grid
    assert "p_submit_all" in buttons(at) and "p_approve_all" not in buttons(at)
    at.button(key="p_submit_all").click().run()
    assert not at.exception
    assert get_plan(ui_lib, plan.id).status == "in_review"


def test_reviewer_approves_everything_clean_in_one_action(ui_lib: Library, plan_in_review: str) -> None:
    at = page_as("rita")
    assert {"p_approve_all", "p_release_all"} <= buttons(at) and "p_submit_all" not in buttons(at)
    assert at.button(key="p_approve_all").disabled  # not before the reviewer confirms reading it
    at.checkbox(key="p_read_all").check().run()
    at.button(key="p_approve_all").click().run()
    assert not at.exception
    assert get_plan(ui_lib, plan_in_review).status == "approved"
    at.button(key="p_release_all").click().run()
    assert get_plan(ui_lib, plan_in_review).status == "released"


def test_unit_view_shows_every_touchpoint_in_send_order(ui_lib: Library, plan_in_review: str) -> None:
    at = page_as("rita")
    plan = get_plan(ui_lib, plan_in_review)
    order = [tp.seq for tp in sorted(plan.touchpoints, key=lambda tp: tp.send_at)]
    text = "\n".join(str(m.value) for m in at.markdown)
    heads = [text.index(f"**#{seq} · ") for seq in order]
    assert heads == sorted(heads), "touchpoints are not in send order"
    for tp in plan.touchpoints:  # the full text of each is on the page, not just a title
        body = ui_lib.get_version(tp.material_id, tp.current_version).content
        first = str(body.get("body") or body.get("hook") or body.get("title")).split("\n")[0][:10]
        assert html.escape(first) in text
        assert f"{name('channel', tp.channel)}" in text
    summary = next(str(i.value) for i in at.info)
    assert summary.startswith(label("plan_unit_summary").split("{")[0])
    at.checkbox(key="p_read_all").check().run()
    at.button(key="p_approve_all").click().run()
    assert not at.exception
    after = get_plan(ui_lib, plan_in_review)
    header = next(str(m.value) for m in at.markdown if str(m.value).startswith("**"))
    assert name("status", after.status) in header  # refreshed after the action
    assert not at.checkbox  # nothing left to approve: no confirmation asked


def test_purposes_read_in_the_page_language(ui_lib: Library, plan_in_review: str) -> None:
    at = page_as("rita")
    plan = get_plan(ui_lib, plan_in_review)
    captions = [str(c.value) for c in at.caption if str(c.value).startswith(label("plan_purpose"))]
    assert len(captions) == len(plan.touchpoints)
    for tp in plan.touchpoints:  # the template's English sentence stays out of the Chinese UI
        assert not any(tp.purpose[:20] in c for c in captions)
    from contentgen.plan_templates import TOUCHPOINT_KINDS

    assert all(any(name("purpose", k) in c for k in TOUCHPOINT_KINDS) for c in captions)


def test_reject_needs_a_reason_in_the_page(ui_lib: Library, plan_in_review: str) -> None:
    at = page_as("rita")
    at.selectbox(key="p_touchpoint").select(2).run()
    assert at.button(key="p_tp_reject").disabled and at.button(key="p_tp_request_changes").disabled
    assert label("plan_reason_needed") in [str(c.value) for c in at.caption]
    at.text_input(key="p_tp_reason").input("   ").run()
    assert at.button(key="p_tp_reject").disabled


def test_reviewer_rejects_a_single_touchpoint(ui_lib: Library, plan_in_review: str) -> None:
    at = page_as("rita")
    at.selectbox(key="p_touchpoint").select(2).run()
    at.text_input(key="p_tp_reason").input("太像推销").run()
    at.button(key="p_tp_reject").click().run()
    assert not at.exception
    plan = get_plan(ui_lib, plan_in_review)
    assert [tp.status for tp in plan.touchpoints].count("rejected") == 1
    assert plan.touchpoints[1].status == "rejected"
    assert ui_lib.history(plan.touchpoints[1].material_id)[-1].reason == "太像推销"


def test_operator_edits_one_touchpoint_and_only_it_goes_back(ui_lib: Library, plan_in_review: str) -> None:
    approve_plan(ui_lib, plan_in_review, actor="rita")
    at = page_as("olga")
    at.selectbox(key="p_touchpoint").select(3).run()
    key = f"p_tp_edit_{plan_in_review}_3"
    at.text_area(key=key).input("您好，周末的活动还有名额，想给您留一个位置。").run()
    at.button(key="p_tp_save").click().run()
    assert not at.exception, at.exception
    plan = get_plan(ui_lib, plan_in_review)
    assert [(tp.seq, tp.status) for tp in plan.touchpoints if tp.status != "approved"] == [(3, "in_review")]
    assert plan.touchpoints[2].current_version == 2


@pytest.mark.parametrize("user", ["cora", "ada", "remy"])
def test_every_role_sees_the_page_without_error(ui_lib: Library, plan_in_review: str, user: str) -> None:
    at = page_as(user)
    assert at.selectbox(key="p_select").value == plan_in_review
    assert ("p_approve_all" in buttons(at)) == (ROLES[user] in ("reviewer", "admin"))


def test_a_failed_create_says_why(ui_lib: Library) -> None:
    at = page_as("olga")
    at.selectbox(key="p_objective").select("event")  # needs an offer
    next(b for b in at.button if "生成" in str(b.label) or "Generate" in str(b.label)).click().run()
    assert not at.exception
    assert any("优惠" in str(e.value) for e in at.error)  # in the page's language, naming the field
