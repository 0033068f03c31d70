"""Review that reads like the channel: previews from the delivery templates, the storyboard,
the wrapping word/character diff, the provenance card, reasons required (issue 12, item 2)."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.config import ROOT
from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import (
    Brief,
    CopyContent,
    Draft,
    ModelInfo,
    PushContent,
    Scene,
    SendWindow,
    VideoScriptContent,
)
from review_ui._diff import field_diff, side_by_side, tokens
from review_ui._i18n import label
from review_ui._preview import duration_check, payload_of, preview_html, storyboard_html, timeline

_keys = itertools.count(1)


def en(key: str, **fmt: object) -> str:
    return label(key, "en", **fmt)


def _report(findings: list[Finding], channel: str) -> ComplianceReport:
    return ComplianceReport(verdict=ComplianceReport.verdict_for(findings), findings=findings,
                            locale="zh-CN", industry="retail", channel=channel)


def script(*durations: float, voice: str = "野餐篮，周末见") -> VideoScriptContent:
    scenes = [Scene(duration_s=d, visual=f"画面{i}：草地上的野餐篮", voice_over=f"{voice}{i}",
                    caption=f"字幕{i}") for i, d in enumerate(durations, 1)]
    return VideoScriptContent(title="周末野餐", hook="三秒带你去野餐", scenes=scenes, cta="点击预约",
                              total_duration_s=round(sum(durations), 1))


def video_draft(content: VideoScriptContent, findings: list[Finding] | None = None) -> Draft:
    brief = Brief(industry="retail", segment="dormant.mass", content_type="short_video_script",
                  channel="video_account", product="周末野餐篮")
    return Draft(key=f"views-video-{next(_keys)}", variant=1, brief=brief, content=content,
                 text=content.title, prompt_ref="video/reactivation@2+0123456789abcdef",
                 model=ModelInfo(provider="offline", name="offline-test", offline=True),
                 compliance=_report(findings or [], "video_account"))


def in_review(lib: Any, draft: Draft) -> str:
    mid = str(lib.save_draft(draft, author="olivia").material_id)
    lib.submit(mid, 1, actor="olivia")
    return mid


def sources(at: Any) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def seen(at: Any) -> str:
    """The page's Markdown elements as a person reads them, one by one."""
    return "\n".join(visible(str(m.value)) for m in at.markdown)


def visible(source: str) -> str:
    """What a person reads: Markdown (with our HTML) rendered, tags dropped, entities decoded."""
    import html

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(source)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


# ---- the diff -------------------------------------------------------------------------------


def test_cjk_is_compared_character_by_character() -> None:
    assert tokens("全网最好") == ["全", "网", "最", "好"]
    old, new = side_by_side("全网最好的野餐篮", "全网更好的野餐篮")
    assert re.findall(r'class="cg-del"[^>]*>([^<]*)<', old) == ["最"]
    assert re.findall(r'class="cg-ins"[^>]*>([^<]*)<', new) == ["更"]
    assert visible(old) == "全网最好的野餐篮" and visible(new) == "全网更好的野餐篮"


def test_latin_is_compared_word_by_word() -> None:
    assert tokens("The best basket") == ["The", " ", "best", " ", "basket"]
    assert tokens("iPhone用户") == ["iPhone", "用", "户"], "a Latin word stops at CJK"
    old, new = side_by_side("The best picnic basket in town", "The finest picnic basket in town")
    assert re.findall(r'class="cg-del"[^>]*>([^<]*)<', old) == ["best"]
    assert re.findall(r'class="cg-ins"[^>]*>([^<]*)<', new) == ["finest"]


def test_diff_escapes_html_and_markdown() -> None:
    old, new = side_by_side("hello", "hello <script>alert(1)</script> **bold** [x](https://e.example)")
    assert "<script" not in new and "**" not in new and "](" not in new
    assert visible(new) == "hello <script>alert(1)</script> **bold** [x](https://e.example)"
    assert "\n" not in side_by_side("a\nb", "a\nc\n\nd")[1], "one line: a blank line would end the HTML"


def test_a_huge_rewrite_is_marked_whole_instead_of_compared_for_seconds() -> None:
    old, new = "野餐" * 1500, "露营" * 1500  # 3,000 x 3,000 characters: over the budget
    left, right = side_by_side(old, new)
    assert left.count('class="cg-del"') == 1 and right.count('class="cg-ins"') == 1
    assert visible(left) == old and visible(right) == new


