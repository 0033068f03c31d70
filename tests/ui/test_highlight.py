"""Pure helpers behind the pages: finding marks in HTML, and editing content by field name."""

from __future__ import annotations

import pytest

from contentgen.kernel.errors import UsageError
from contentgen.kernel.report import Finding
from contentgen.kernel.schemas import set_field
from review_ui._content import validate, with_fields
from review_ui._highlight import by_field, highlight_html, spans, worst_severity


def f(start: int, end: int, severity: str = "error", **kw: str) -> Finding:
    return Finding(rule=kw.get("rule", "r"), severity=severity, start=start, end=end,  # type: ignore[arg-type]
                   match=kw.get("match", ""), message=kw.get("message", "m"),
                   suggestion=kw.get("suggestion"), reference=kw.get("reference"),
                   field=kw.get("field"))


def test_marks_are_coloured_by_severity_and_carry_the_explanation() -> None:
    html = highlight_html("全网最好的篮子", [f(2, 4, suggestion="很好", reference="广告法第九条")])
    assert html.startswith("全网<mark")
    assert 'class="finding finding-error"' in html and ">最好</mark>的篮子" in html
    assert "很好" in html and "广告法第九条" in html  # in the hover title


def test_text_and_tooltips_are_escaped() -> None:
    text = '<script>alert(1)</script> "x"'
    html = highlight_html(text, [f(0, 8, "warning", message='<b onmouseover="x">')])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<b onmouseover' not in html and "&lt;b onmouseover=&quot;x&quot;&gt;" in html


def test_overlaps_keep_the_worse_finding_and_bad_offsets_are_ignored() -> None:
    text = "abcdefghij"
    chosen = spans(text, [f(0, 5, "info"), f(3, 7, "error"), f(8, 30), f(4, 4)])
    assert [(s, e, x.severity) for s, e, x in chosen] == [(3, 7, "error")]
    assert highlight_html("a\nb", []) == "a<br>b"


def test_grouping_and_worst_severity() -> None:
    found = [f(0, 1, "info", field="body"), f(0, 1, "warning", field="title"), f(0, 0, "error")]
    assert sorted(k or "" for k in by_field(found)) == ["", "body", "title"]
    assert worst_severity(found) == "error" and worst_severity([]) is None


def test_set_field_reaches_nested_scene_fields_and_hashtags() -> None:
    video = {"kind": "short_video_script", "title": "t", "hook": "h", "cta": "c",
             "total_duration_s": 5, "scenes": [{"duration_s": 5, "visual": "v",
                                                "voice_over": "", "caption": ""}]}
    out = set_field(video, "scenes.1.voice_over", "旁白")
    assert out["scenes"][0]["voice_over"] == "旁白" and video["scenes"][0]["voice_over"] == ""
    copy = {"kind": "copy", "headline": "h", "body": "b", "cta": "c", "hashtags": []}
    assert set_field(copy, "hashtags", "#野餐 #周末 ")["hashtags"] == ["野餐", "周末"]
    assert with_fields(copy, {"body": "新正文"}).body == "新正文"  # type: ignore[attr-defined]


def test_an_edit_that_breaks_the_schema_is_a_usage_error() -> None:
    copy = {"kind": "copy", "headline": "h", "body": "b", "cta": "c"}
    with pytest.raises(UsageError, match="body"):
        with_fields(copy, {"body": ""})
    with pytest.raises(UsageError, match="unknown content kind"):
        validate({"kind": "poem"})
