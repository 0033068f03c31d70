"""Review queue: one item at a time, decisions land in the library, four eyes, bulk, override."""

from __future__ import annotations

from typing import Any

import pytest


def keys(at: Any) -> set[str]:
    return {b.key for b in at.button}


def test_reviewer_approves_and_the_next_item_opens(lib: Any, app: Any, make_material: Any) -> None:
    first, second = make_material(), make_material(body="野餐季到了，新款野餐篮上架。")
    at = app("rui", "review")
    assert not at.exception
    assert {"r_approve", "r_request_changes", "r_reject", "r_bulk_approve"} <= keys(at)
    assert any(first.id in m.value for m in at.markdown)
    assert any("离线模型" in c.value for c in at.caption), "the offline model is said so"
    at.button(key="r_approve").click().run()
    assert not at.exception
    assert lib.get(first.id).status == "approved"
    assert [e.action for e in lib.history(first.id)][-1] == "approve"
    # The decided item left the queue: the next one is on screen.
    assert any(second.id in m.value for m in at.markdown)
    assert lib.get(second.id).status == "in_review"


@pytest.mark.parametrize("button,status", [("r_reject", "rejected"),
                                           ("r_request_changes", "changes_requested")])
def test_decision_with_reason_is_recorded(lib: Any, app: Any, make_material: Any, button: str,
                                          status: str) -> None:
    m = make_material()
    at = app("rui", "review")
    # The reason lands first (as on blur in a browser): the button is disabled until it does.
    at.text_area(key="r_reason").input("语气太强，请改温和一些").run()
    at.button(key=button).click().run()
    assert not at.exception
    assert lib.get(m.id).status == status
    assert lib.history(m.id)[-1].reason == "语气太强，请改温和一些"


def test_no_approve_button_for_ones_own_version(lib: Any, app: Any, make_material: Any) -> None:
    mine = make_material(author="root")  # the admin wrote it and may review others, not this
    at = app("root", "review")
    assert not at.exception
    assert any(mine.id in m.value for m in at.markdown)
    assert "r_approve" not in keys(at)
    assert any("four eyes" in w.value or "四眼" in w.value for w in at.warning)


def test_bulk_approve_takes_only_items_without_findings(lib: Any, app: Any,
                                                         make_material: Any) -> None:
    clean = [make_material(body=f"野餐篮第{i}款上新。") for i in range(3)]
    flagged = make_material(body="野餐篮联系电话13812345678。", warning=True)
    at = app("rita", "review")
    at.button(key="r_bulk_approve").click().run()
    assert not at.exception
    assert [lib.get(m.id).status for m in clean] == ["approved"] * 3
    assert lib.get(flagged.id).status == "in_review"
    assert any("3" in s.value for s in at.success)


def test_filters_narrow_the_queue(lib: Any, app: Any, make_material: Any) -> None:
    make_material(industry="retail")
    food = make_material(industry="food", body="坚果礼盒到货啦。")
    at = app("rui", "review")
    assert "待审核: 2" in [c.value for c in at.caption]
    at.selectbox(key="r_f_industry").select("food").run()
    assert not at.exception
    assert any(food.id in m.value for m in at.markdown)
    assert "待审核: 1" in [c.value for c in at.caption]


def test_compliance_overrides_a_blocked_draft(lib: Any, app: Any, make_material: Any) -> None:
    blocked = make_material("draft", body="全网最好用的野餐篮。", error=True)
    at = app("chen", "review")
    assert not at.exception
    assert "r_approve" not in keys(at)  # compliance officers do not approve
    at.text_area(key="o_justification").input("经核实为第三方检测报告中的原话，法务已确认。")
    at.button(key="o_override").click().run()
    assert not at.exception
    v = lib.get_version(blocked.id, 1)
    assert v.override is not None and v.override.by == "chen"
    # The gate now lets the operator submit.
    lib.submit(blocked.id, 1, actor="olivia")
    assert lib.get(blocked.id).status == "in_review"


