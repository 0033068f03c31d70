"""General mechanisms that keep legal uses from blocking and evasions from passing, per locale.

The pack is the test's own (a term list and a pattern per locale), so these tables measure the
engine — disclaimer scope, quoted mentions, reported claims, folding, split words, implied
industry — and not the shipped packs' word lists. Sentences are written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.compliance import RulePack, check_text, load_packs
from contentgen.compliance.context import crosses_break, disclaimed, mentioned
from contentgen.compliance.normalize import normalize

PACK = """
id: test.mechanisms
version: "1"
title: mechanisms fixture
locales: [zh-CN, ja-JP, en-US]
rules:
  - id: t.zh.terms
    kind: terms
    level: error
    message: m
    reference: r
    scope: {locales: [zh-CN]}
    terms: [保本, 治愈, 最好, 第一品牌]
    examples: {hit: [保本], clean: [很好]}
  - id: t.zh.pattern
    kind: pattern
    level: error
    message: m
    reference: r
    scope: {locales: [zh-CN]}
    patterns: ['年化\\d+%']
    examples: {hit: [年化8%], clean: [年化]}
  - id: t.ja.terms
    kind: terms
    level: error
    message: m
    reference: r
    scope: {locales: [ja-JP]}
    terms: [元本保証, シミが消える, 必ず儲かる, 治った]
    examples: {hit: [元本保証], clean: [保湿]}
  - id: t.ja.pattern
    kind: pattern
    level: error
    message: m
    reference: r
    scope: {locales: [ja-JP]}
    patterns: ['年利\\d+%を保証']
    examples: {hit: [年利5%を保証], clean: [年利]}
  - id: t.en.terms
    kind: terms
    level: error
    message: m
    reference: r
    scope: {locales: [en-US]}
    terms: [guaranteed, risk, cure, best]
    examples: {hit: [guaranteed], clean: [fine]}
  - id: t.en.pattern
    kind: pattern
    level: error
    message: m
    reference: r
    scope: {locales: [en-US]}
    patterns: ['guaranteed \\d+% returns?']
    examples: {hit: [guaranteed 8% returns], clean: [returns]}
  - id: t.en.strict
    kind: pattern
    level: error
    message: m
    reference: r
    negatable: false
    scope: {locales: [en-US]}
    patterns: ['not sponsored']
    examples: {hit: [not sponsored], clean: [sponsored]}
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> list[RulePack]:
    d: Path = tmp_path_factory.mktemp("mech")
    (d / "p.yaml").write_text(PACK, encoding="utf-8")
    return load_packs(d)


def _hits(text: str, locale: str, packs: list[RulePack]) -> list[str]:
    report = check_text(text, locale=locale, packs=packs)
    for f in report.findings:  # offsets always point into the text as given
        assert text[f.start:f.end] == f.match
    return [text[f.start:f.end] for f in report.findings]


# A disclaimer excuses every hit (patterns too); its reach stops at a line break, an emoji or a
# sentence end, which normalisation would otherwise remove between CJK characters.
@pytest.mark.parametrize(("locale", "text", "fires"), [
    ("zh-CN", "本产品不保证年化8%的收益", False),
    ("zh-CN", "本产品并非保本产品", False),
    ("zh-CN", "不保证😊\n年化8%稳稳到手", True),
    ("zh-CN", "不要犹豫。\n保本理财来了", True),
    ("zh-CN", "这款不会🔥\n治愈失眠", True),
    ("zh-CN", "年化8%，机会难得", True),
    ("ja-JP", "元本保証ではありません", False),
    ("ja-JP", "必ず儲かるということはありません", False),
    ("ja-JP", "年利5%を保証するものではありません", False),
    ("ja-JP", "元本保証\nではない商品と比べて", True),
    ("ja-JP", "年利5%を保証します", True),
    ("en-US", "Returns are not guaranteed.", False),
    ("en-US", "We have never guaranteed 8% returns to anyone.", False),
    ("en-US", "Not sure? Guaranteed 8% returns!", True),
    ("en-US", "No worries \U0001F600 guaranteed 8% returns", True),
    ("en-US", "This is not sponsored by anyone", True),  # negatable: false keeps it on
])
def test_disclaimer_scope(pack: list[RulePack], locale: str, text: str, fires: bool) -> None:
    assert bool(_hits(text, locale, pack)) is fires, _hits(text, locale, pack)


