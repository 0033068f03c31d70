"""Generate page: real generation (offline model), live re-check, fixes, save and submit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from review_ui._i18n import name


def generate(at: Any, variants: int = 3) -> Any:
    at.selectbox(key="g_industry").select("retail")
    at.selectbox(key="g_content_type").select("copy").run()
    at.selectbox(key="g_channel").select("moments")
    at.text_input(key="g_product").input("周末野餐篮")
    at.text_area(key="g_selling_points").input("轻便\n防水")
    at.number_input(key="g_variants").set_value(variants)
    return at.button(key="g_generate").click().run()


def test_operator_generates_variants_side_by_side(lib: Any, app: Any) -> None:
    at = generate(app("olivia", "generate"))
    assert not at.exception
    assert {f"g_submit_{n}" for n in (1, 2, 3)} <= {b.key for b in at.button}
    # The offline model says so on every variant.
    assert sum("OFFLINE" in c.value or "离线模型" in c.value for c in at.caption) == 3
    assert any("周末野餐篮" in m.value for m in at.markdown)


def test_edit_is_rechecked_live_fixed_saved_and_submitted(lib: Any, app: Any) -> None:
    at = generate(app("olivia", "generate"), variants=1)
    body = at.text_area(key="g_edit_1_body")
    body.input("全网最好用的周末野餐篮，轻便防水。").run()
    assert not at.exception
    # The edit was checked again: the superlative is marked as an error in the text.
    assert any('class="finding finding-error"' in m.value and "最好" in m.value for m in at.markdown)
    assert any(name("verdict", "block") in m.value for m in at.markdown)
    at.button(key="g_fix_1").click().run()
    assert not at.exception
    assert "最好" not in at.text_area(key="g_edit_1_body").value
    assert not any("finding-error" in m.value for m in at.markdown)
    at.button(key="g_submit_1").click().run()
    assert not at.exception
    page = lib.list(status="in_review")
    assert page.total == 1
    m = page.items[0]
    v = lib.get_version(m.id, m.current_version)
    assert v.version == 2 and v.author == "olivia" and "最好" not in v.text
    assert lib.get_version(m.id, 1).source == "generated"
    assert v.source in ("auto_fixed", "edited")


def test_a_blocked_edit_cannot_be_submitted_and_says_why(lib: Any, app: Any) -> None:
    at = generate(app("olivia", "generate"), variants=1)
    at.text_area(key="g_edit_1_body").input("全网最好用的周末野餐篮。").run()
    assert not at.exception
    assert next(b for b in at.button if b.key == "g_submit_1").disabled
    assert any("错误级问题" in c.value for c in at.caption), "it says why, and what to do"
    assert not next(b for b in at.button if b.key == "g_save_1").disabled  # it can be kept
    assert lib.list(status="in_review").total == 0


def test_bad_brief_is_a_message_not_a_crash(lib: Any, app: Any) -> None:
    at = app("olivia", "generate")
    at.button(key="g_generate").click().run()  # no product
    assert not at.exception
    # In the page's language, naming the field as the form does.
    assert any(e.value.startswith("产品") for e in at.error), [e.value for e in at.error]


def test_reviewer_has_no_generate_page(lib: Any, app: Any) -> None:
    import pytest

    at = app("rui")
    with pytest.raises(ValueError):
        at.switch_page("pages/generate.py")


def test_a_failed_variant_says_why_and_the_others_are_kept(lib: Any, push_draft: Any) -> None:
    from streamlit.testing.v1 import AppTest

    from review_ui._workbench import new_variant

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "review_ui" / "app.py"),
                           default_timeout=60)
    at.session_state["user"] = {"name": "olivia", "role": "operator"}
    at.session_state["gen"] = {
        "variants": {1: new_variant(push_draft("野餐篮上新。", []))},
        "failures": {2: "draft still breaks sms limits after 2 rewrites: body is 90"},
        "n": 2,
    }
    at.run()
    assert not at.exception
    assert any("sms limits" in e.value for e in at.error)
    at.button(key="g_save_1").click().run()
    assert not at.exception
    assert lib.list(status="draft").total == 1
    assert "g_save_2" not in {b.key for b in at.button}


def test_every_brief_field_of_the_cli_is_in_the_form(lib: Any, app: Any) -> None:
    at = app("olivia", "generate")
    at.selectbox(key="g_industry").select("finance")
    at.selectbox(key="g_content_type").select("push").run()
    at.selectbox(key="g_channel").select("wecom_1v1")
    at.text_input(key="g_product").input("稳享定期存款")
    at.selectbox(key="g_product_type").select("deposit")
    at.text_area(key="g_interests").input("亲子，旅行")
    at.text_area(key="g_times").input("weekday evening")
    at.number_input(key="g_days_added").set_value(45)
    at.text_area(key="g_persona_interests").input("跑步")
    at.text_area(key="g_specialty").input("大额存单\n教育储蓄")
    at.text_input(key="g_brand_voice").input("稳重、亲切")
    at.text_input(key="g_brand").input(" 安心银行 ")
    at.text_input(key="g_notes").input("不提收益率")
    at.selectbox(key="g_objective").select("reactivate")
    at.number_input(key="g_variants").set_value(1)
    at.button(key="g_generate").click().run()
    assert not at.exception, at.exception
    at.button(key="g_save_1").click().run()
    m = lib.list().items[0]
    brief = lib.get_version(m.id, m.current_version).brief
    assert brief["product_type"] == "deposit" and brief["interests"] == ["亲子", "旅行"]
    assert brief["preferred_times"] == ["weekday evening"] and brief["days_since_added"] == 45
    assert brief["persona_interests"] == ["跑步"]
    assert brief["specialty_products"] == ["大额存单", "教育储蓄"]
    assert brief["brand_voice"] == "稳重、亲切" and brief["notes"] == "不提收益率"
    assert brief["objective"] == "reactivate" and brief["brand"] == "安心银行"


def test_form_options_are_human_names(lib: Any, app: Any) -> None:
    at = app("olivia", "generate")
    shown = at.selectbox(key="g_channel").options
    assert "wecom_1v1" not in shown and name("channel", "moments") in shown
    assert name("segment", "dormant.mass") == at.selectbox(key="g_segment").options[
        at.selectbox(key="g_segment").index]
