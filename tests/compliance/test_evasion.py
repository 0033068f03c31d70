"""Every evasion class, per locale: the disguised term is still found, at the right offsets.

The pack here is the test's own (one term per locale), so the table measures the matcher and
normalisation, not the shipped packs' word lists; a second table runs the shipped packs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.compliance import RulePack, check_text, load_packs

PACK = """
id: test.evasion
version: "1"
title: evasion fixture
locales: [zh-CN, ja-JP, en-US]
rules:
  - id: t.zh
    kind: terms
    level: error
    message: m
    reference: r
    pinyin: true
    scope: {locales: [zh-CN]}
    terms: [稳赚不赔, 最好]
    examples: {hit: [稳赚不赔], clean: [很好]}
  - id: t.ja
    kind: terms
    level: error
    message: m
    reference: r
    scope: {locales: [ja-JP]}
    terms: [シミがきえる, 若返]
    examples: {hit: [シミがきえる], clean: [うるおい]}
  - id: t.en
    kind: terms
    level: error
    message: m
    reference: r
    scope: {locales: [en-US]}
    terms: [guarantee returns, risk free]
    examples: {hit: [guaranteed returns], clean: [fair returns]}
  - id: t.yield
    kind: pattern
    level: error
    message: m
    reference: r
    scope: {locales: [zh-CN]}
    patterns: ['年化(收益)?\\s*{PCT}']
    examples: {hit: [年化收益8%], clean: [年化收益率浮动]}
"""

# (class, locale, text): each text hides a term of the pack above.
EVASIONS = [
    ("line break in a CJK term", "zh-CN", "这款理财稳赚\n不赔"),
    ("CRLF in a CJK term", "zh-CN", "最\r\n好的选择"),
    ("line break in a ja term", "ja-JP", "シミが\nきえる"),
    ("emoji between characters", "zh-CN", "最🔥好的选择"),
    ("emoji between characters", "ja-JP", "シミが✨きえる"),
    ("decimal HTML entity", "zh-CN", "&#26368;好的选择"),
    ("hex HTML entity", "zh-CN", "&#x7a33;赚不赔"),
    ("HTML tags", "zh-CN", "<b>最</b>好的选择"),
    ("HTML tags", "en-US", "<i>guaranteed</i> returns"),
    ("named HTML entity", "en-US", "risk&nbsp;free investing"),
    ("soft hyphen", "zh-CN", "稳赚\u00ad不赔"),
    ("soft hyphen", "en-US", "guar\u00adanteed returns"),
    ("bidi override", "zh-CN", "稳\u202e赚不赔"),
    ("bidi override", "en-US", "guaran\u202eteed returns"),
    ("zero-width joiner", "ja-JP", "シミが\u200dきえる"),
    ("combining accent", "zh-CN", "最\u0301好"),
    ("combining accent", "en-US", "gua\u0301ranteed returns"),
    ("precomposed accent", "en-US", "guarantéed returns"),
    ("upper-case Cyrillic look-alikes", "en-US", "GUARАNTЕЕD RETURNS"),
    ("upper-case Greek look-alikes", "en-US", "GUΑRΑΝΤΕΕD returns"),
    ("lower-case Cyrillic look-alikes", "en-US", "guаrаntееd returns"),
    ("dotless i", "en-US", "rısk free"),
    ("spaced-out letters", "en-US", "G u a r a n t e e d returns"),
    ("dotted-out letters", "en-US", "g.u.a.r.a.n.t.e.e.d returns"),
    ("digits for letters", "en-US", "guarant33d returns"),
    ("digits for letters", "en-US", "r1sk free"),
    ("inflection", "en-US", "it guarantees returns"),
    ("hyphenated", "en-US", "a risk-free plan"),
    ("joined", "en-US", "a riskfree plan"),
    ("full width", "en-US", "ＧＵＡＲＡＮＴＥＥＤ returns"),
    ("full width", "zh-CN", "稳赚不赔！"),
    ("traditional characters", "zh-CN", "穩賺不賠"),
    ("pinyin for one character", "zh-CN", "zui好的选择"),
    ("pinyin inside a term", "zh-CN", "稳zhuan不赔"),
    ("pinyin for the whole term", "zh-CN", "wenzhuanbupei"),
    ("katakana for hiragana", "ja-JP", "シミがキエル"),
    ("half-width katakana", "ja-JP", "ｼﾐｶﾞｷｴﾙ"),
    ("conjugation stem", "ja-JP", "肌を若返らせて"),
    ("roman numeral in a yield", "zh-CN", "年化收益Ⅷ%"),
    ("Chinese numerals in a yield", "zh-CN", "年化收益百分之八"),
    ("financial numerals in a yield", "zh-CN", "年化收益捌%"),
    ("points in a yield", "zh-CN", "年化八个点"),
    ("full-width digits in a yield", "zh-CN", "年化收益８％"),
]


@pytest.fixture(scope="module")
def fixture_packs(tmp_path_factory: pytest.TempPathFactory) -> list[RulePack]:
    d: Path = tmp_path_factory.mktemp("rules")
    (d / "evasion.yaml").write_text(PACK, encoding="utf-8")
    return load_packs(d)


@pytest.mark.parametrize(("kind", "locale", "text"), EVASIONS, ids=[f"{e[1]}-{e[0]}" for e in EVASIONS])
def test_evasion_is_caught(kind: str, locale: str, text: str, fixture_packs: list[RulePack]) -> None:
    report = check_text(text, locale=locale, packs=fixture_packs)
    assert report.verdict == "block", f"{kind}: {text!r} passed"
    for f in report.findings:
        assert f.match == text[f.start:f.end]
        assert f.match.strip(), f"{kind}: empty span {f}"


@pytest.mark.parametrize(("locale", "text"), [
    ("en-US", "I am a big fan"),  # single letters in ordinary English are not joined into words
    ("en-US", "a b c returns"),
    ("en-US", "Guarantor services for tenants"),  # a longer word is not the term
    ("zh-CN", "很好的选择"),
    ("zh-CN", "最\n新款到店"),  # a joined line break makes 最新, not a term of this pack
    ("ja-JP", "しみじみ味わう"),
    ("en-US", "mp3 player with 4g"),
])
def test_normalisation_does_not_invent_terms(locale: str, text: str, fixture_packs: list[RulePack]) -> None:
    assert check_text(text, locale=locale, packs=fixture_packs).verdict == "pass"


# The shipped packs: one high-risk claim per locale, each disguised.
SHIPPED = [
    ("zh-CN", "finance", "这款产品稳zhuan不赔"),
    ("zh-CN", "finance", "稳赚\n不赔，放心买"),
    ("zh-CN", None, "全网<b>最</b>低价"),
    ("zh-CN", "cosmetics", "7天美白祛斑，立即见效"),
    ("ja-JP", "cosmetics", "シミがキエル美容液"),
    ("ja-JP", "finance", "必ず儲かる投資"),
    ("en-US", "finance", "G u a r a n t e e d returns"),
    ("en-US", "finance", "This fund will double in value"),
    ("en-US", "health", "This supplement cures arthritis"),
]


@pytest.mark.parametrize(("locale", "industry", "text"), SHIPPED)
def test_shipped_packs_catch_disguised_claims(locale: str, industry: str | None, text: str,
                                              packs: list[RulePack]) -> None:
    report = check_text(text, locale=locale, industry=industry, packs=packs)
    assert report.verdict == "block", [f.rule for f in report.findings]