@pytest.mark.parametrize(("fam", "text", "term", "expected"), [
    ("zh", "我们不承诺年化8%", "年化8%", True),
    ("zh", "不要错过年化8%", "年化8%", False),  # 不要 negates a word, it is no disclaimer
    ("ja", "年利5%を保証するものではありません", "年利5%を保証", True),
    ("default", "it is not intended to cure anything", "cure", True),
    ("default", "not only safe, guaranteed", "guaranteed", False),
])
def test_disclaimed(fam: str, text: str, term: str, expected: bool) -> None:
    t = normalize(text, fam).text
    i = t.index(normalize(term, fam).text)
    assert (disclaimed(t, i, i + len(normalize(term, fam).text), fam) is not None) is expected


def test_crosses_break() -> None:
    assert crosses_break("不\n保本", 0, 2)
    assert crosses_break("不🔥保本", 0, 2)
    assert crosses_break("not. guaranteed", 0, 5)
    assert not crosses_break("不会 治愈", 0, 3)


# A quoted or reported claim, asked about or rejected, is a mention, not a use.
@pytest.mark.parametrize(("locale", "text", "fires"), [
    ("zh-CN", "有客户问“这个能保本吗”，答案是不能。", False),  # a quoted question
    ("zh-CN", "“最好”“第一品牌”这些字眼，我们的文案不用。", False),  # quotes side by side
    ("zh-CN", "有些商家宣称保健品能治愈高血压，这是违法的。", False),  # reported and rejected
    ("zh-CN", "网上流传的“喝这个能治愈失眠”并无科学依据。", False),
    ("zh-CN", "有人问吃这个能不能治愈胃病，我们只卖食品。", False),  # a reported question
    ("zh-CN", "我们的产品“最好”", True),  # quoted, but claimed
    ("zh-CN", "用户反馈：“三天就治愈了”", True),  # a testimonial is a claim
    ("ja-JP", "「シミが消えるの？」とのご質問をいただきますが、化粧品ではできません。", False),
    ("ja-JP", "「必ず儲かる」はありません。", False),
    ("ja-JP", "「元本保証」「必ず儲かる」といった言葉は使いません。", False),
    ("ja-JP", "ご愛用者から『治った』という声が届いています。", True),  # a voice quoted is a claim
    ("ja-JP", "この美容液でシミが消える！", True),
    ("en-US", "Some sellers claim that a pill can cure diabetes; that is illegal.", False),
    ("en-US", "If anyone promises you guaranteed income, it's a scam.", False),
    ("en-US", "Customers ask whether it can cure colds. It can't.", False),
    ("en-US", "Our \"guaranteed\" plan pays every month.", True),
    ("en-US", "Our best blender yet.", True),
])
def test_mentions(pack: list[RulePack], locale: str, text: str, fires: bool) -> None:
    assert bool(_hits(text, locale, pack)) is fires, _hits(text, locale, pack)


@pytest.mark.parametrize(("text", "term", "expected"), [
    ("“保本”“治愈”两个词不能用", "保本", True),
    ("「元本保証」「必ず儲かる」などの表現", "必ず儲かる", True),
    ('He asked "is it the best?" and we said no', "best", True),
    ("我们就是“第一品牌”", "第一品牌", False),
])
def test_mentioned(text: str, term: str, expected: bool) -> None:
    i = text.index(term)
    assert mentioned(text, i, i + len(term)) is expected