def test_field_diff_lists_only_changed_fields() -> None:
    a = CopyContent(headline="周末野餐", body="第一段\n第二段", cta="去看看").model_dump()
    b = {**a, "body": "第一段\n第二段改了"}
    rows, same = field_diff(a, b)
    assert [r.field for r in rows] == ["body"] and same == 2
    assert "改了" in rows[0].new_html and "cg-ins" in rows[0].new_html


# ---- the preview ---------------------------------------------------------------------------


def _material(channel: str, content: Any, kind: str) -> tuple[Any, Any]:
    from library.models import Material, MaterialVersion

    m = Material(id="mat_x", industry="retail", segment="dormant.mass", persona="approachable",
                 content_type=kind, channel=channel, locale="zh-CN", status="in_review",
                 current_version=1, created_by="olivia", created_at="2025-01-01T00:00:00Z",
                 updated_at="2025-01-01T00:00:00Z")
    v = MaterialVersion(material_id="mat_x", version=1, status="in_review",
                        content=content.model_dump(mode="json"), text="", author="olivia",
                        created_at="2025-01-01T00:00:00Z")
    return m, v


def test_preview_is_the_delivery_template_payload(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    push = PushContent(title="好久不见", body="野餐篮本周上新。", deeplink="app://picnic",
                       send_window=SendWindow(start="10:00", end="20:00"))
    m, v = _material("wecom_1v1", push, "push")
    assert payload_of(m, v) == {"format": "text", "body": "好久不见\n野餐篮本周上新。\napp://picnic"}
    # A channel owner changes the template: the preview follows, as the API would.
    folder = isolated_env / "templates"
    shutil.copytree(ROOT / "templates", folder)
    (folder / "wecom_1v1.txt.j2").write_text("【试用模板】{{ content.body }}", encoding="utf-8")
    monkeypatch.setenv("CONTENTGEN_TEMPLATES_DIR", str(folder))
    payload = payload_of(m, v.model_copy(update={"version": 2}))
    assert payload["body"] == "【试用模板】野餐篮本周上新。"
    page = preview_html("wecom_1v1", payload, v.content, [], "zh-CN", tr=en)
    assert "WeCom" in page and visible(page).endswith("【试用模板】野餐篮本周上新。")


def test_preview_marks_findings_inside_the_payload() -> None:
    body = "全网最好的野餐篮，回T退订"
    push = PushContent(body=body, send_window=SendWindow(start="10:00", end="20:00"))
    m, v = _material("sms", push, "push")
    f = {"rule": "ad_law.superlative", "severity": "error", "start": 2, "end": 4, "match": "最好",
         "message": "绝对化用语", "field": "body"}
    page = preview_html("sms", payload_of(m, v), v.content, [f], "zh-CN", tr=en)
    assert re.search(r'<mark class="finding finding-error"[^>]*>最好</mark>', page)
    assert "/ limit 70" in page, "the SMS length against the channel's limit"


@pytest.mark.parametrize("channel,kind,expect", [
    ("app_push", "push", "App notification"), ("group", "push", "customer group"),
    ("moments", "copy", "Image 2"), ("official_account", "copy", "Official-account article"),
])
def test_every_channel_has_its_look(channel: str, kind: str, expect: str) -> None:
    content: Any = (PushContent(title="T <b>", body="B **x**", send_window=SendWindow(start="09:00", end="21:00"))
                    if kind == "push" else
                    CopyContent(headline="H <b>", body="P1 **x**\nP2", cta="Go", hashtags=["tag"], images=2))
    m, v = _material(channel, content, kind)
    page = preview_html(channel, payload_of(m, v), v.content, [], "zh-CN", tr=en)
    assert expect in page
    assert "<b>" not in page and "**" not in page
    assert "**x**" in visible(page) and "<b>" in visible(page)


def test_storyboard_times_and_the_channel_limit() -> None:
    s = script(3, 10, 12.5)
    assert [(x.start, x.end) for x in timeline(s)] == [(0, 3), (3, 13), (13, 25.5)]
    page = storyboard_html(s, [], tr=en)
    assert "Scene 3 · 13–25.5 s" in visible(page)
    summary, warnings = duration_check(s, "video_account", "zh-CN", tr=en, name=lambda k, v: str(v))
    assert summary == "Total 25.5 s / channel limit 180 s" and warnings == []
    long = script(50, 50, 50, 50)
    summary, warnings = duration_check(long, "video_account", "zh-CN", tr=en, name=lambda k, v: str(v))
    assert "Total 200 s / channel limit 180 s" == summary
    assert warnings and "200 s" in warnings[0] and "180 s" in warnings[0]


# ---- the review page -----------------------------------------------------------------------


def test_review_shows_a_wecom_draft_as_a_chat_bubble(lib: Any, app: Any, make_material: Any) -> None:
    m = make_material(channel="wecom_1v1", body="好久不见，野餐篮本周上新，点击查看。")
    at = app("rui", "review")
    assert not at.exception
    page = sources(at)
    assert 'class="cg-preview"' in page and "企业微信" in page
    assert "好久不见，野餐篮本周上新，点击查看。" in seen(at)
    assert m.id in page
    # Laid out from the payload the delivery API would send (wecom_1v1.txt.j2 adds the title).
    assert "周末好去处\n好久不见" in payload_of(lib.get(m.id), lib.get_version(m.id, 1))["body"]
    assert "周末好去处好久不见" in seen(at)


def test_review_shows_a_video_script_as_a_storyboard(lib: Any, app: Any) -> None:
    in_review(lib, video_draft(script(3, 10, 12.5)))
    at = app("rui", "review")
    assert not at.exception
    text_seen = seen(at)
    for text in ("镜头 1 · 0–3 秒", "镜头 2 · 3–13 秒", "镜头 3 · 13–25.5 秒", "画面1：草地上的野餐篮",
                 "野餐篮，周末见2", "三秒带你去野餐", "点击预约", "总时长 25.5 秒 / 渠道上限 180 秒"):
        assert text in text_seen, text
    assert text_seen.index("镜头 1 ·") < text_seen.index("镜头 2 ·") < text_seen.index("镜头 3 ·")
    assert not at.warning


def test_review_shows_the_diff_of_an_edited_version(lib: Any, app: Any, make_material: Any) -> None:
    m = make_material("draft", body="好久不见，野餐篮本周上新，点击查看。")
    v2 = {**lib.get_version(m.id, 1).content, "body": "好久不见，野餐篮今天上新，点击查看。"}
    lib.edit(m.id, base_version=1, content=v2, actor="olivia")
    lib.submit(m.id, 2, actor="olivia")
    at = app("rui", "review")
    assert not at.exception
    table = next(s for s in (str(x.value) for x in at.markdown) if 'class="cg-diff"' in s)
    assert re.findall(r'class="cg-del"[^>]*>([^<]*)<', table) == ["本周"]
    assert re.findall(r'class="cg-ins"[^>]*>([^<]*)<', table) == ["今天"]
    assert "上一版本 v1" in table and "本版本 v2" in table and "正文" in table
    assert "table-layout:fixed" in table and "overflow-wrap:anywhere" in table, "it wraps"
    assert not [c for c in at.code if str(c.language) == "diff"], "no clipped line diff any more"


def test_review_shows_provenance_as_a_card(lib: Any, app: Any, make_material: Any) -> None:
    make_material()
    at = app("rui", "review")
    assert not at.exception
    card = visible(next(s for s in (str(x.value) for x in at.markdown) if "**提示词**" in s))
    for text in ("提示词: push/reactivation@1", "offline-test", "离线模型", "规则包: —",
                 "改写轮次: 合规改写 0 次", "作者: olivia", "本版本创建于: 20", "UTC"):
        assert text in card, text
    brief = next(s for s in (str(x.value) for x in at.markdown) if "**产品**" in s)
    assert "综合零售" in brief and "沉睡·大众" in brief and "周末野餐篮" in brief
    assert not at.json, "no raw JSON: it would show identifiers instead of names"


def test_reject_and_request_changes_wait_for_a_reason(lib: Any, app: Any, make_material: Any) -> None:
    m = make_material()
    at = app("rui", "review")
    assert not at.exception
    assert at.button(key="r_reject").disabled and at.button(key="r_request_changes").disabled
    assert not at.button(key="r_approve").disabled
    assert any("请先填写理由" in c.value for c in at.caption)
    at.text_area(key="r_reason").input("   ").run()
    assert at.button(key="r_reject").disabled, "blank is no reason"
    at.text_area(key="r_reason").input("价格表述不清").run()
    assert not at.button(key="r_reject").disabled
    at.button(key="r_reject").click().run()
    assert not at.exception
    assert lib.get(m.id).status == "rejected"
    assert lib.history(m.id)[-1].reason == "价格表述不清"
