"""Content is shown as text on every page: no link, image or HTML from it (issue 10, item 4).

Every element that renders Markdown is inspected as the browser would get it: its source is
rendered with a CommonMark parser (HTML allowed, as with unsafe_allow_html), and neither a link
nor an image may come out, nor may the evil domain stand unescaped (GFM autolinks bare URLs).
The evil text itself must still be on the page, literally.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import Brief, CopyContent, Draft, ModelInfo

EVIL_LINK = "[x](https://evil.example)"
EVIL_IMAGE = "![](http://evil.example/i.png)"
EVIL_HTML = "<img src=x>"
EVIL = f"{EVIL_LINK} {EVIL_IMAGE} {EVIL_HTML}"
_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# Widgets whose value or label Streamlit renders as Markdown.
VALUE_KINDS = ("markdown", "caption", "info", "success", "warning", "error", "title", "header",
               "subheader", "toast")
LABEL_KINDS = ("expander", "tabs", "metric", "button", "text_area", "text_input", "selectbox",
               "number_input", "toggle", "radio", "checkbox", "status")


def markdown_sources(at: Any) -> list[str]:
    out = [str(e.value) for kind in VALUE_KINDS for e in getattr(at, kind)]
    out += [str(getattr(e, "label", "") or "") for kind in LABEL_KINDS for e in getattr(at, kind)]
    return out


def visible_text(at: Any) -> str:
    """What a person reads: Markdown rendered and stripped of tags, plus text and code blocks."""
    parts = [html.unescape(re.sub(r"<[^>]+>", "", _parser.render(s))) for s in markdown_sources(at)]
    parts += [str(e.value) for e in (*at.text, *at.code)]
    return "\n".join(parts)


def assert_shown_as_text(at: Any, *must_read: str) -> None:
    assert not at.exception, at.exception
    for source in markdown_sources(at):
        rendered = _parser.render(source)
        assert "<a " not in rendered and "<img" not in rendered, source
        assert "evil.example" not in source, f"unescaped URL (autolink) in: {source}"
    seen = visible_text(at)
    for text in must_read:
        assert text in seen, f"{text!r} is not shown literally"


def evil_draft(key: str, *, error: bool = False) -> Draft:
    body = f"周末野餐篮上新。\n\n{EVIL}\n\n点击查看。"
    start = body.index(EVIL)
    finding = Finding(rule="test.evil", severity="error" if error else "warning", start=start,
                      end=start + len(EVIL), match=EVIL, message=f"message {EVIL}",
                      suggestion=f"suggestion {EVIL}", reference=f"reference {EVIL}", field="body")
    brief = Brief(industry="retail", segment="dormant.mass", content_type="copy", channel="moments",
                  product="周末野餐篮")
    content = CopyContent(headline=EVIL, body=body, cta=f"看看 {EVIL_LINK}")
    return Draft(
        key=key, variant=1, brief=brief, content=content, text=f"{EVIL}\n{body}",
        prompt_ref="copy/reactivation@1+abc",
        model=ModelInfo(provider="offline", name="offline-test", offline=True),
        compliance=ComplianceReport(verdict=ComplianceReport.verdict_for([finding]), findings=[finding],
                                    locale="zh-CN", industry="retail", channel="moments"),
    )


@pytest.fixture
def evil(lib: Any) -> dict[str, str]:
    """In review: one edited twice with a reviewer's evil reason; one overridden with an evil
    justification. A blocked draft waits for compliance."""
    a = lib.save_draft(evil_draft("evil-a"), author="olivia").material_id
    lib.submit(a, 1, actor="olivia")
    lib.request_changes(a, 1, actor="rui", reason=f"reason {EVIL}")
    v2 = dict(lib.get_version(a, 1).content)
    v2["body"] = f"第二版 {EVIL}"
    lib.edit(a, base_version=1, content=v2, actor="olivia")
    lib.submit(a, 2, actor="olivia")
    b = lib.save_draft(evil_draft("evil-b", error=True), author="olivia").material_id
    lib.override(b, 1, actor="chen", justification=f"justification {EVIL}")
    lib.submit(b, 1, actor="olivia")
    c = lib.save_draft(evil_draft("evil-c", error=True), author="olivia").material_id
    return {"a": a, "b": b, "c": c}


def test_review_queue_shows_content_as_text(lib: Any, app: Any, evil: dict[str, str]) -> None:
    at = app("rui", "review")
    assert any(evil["a"] in m.value for m in at.markdown)
    assert_shown_as_text(at, EVIL, f"第二版 {EVIL}")  # v2, re-checked by the real rules
    at.button(key="r_next").click().run()
    assert any(evil["b"] in m.value for m in at.markdown)
    assert_shown_as_text(at, EVIL, f"message {EVIL}", f"suggestion {EVIL}", f"reference {EVIL}",
                         f"justification {EVIL}")


def test_override_queue_shows_content_as_text(lib: Any, app: Any, evil: dict[str, str]) -> None:
    at = app("chen", "review")
    assert_shown_as_text(at, EVIL, f"message {EVIL}")


def test_library_page_shows_content_history_and_diff_as_text(lib: Any, app: Any,
                                                             evil: dict[str, str]) -> None:
    at = app("rui", "library_page")
    assert_shown_as_text(at)
    for mid in (evil["b"], evil["c"]):
        at.selectbox(key="l_select").set_value(mid).run()
        assert_shown_as_text(at, EVIL, f"message {EVIL}")
    at.selectbox(key="l_select").set_value(evil["a"]).run()
    at.selectbox(key=f"l_version_{evil['a']}").set_value(1).run()
    assert_shown_as_text(at, EVIL, f"message {EVIL}")
    at.selectbox(key=f"l_version_{evil['a']}").set_value(2).run()
    assert_shown_as_text(at, f"第二版 {EVIL}")
    diffs = [str(m.value) for m in at.markdown if 'class="cg-diff"' in str(m.value)]
    assert diffs, "the library page shows the side-by-side diff"
    shown = html.unescape(re.sub(r"<[^>]+>", "", diffs[0]))
    assert f"第二版 {EVIL}" in shown, "the diff shows the change literally"


def test_generate_page_shows_variants_failures_and_notices_as_text(lib: Any) -> None:
    from streamlit.testing.v1 import AppTest

    from review_ui._workbench import new_variant

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "review_ui" / "app.py"),
                           default_timeout=60)
    at.session_state["user"] = {"name": "olivia", "role": "operator"}
    work = new_variant(evil_draft("evil-gen"))
    work["error"], work["notice"] = f"error {EVIL}", f"notice {EVIL}"
    at.session_state["gen"] = {"variants": {1: work}, "failures": {2: f"failed {EVIL}"}, "n": 2}
    at.run()
    assert_shown_as_text(at, EVIL, f"failed {EVIL}", f"error {EVIL}", f"notice {EVIL}",
                         f"message {EVIL}")


def test_rules_page_shows_pasted_text_as_text(lib: Any, app: Any) -> None:
    at = app("rui", "rules")
    at.text_area(key="rules_text").input(f"全网最好 {EVIL}\r\r{EVIL_LINK}").run()
    assert_shown_as_text(at, EVIL)


def test_my_work_shows_content_the_reviewers_reason_and_translated_errors_as_text(
        lib: Any, app: Any) -> None:
    from contentgen.kernel.errors import UnknownIdentifierError
    from review_ui._errors import error_text

    a = lib.save_draft(evil_draft("evil-work"), author="olivia").material_id
    lib.submit(a, 1, actor="olivia")
    lib.request_changes(a, 1, actor="rui", reason=f"reason {EVIL}")
    at = app("olivia", "my_work")
    assert_shown_as_text(at, EVIL, f"reason {EVIL}")  # findings: the live re-check's own
    # A translated error keeps the quoted value, and the value stays text.
    said = error_text(UnknownIdentifierError("industry", EVIL, ("retail",)), "zh")
    rendered = _parser.render(said)
    assert "<a " not in rendered and "<img" not in rendered and "evil.example" not in said
    assert EVIL in html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_login_errors_quote_the_typed_name_as_text(lib: Any, app: Any) -> None:
    name = "[x](https://evil.example)"
    at = app(None)
    for _ in range(6):
        at.text_input(key="login_name").input(name)
        at.text_input(key="login_password").input("wrong-password")
        at.button(key="login_submit").click().run()
    assert any("登录失败次数过多" in e.value for e in at.error)
    assert_shown_as_text(at, f"“{name}”登录失败次数过多")


def test_escaping_helpers_keep_every_character() -> None:
    from review_ui._safe import code, html_text, md

    nasty = "a*b_c `d` [e](f) <g> &amp; :red[h] $x$ www.i.example j@k.example\n- l\n1. m"
    rendered = html.unescape(re.sub(r"<[^>]+>", "", _parser.render(md(nasty, inline=False))))
    assert rendered.replace("\n", "") == nasty.replace("\n", "")
    assert "<a " not in _parser.render(md(nasty)) and "<em>" not in _parser.render(md(nasty))
    assert _parser.render(code("x``y")).count("<code>") == 1
    assert "\n" not in html_text("a\r\rb\nc") and "[" not in html_text("[x](y)")


def test_channel_previews_and_storyboard_show_content_as_text(lib: Any, app: Any) -> None:
    """The official-account preview undoes the template's Markdown escaping to lay the article
    out, and the storyboard lays out scenes: both must escape again, every character kept."""
    from contentgen.kernel.schemas import Scene, VideoScriptContent

    article = evil_draft("evil-oa")
    article = article.model_copy(update={
        "brief": article.brief.model_copy(update={"channel": "official_account"}),
        "compliance": article.compliance.model_copy(update={"channel": "official_account"})})
    video = Draft(
        key="evil-video", variant=1, text=EVIL, prompt_ref="video/reactivation@1+abc",
        brief=Brief(industry="retail", segment="dormant.mass", content_type="short_video_script",
                    channel="video_account", product="周末野餐篮"),
        content=VideoScriptContent(
            title=f"{EVIL_HTML} {EVIL_LINK}", hook=f"hook {EVIL}", cta=f"cta {EVIL_LINK}",
            total_duration_s=8,
            scenes=[Scene(duration_s=8, visual=f"visual {EVIL}", voice_over=f"vo {EVIL} **bold**",
                          caption=f"cap {EVIL_LINK}")]),
        model=ModelInfo(provider="offline", name="offline-test", offline=True),
        compliance=ComplianceReport(verdict="pass", findings=[], locale="zh-CN", industry="retail",
                                    channel="video_account"))
    for draft in (article, video):
        mid = lib.save_draft(draft, author="olivia").material_id
        lib.submit(mid, 1, actor="olivia")
    def preview_text(at: Any, marker: str) -> str:
        source = next(m.value for m in at.markdown if marker in m.value)
        return html.unescape(re.sub(r"<[^>]+>", "", _parser.render(source)))

    at = app("rui", "review")
    assert EVIL in preview_text(at, 'class="cg-preview"'), "the article itself reads it literally"
    assert_shown_as_text(at, EVIL, f"message {EVIL}")
    at.button(key="r_next").click().run()
    assert f"vo {EVIL} **bold**" in preview_text(at, "cg-storyboard")
    assert_shown_as_text(at, f"{EVIL_HTML} {EVIL_LINK}", f"hook {EVIL}", f"visual {EVIL}",
                         f"vo {EVIL} **bold**", f"cap {EVIL_LINK}", f"cta {EVIL_LINK}")


def test_plans_page_shows_touchpoints_and_notices_as_text(lib: Any, app: Any) -> None:
    """The unit view, the calendar and one touchpoint: an edited touchpoint full of markup."""
    from datetime import date

    from contentgen.kernel.config import Settings
    from contentgen.plans import PlanRequest
    from contentgen.usecases import plans

    req = PlanRequest.parse(segment="dormant.mass", objective="reactivate", days=7,
                            industry="retail", locale="zh-CN", start=date(2026, 12, 7))
    created = plans.create_plan(req, settings=Settings.load(), lib=lib, as_user="olivia")
    assert created.stored is not None
    first = created.stored.touchpoints[0]
    content = dict(lib.get_version(first.material_id, first.current_version).content)
    field = "hook" if first.content_type == "short_video_script" else "body"
    content[field] = f"周末见。{EVIL}"
    plans.edit_touchpoint(lib, created.stored.id, first.seq, content=content, actor="olivia")
    at = app("rui", "plans")
    assert_shown_as_text(at, f"周末见。{EVIL}")