# Folding for recall: old kanji in ja, emoji that stand for a word, punctuation inside a Latin word.
@pytest.mark.parametrize(("locale", "text", "match"), [
    ("ja-JP", "元本保證で安心", "元本保證"),
    ("ja-JP", "必ず儲かる💰プラン", "必ず儲かる"),
    ("zh-CN", "全网最💯好", "最💯好"),  # between two CJK characters 💯 only splits the word
    ("zh-CN", "本品💯治愈", "治愈"),
    ("en-US", "Zero R!sk", "R!sk"),
    ("en-US", "Guaran*teed income", "Guaran*teed"),
    ("en-US", "Guaran-teed income", "Guaran-teed"),  # a term across a split hyphen
    ("en-US", "Gua-ran-teed 12% returns", "Gua-ran-teed 12% returns"),  # a pattern across it
    ("en-US", "💯 cu-re for colds", "cu-re"),
])
def test_folding_recall(pack: list[RulePack], locale: str, text: str, match: str) -> None:
    assert match in _hits(text, locale, pack)


@pytest.mark.parametrize(("fam", "text", "normalised"), [
    ("ja", "元本保證、對象外", "元本保証、対象外"),
    ("zh", "躺着赚💰了", "躺着赚钱了"),
    ("zh", "💯有效", "100%有效"),
    ("ja", "💰が増える", "お金が増える"),
    ("default", "make 💰 fast", "make money fast"),
    ("default", "r!sk, fu||y", "risk, fully"),
])
def test_folding_table(fam: str, text: str, normalised: str) -> None:
    assert normalize(text, fam).text == normalised


@pytest.mark.parametrize("text", ["a low-risk fund", "a follow-up call", "e-mail us", "state-of-the-art"])
def test_real_hyphenated_words_stay_apart(pack: list[RulePack], text: str) -> None:
    # "low-risk" holds the term "risk" as a word already; rejoining must not add anything else.
    assert _hits(text, "en-US", pack) in ([], ["risk"])


IMPLIED = """
id: test.implied
version: "1"
title: implied industry fixture
locales: [zh-CN, ja-JP, en-US]
scope: {industries: [finance]}
rules:
  - id: t.implied.risk
    kind: requires
    level: error
    message: m
    reference: r
    scope: {implied_by_product: true}
    any_of: [投资有风险, 投資にはリスクがあります, investing involves risk]
    examples: {hit: [基金开放申购], clean: [基金开放申购，投资有风险]}
  - id: t.plain.risk
    kind: requires
    level: error
    message: m
    reference: r
    any_of: [投资有风险, 投資にはリスクがあります, investing involves risk]
    examples: {hit: [基金开放申购], clean: [基金开放申购，投资有风险]}
"""


@pytest.mark.parametrize(("locale", "text", "industry", "expected"), [
    ("zh-CN", "稳健一号基金今日开放申购", None, {"t.implied.risk"}),  # a fund named: finance
    ("zh-CN", "周末门店营业时间调整", None, set()),  # no product named: no demand
    ("zh-CN", "稳健一号基金今日开放申购", "finance", {"t.implied.risk", "t.plain.risk"}),
    ("ja-JP", "新しい投資信託の取り扱いを始めました", None, {"t.implied.risk"}),
    ("en-US", "Our new index fund opens today", None, {"t.implied.risk"}),
    ("en-US", "Our new index fund opens today. Investing involves risk.", None, set()),
])
def test_implied_by_product(tmp_path: Path, locale: str, text: str, industry: str | None,
                            expected: set[str]) -> None:
    (tmp_path / "p.yaml").write_text(IMPLIED, encoding="utf-8")
    (tmp_path / "product_types.yaml").write_text(
        (Path(__file__).parents[2] / "rules" / "product_types.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    packs = load_packs(tmp_path)
    report = check_text(text, locale=locale, industry=industry, packs=packs, rules_dir=tmp_path)
    assert {f.rule for f in report.findings} == expected
