"""Drafts: field-scoped findings, whole-content requirements, fixes and rewrite instructions."""

from __future__ import annotations

import pytest

import contentgen.compliance as compliance
from contentgen.compliance import (
    RulePack,
    apply_fixes,
    check_content,
    check_text,
    fix_content,
    rewrite_instructions,
)
from contentgen.kernel.schemas import (
    CopyContent,
    PushContent,
    Scene,
    SendWindow,
    VideoScriptContent,
)

WINDOW = SendWindow(start="10:00", end="12:00")


@pytest.mark.parametrize(("locale", "industry", "body"), [
    ("zh-CN", "finance", "稳健型理财产品本周开售。理财有风险，投资需谨慎"),
    ("ja-JP", "finance", "新しい投資信託のご案内です。投資にはリスクがあります。"),
    ("en-US", "finance", "Our new fund opens this week. Investing involves risk, including possible loss of principal."),
    ("zh-CN", "health", "维生素C片，每日一粒。本品不能代替药物"),
    ("ja-JP", "health", "機能性表示食品のビタミンCサプリ。本品は、疾病の診断、治療、予防を目的としたものではありません。"),
    ("en-US", "health", "Daily vitamin C supports a healthy immune system. These statements have not been evaluated by the Food and Drug Administration. "
                        "This product is not intended to diagnose, treat, cure, or prevent any disease."),
])
def test_offline_model_required_elements_pass(locale: str, industry: str, body: str, packs: list[RulePack]) -> None:
    draft = CopyContent(headline="Hello", body=body, cta="OK")
    report = check_content(draft, locale=locale, industry=industry, channel="moments", content_type="copy", packs=packs)
    # Passes, or only warns where the law asks for more than the statement (ja: fees, registration).
    assert not report.blocked and not [f for f in report.findings if f.kind == "requires" and f.severity == "error"], \
        report.findings
    missing = CopyContent(headline="Hello", body=body.split("。")[0].split(". ")[0], cta="OK")
    blocked = check_content(missing, locale=locale, industry=industry, channel="moments", content_type="copy",
                            packs=packs)
    assert {f.kind for f in blocked.findings if f.severity == "error"} == {"requires"}
    f = blocked.findings[0]
    assert (f.field, f.start, f.end, f.match) == (None, 0, 0, "")


@pytest.mark.parametrize(("locale", "opt_out"), [
    ("zh-CN", "回T退订"), ("zh-CN", "退订回T"), ("zh-CN", "回复TD退订"), ("ja-JP", "配信停止はこちら"),
    ("ja-JP", "配信停止"), ("en-US", "Reply STOP to opt out"), ("en-US", "Text STOP"),
])
def test_sms_opt_out_variants(locale: str, opt_out: str, packs: list[RulePack]) -> None:
    push = PushContent(body=f"Sale 20% {opt_out}", send_window=WINDOW)
    ok = check_content(push, locale=locale, industry="retail", channel="sms", content_type="push", packs=packs)
    # The opt-out is there (ja-JP also asks for the sender's name: a warning of its own).
    assert not [f for f in ok.findings if f.kind == "requires" and f.severity != "info"
                and "sender" not in f.rule]
    bare = PushContent(body="Sale 20%", send_window=WINDOW)
    report = check_content(bare, locale=locale, industry="retail", channel="sms", content_type="push", packs=packs)
    assert report.blocked


def test_risk_warning_scope_greeting_vs_promotion(packs: list[RulePack]) -> None:
    kw = {"locale": "zh-CN", "industry": "finance", "channel": "wecom_1v1", "content_type": "push", "packs": packs}
    greeting = PushContent(body="王先生，周末愉快！", send_window=WINDOW)
    assert check_content(greeting, **kw).verdict == "pass"
    pitch = PushContent(body="王先生，新发基金明天开始认购", send_window=WINDOW)
    assert check_content(pitch, **kw).blocked


def test_findings_carry_field_and_field_offsets(packs: list[RulePack]) -> None:
    script = VideoScriptContent(
        title="好物分享", hook="这是最好的面霜",
        scenes=[Scene(duration_s=5, visual="产品特写", voice_over="一抹消炎祛痘", caption="")],
        cta="点击了解", total_duration_s=5,
    )
    report = check_content(script, locale="zh-CN", industry="cosmetics", channel="video_account",
                           content_type="short_video_script", packs=packs)
    by_field = {(f.field, f.match) for f in report.findings}
    assert ("hook", "最好") in by_field and ("scenes.1.voice_over", "消炎") in by_field
    texts = {"hook": script.hook, "scenes.1.voice_over": script.scenes[0].voice_over}
    for f in report.findings:
        if f.field in texts:
            assert texts[f.field][f.start:f.end] == f.match


def test_apply_fixes_and_fix_content(packs: list[RulePack]) -> None:
    text = "最好的选择，全网最低价"
    report = check_text(text, locale="zh-CN", packs=packs)
    fixed, applied = apply_fixes(text, report)
    assert fixed == "很好的选择，超值优惠价" and len(applied) == 2
    draft = CopyContent(headline="最佳之选", body="品质顶级", cta="立即购买")
    rep = check_content(draft, locale="zh-CN", industry="retail", channel="moments", content_type="copy", packs=packs)
    new, done = fix_content(draft, rep)
    assert isinstance(new, CopyContent) and (new.headline, new.body) == ("优选之选", "品质高品质") and len(done) == 2


def test_rewrite_instructions_list_errors_only(packs: list[RulePack]) -> None:
    report = check_text("全网最低价！稳赚不赔 尊享", locale="zh-CN", industry="finance", channel="moments",
                        content_type="copy", segment="active.price_sensitive", packs=packs)
    items = rewrite_instructions(report)
    assert {i["rule"] for i in items} >= {"zh.finance.art25-guarantee", "zh.finance.art25-risk-warning"}
    assert all(set(i) >= {"rule", "match", "message", "suggestion"} for i in items)
    assert not any(i["rule"].startswith("zh.segment") for i in items)  # warnings are not rewrite orders
    assert any(i["instruction"].startswith("Add this required element: 理财有风险") for i in items)


def test_report_records_packs_in_scope(packs: list[RulePack]) -> None:
    report = check_text("hello", locale="ja-JP", industry="finance", packs=packs)
    ids = {p.id for p in report.packs}
    # 薬機法 applies to every advertiser (a drug claim in a finance ad too); other locales' packs never.
    assert "ja-JP.fiea" in ids and "ja-JP.yakki" in ids and "en-US.finra" not in ids and "zh-CN.finance" not in ids
    assert all(len(p.sha256) == 64 for p in report.packs)


def test_public_surface() -> None:
    assert set(compliance.__all__) == {
        "MAX_CHARS", "ComplianceReport", "Finding", "PackRef", "Rule", "RulePack", "apply_fixes",
        "check_brief", "check_content", "check_fields", "check_text", "fix_content", "load_packs", "rewrite_instructions", "unified_diff",
    }