def test_override_without_justification_is_an_error_message(lib: Any, app: Any,
                                                             make_material: Any) -> None:
    blocked = make_material("draft", body="全网最好用的野餐篮。", error=True)
    at = app("chen", "review")
    at.button(key="o_override").click().run()
    assert not at.exception
    assert any("justification" in e.value for e in at.error)
    assert lib.get_version(blocked.id, 1).override is None


def test_operator_has_no_review_page(lib: Any, app: Any) -> None:
    at = app("olivia")
    with pytest.raises(ValueError):
        at.switch_page("pages/review.py")


def test_compliance_queue_holds_only_blocked_drafts(lib: Any, app: Any, make_material: Any) -> None:
    make_material("draft", body="好久不见，野餐篮上新。", warning=True)
    blocked = make_material("draft", body="全网最好用的野餐篮。", error=True)
    at = app("chen", "review")
    assert not at.exception
    assert "待合规决定（错误级问题的草稿、规则更新后撤回的版本）: 1" in [c.value for c in at.caption]  # not the warning-only draft
    assert any(blocked.id in m.value for m in at.markdown)


def test_age_filter_keeps_only_items_waiting_long_enough(lib: Any, app: Any, make_material: Any) -> None:
    make_material(body="坚果礼盒到货啦。")
    at = app("rui", "review")
    assert "待审核: 1" in [c.value for c in at.caption]
    at.selectbox(key="r_f_age").select("1d").run()
    assert not at.exception
    assert "待审核: 0" in [c.value for c in at.caption]


def test_compliance_queue_shows_a_withdrawn_version_and_the_override_reinstates_it(
        lib: Any, app: Any, make_material: Any, tmp_path: Any) -> None:
    import shutil

    from contentgen.kernel.config import ROOT
    from contentgen.usecases import RulePacks
    from library.rescan import rescan

    m = make_material("released", body="周末野餐篮上新，欢迎选购。")
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "zz-test.yaml").write_text(
        "id: test.picnic\nversion: '1'\ntitle: t\nlocales: [zh-CN]\nrules:\n  - id: t.picnic\n    kind: terms\n"
        "    level: error\n    message: no picnic\n    reference: r\n    terms: [野餐篮]\n"
        "    examples: {hit: [野餐篮], clean: [餐具]}\n", encoding="utf-8")
    assert rescan(lib, engine=RulePacks(str(rules))).withdrawals
    at = app("chen", "review")
    assert not at.exception
    assert any("v1" in w.value for w in at.warning)
    at.text_area(key="o_justification").input("菜单用语，非功效宣称").run()
    at.button(key="o_override").click().run()
    assert not at.exception
    assert lib.get(m.id).status == "released"


def _edited_send(lib: Any, material: Any, text: str) -> None:
    """What the delivery API records when a salesperson changed the text before sending."""
    from contentgen.kernel.config import ROOT
    from library import sent_text
    from library._db import immediate
    from library.payloads import PayloadRenderer

    conn = lib._db().conn
    check = sent_text.check_sent(conn, PayloadRenderer(ROOT / "templates"), lib.checker,
                                 material_id=material.id, version=1, channel=material.channel,
                                 sent_text=text, recipient_name=None)
    with immediate(lib._db()) as c:
        sent_text.record(c, check, client="wecom-app", sender="zhang.wei", delivery_id=1)


def test_edited_sends_are_queued_for_a_reviewer_and_closed_with_a_note(
        lib: Any, app: Any, make_material: Any) -> None:
    m = make_material("released")
    _edited_send(lib, m, "好久不见，野餐篮本周上新，全网最低价，点击查看。")
    at = app("rui", "review")
    assert any("(1)" in str(tab.label) or "（1）" in str(tab.label) for tab in at.tabs)
    assert any("全网最低价" in str(c.value) for c in at.code), "the diff shows what was added"
    done = at.button(key="s_done_1")
    assert done.disabled  # a note first
    at.text_input(key="s_note_1").input("已联系发送人，改回批准的文案").run()
    at.button(key="s_done_1").click().run()
    assert not at.exception
    from library import sent_text

    assert sent_text.open_count(lib) == 0
    assert lib.audit_log(limit=1)[0].reason.endswith("已联系发送人，改回批准的文案")
