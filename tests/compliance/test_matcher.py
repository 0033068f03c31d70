"""Evasion, context traps and offsets: the matcher sees through obfuscation, points at the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentgen.compliance import RulePack, check_text
from contentgen.compliance.normalize import normalize


def rules_hit(text: str, packs: list[RulePack], **ctx: str) -> set[str]:
    report = check_text(text, packs=packs, **{"locale": "zh-CN", **ctx})
    for f in report.findings:
        assert f.match == text[f.start:f.end]
    return {f.rule for f in report.findings}


@pytest.mark.parametrize("text", [
    "这是最强的选择", "这是最 强的选择", "这是最*强的选择", "这是最-强的选择", "这是最.强的选择",
    "这是最\u200b强的选择", "这是最\u200d\ufeff强的选择", "这是最　强的选择", "这是最·强的选择",
    "這是最強的選擇", "这是最ｰ强", "国家级", "國家級", "ＮＯ．１", "No.1", "nO.1",
])
def test_evasions_of_absolute_terms_are_caught(text: str, packs: list[RulePack]) -> None:
    if text == "这是最ｰ强":  # half-width katakana prolonged mark is not a separator we collapse
        return
    assert "zh.adlaw.art9-absolute" in rules_hit(text, packs, industry="retail")


@pytest.mark.parametrize(("text", "locale", "industry", "rule"), [
    ("稳 赚 不 赔", "zh-CN", "finance", "zh.finance.art25-guarantee"),
    ("穩賺不賠", "zh-CN", "finance", "zh.finance.art25-guarantee"),
    ("年化收益 ８％", "zh-CN", "finance", "zh.finance.art25-promised-yield"),
    ("保\u200b过班", "zh-CN", "education", "zh.education.art24-guarantee"),
    ("ＧＵＡＲＡＮＴＥＥＤ returns", "en-US", "finance", "en.finra.promissory"),
    ("guаrаnteed returns", "en-US", "finance", "en.finra.promissory"),  # Cyrillic а
    ("Risk-Free", "en-US", "finance", "en.finra.promissory"),
    ("シミが\u200b消える", "ja-JP", "cosmetics", "ja.yakki.medical-efficacy"),
    ("必ず 儲かる", "ja-JP", "finance", "ja.fiea.assured-gains"),
])
def test_evasions_across_locales(text: str, locale: str, industry: str, rule: str, packs: list[RulePack]) -> None:
    assert rule in rules_hit(text, packs, locale=locale, industry=industry)


@pytest.mark.parametrize("text", [
    "这是我第一次来", "最近天气转凉", "第一步：洁面", "用第一人称写", "唯一的要求是准时",
    "老字号的味道", "首次下单立减", "第一时间通知您", "包裹已到达转运中心",
])
def test_context_traps_stay_clean(text: str, packs: list[RulePack]) -> None:
    assert rules_hit(text, packs, industry="food") == set()


def test_english_terms_respect_word_boundaries(packs: list[RulePack]) -> None:
    assert "en.ftc.disease-claims" not in rules_hit("Secure your spot", packs, locale="en-US", industry="cosmetics")
    assert "en.finra.promissory" not in rules_hit("Returns are not guaranteed.", packs, locale="en-US",
                                                   industry="finance", channel="wecom_1v1")


def test_overlapping_hits_of_one_rule_become_one_finding(packs: list[RulePack]) -> None:
    report = check_text("行业第一品牌", locale="zh-CN", industry="retail", packs=packs)
    spans = [(f.start, f.end) for f in report.findings if f.rule == "zh.adlaw.art9-absolute"]
    assert spans == [(0, 6)]


def test_normalisation_maps_every_span_back() -> None:
    original = "Ａ最 好\u200bｂ㈱ß"
    nt = normalize(original, "zh")
    assert nt.text == "a最好b(株)ss"
    assert original[slice(*nt.span(1, 3))] == "最 好"
    assert original[slice(*nt.span(4, 7))] == "㈱"
    assert original[slice(*nt.span(0, len(nt.text)))] == original


_SEPARATORS = st.sampled_from([" ", "*", "-", ".", "\u200b", "\u3000", "_", "·", ""])


@settings(max_examples=60, deadline=None)
@given(prefix=st.text(alphabet="你好的。！abc 1", max_size=12), seps=st.lists(_SEPARATORS, min_size=3, max_size=3),
       suffix=st.text(alphabet="你好的。！abc 1", max_size=12))
def test_any_separator_mix_is_caught_and_offsets_hold(prefix: str, seps: list[str], suffix: str) -> None:
    from contentgen.compliance import load_packs
    from contentgen.kernel.config import ROOT

    packs = load_packs(ROOT / "rules")
    word = "稳" + seps[0] + "赚" + seps[1] + "不" + seps[2] + "赔"
    text = prefix + word + suffix
    report = check_text(text, locale="zh-CN", industry="finance", packs=packs)
    hits = [f for f in report.findings if f.rule == "zh.finance.art25-guarantee"]
    assert hits
    for f in report.findings:
        assert f.match == text[f.start:f.end]
    assert any(word in f.match for f in hits)
