"""My work: the operator's loop back — sent-back and blocked items reopened, edited with a live
re-check, and resubmitted from the UI."""

from __future__ import annotations

from typing import Any


def _keys(at: Any) -> set[str]:
    return {b.key for b in at.button}


def test_a_sent_back_item_shows_the_reason_first_and_is_resubmitted(lib: Any, app: Any,
                                                                     make_material: Any) -> None:
    m = make_material()
    lib.request_changes(m.id, 1, actor="rui", reason="结尾请加上门店营业时间")
    at = app("olivia", "my_work")
    assert not at.exception
    assert [x.value for x in at.metric] == ["1", "0", "0"]  # sent back, blocked, drafts
    assert any("结尾请加上门店营业时间" in w.value and "rui" in w.value for w in at.warning)
    box = next(a for a in at.text_area if a.key == f"w_edit_{m.id}_body")
    box.input(box.value + "营业时间每天10:00-20:00。").run()
    assert not at.exception
    assert any("重新检查" in c.value for c in at.caption), "the edit is re-checked live"
    at.button(key="w_resubmit").click().run()
    assert not at.exception
    done = lib.get(m.id)
    assert (done.status, done.current_version) == ("in_review", 2)
    assert lib.get_version(m.id, 2).author == "olivia"
    assert "营业时间每天" in lib.get_version(m.id, 2).content["body"]
    assert any("已重新提交" in s.value for s in at.success)


def test_a_blocked_draft_cannot_be_resubmitted_until_the_edit_passes(lib: Any, app: Any,
                                                                     make_material: Any) -> None:
    blocked = make_material("draft", body="全网最低价野餐篮，今天下单立减。")
    lib.edit(blocked.id, base_version=1, content=dict(lib.get_version(blocked.id, 1).content),
             actor="olivia")  # stored with the engine's own report: it blocks
    assert lib.get_version(blocked.id, 2).verdict == "block"
    at = app("olivia", "my_work")
    assert not at.exception
    assert [x.value for x in at.metric] == ["0", "1", "0"]
    assert next(b for b in at.button if b.key == "w_resubmit").disabled
    box = next(a for a in at.text_area if a.key == f"w_edit_{blocked.id}_body")
    box.input("周末野餐篮上新，今天下单立减。").run()
    assert not at.exception
    assert not next(b for b in at.button if b.key == "w_resubmit").disabled
    at.button(key="w_resubmit").click().run()
    assert not at.exception
    assert lib.get(blocked.id).status == "in_review"


def test_nothing_to_do_and_other_peoples_work_is_not_listed(lib: Any, app: Any,
                                                            make_material: Any) -> None:
    make_material("draft", author="root")  # the admin's draft is the admin's work
    at = app("olivia", "my_work")
    assert not at.exception
    assert any("没有待处理" in i.value for i in at.info)
    at = app("root", "my_work")
    assert [x.value for x in at.metric] == ["0", "0", "1"]
