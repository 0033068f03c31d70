"""Reviewers' edits mined into proposed rules, and accepted into a pack that `rules check` passes.

Real engine and shipped packs, no mocks; the packs are copied once for the module.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from contentgen.compliance import RulePack
from contentgen.compliance.examples import run_examples
from contentgen.compliance.pack_loading import read_packs
from contentgen.compliance.packs import PackProblems, Rule
from contentgen.compliance.suggestions import (
    PACK_FILE,
    REFERENCE,
    Edit,
    Suggestion,
    add_to_pack,
    mine,
)
from contentgen.kernel.config import ROOT
from contentgen.kernel.errors import UnknownIdentifierError, UsageError


def _zh(mid: str, before: str, after: str, industry: str = "cosmetics") -> Edit:
    return Edit(mid, "zh-CN", before, after, industry=industry, channel="moments", role="reviewer")


def _ja(mid: str, before: str, after: str) -> Edit:
    return Edit(mid, "ja-JP", before, after, industry="retail", role="reviewer")


def _en(mid: str, before: str, after: str) -> Edit:
    return Edit(mid, "en-US", before, after, industry="retail", role="operator")


EDITS = [
    # 秒杀 → 限时优惠 in six materials (zh-01 reviewed twice, the same way).
    _zh("zh-01", "双十一秒杀价，面霜只要99元。", "双十一限时优惠价，面霜只要99元。", "retail"),
    _zh("zh-02", "今晚8点开启秒杀，下单加赠旅行装。", "今晚8点开启限时优惠，下单加赠旅行装。", "retail"),
    _zh("zh-03", "会员专享秒杀，满199元包邮。", "会员专享限时优惠，满199元包邮。", "retail"),
    _zh("zh-04", "春季新品上市！秒杀专场同步开启。", "春季新品上市！限时优惠专场同步开启。"),
    _zh("zh-05", "洗护套装秒杀中，两件再享九折。", "洗护套装限时优惠中，两件再享九折。"),
    _zh("zh-06", "直播间秒杀：精华液第二瓶半价。", "直播间限时优惠：精华液第二瓶半价。"),
    _zh("zh-01", "双十一秒杀价，面霜只要99元。", "双十一限时优惠价，面霜只要99元。", "retail"),
    # 闭眼入 removed twice, replaced once: a term, not a substitution.
    _zh("zh-07", "这款面霜闭眼入，保湿一整天。", "这款面霜保湿一整天。"),
    _zh("zh-08", "敏感肌闭眼入的氨基酸洗面奶，温和不紧绷。", "敏感肌适用的氨基酸洗面奶，温和不紧绷。"),
    _zh("zh-09", "新品防晒闭眼入！清爽不油腻。", "新品防晒清爽不油腻。"),
    # 绝绝子 in two materials only.
    _zh("zh-10", "这支口红的颜色绝绝子，黄皮也能驾驭。", "这支口红的颜色很好看，黄皮也能驾驭。"),
    _zh("zh-11", "香氛礼盒包装绝绝子，送人很有面子。", "香氛礼盒包装精致，送人很有面子。"),
    # 最强 → 出色: the shipped absolute-terms rule already flags 最强.
    _zh("zh-12", "这款粉底液控油最强，持妆一整天。", "这款粉底液控油出色，持妆一整天。"),
    _zh("zh-13", "今年遮瑕力最强的气垫，新客立减20元。", "今年遮瑕力出色的气垫，新客立减20元。"),
    _zh("zh-14", "补水效果最强的面膜，敷完水润。", "补水效果出色的面膜，敷完水润。"),
    # 激安 → お手頃 four times, removed once: 4 of 5 is a majority.
    _ja("ja-01", "激安価格でご提供します。", "お手頃価格でご提供します。"),
    _ja("ja-02", "人気の美容液を激安価格でお届けします。", "人気の美容液をお手頃価格でお届けします。"),
    _ja("ja-03", "ご好評につき激安価格のまま再入荷しました。", "ご好評につきお手頃価格のまま再入荷しました。"),
    _ja("ja-04", "新生活応援、家電が激安価格でそろいます。", "新生活応援、家電がお手頃価格でそろいます。"),
    _ja("ja-05", "激安！ハンドクリーム3本セット、送料込み。", "ハンドクリーム3本セット、送料込み。"),
    # マストバイ replaced two ways and removed once: no replacement wins.
    _ja("ja-06", "この冬のマストバイアイテム、保湿クリーム。", "この冬のおすすめアイテム、保湿クリーム。"),
    _ja("ja-07", "マストバイの日焼け止めが入荷しました。", "人気の日焼け止めが入荷しました。"),
    _ja("ja-08", "マストバイ！大容量の詰め替えパック。", "大容量の詰め替えパック。"),
    # no-brainer removed (once replaced); insanely → very, whatever its case.
    _en("en-01", "It's the no-brainer upgrade for busy teams.", "It's the upgrade for busy teams."),
    _en("en-02", "A no-brainer pick for first-time buyers.", "A smart pick for first-time buyers."),
    _en("en-03", "The no-brainer gift for coffee lovers ships free.", "The gift for coffee lovers ships free."),
    _en("en-04", "Our insanely soft bath towels are back in stock.", "Our very soft bath towels are back in stock."),
    _en("en-05", "Insanely comfortable sneakers for everyday walks.", "Very comfortable sneakers for everyday walks."),
    _en("en-06", "This blender makes insanely smooth soups.", "This blender makes very smooth soups."),
    # must-have in two materials only.
    _en("en-07", "The must-have serum of the season.", "The serum of the season."),
    _en("en-08", "A must-have tote for weekend trips.", "A roomy tote for weekend trips."),
]

MINED = {  # (locale, term) → (kind, replacement, support), without packs
    ("zh-CN", "秒杀"): ("substitution", "限时优惠", 6),
    ("zh-CN", "闭眼入"): ("terms", None, 3),
    ("zh-CN", "最强"): ("substitution", "出色", 3),
    ("ja-JP", "激安"): ("substitution", "お手頃", 5),
    ("ja-JP", "マストバイ"): ("terms", None, 3),
    ("en-US", "no-brainer"): ("terms", None, 3),
    ("en-US", "insanely"): ("substitution", "very", 3),
}


@pytest.fixture(scope="module")
def mined() -> list[Suggestion]:
    return mine(EDITS)


@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("suggestions") / "rules"
    shutil.copytree(ROOT / "rules", dest)
    return dest


def _by_term(suggestions: list[Suggestion]) -> dict[tuple[str, str], Suggestion]:
    return {(s.locale, s.term): s for s in suggestions}


def test_mines_terms_and_substitutions_by_distinct_materials(mined: list[Suggestion]) -> None:
    got = {key: (s.kind, s.replacement, s.support) for key, s in _by_term(mined).items()}
    assert got == MINED
    assert [s.support for s in mined] == sorted((s.support for s in mined), reverse=True)
    assert mined[0].term == "秒杀"  # six materials, the repeat of zh-01 counted once


def test_a_term_seen_in_two_materials_is_not_suggested(mined: list[Suggestion]) -> None:
    terms = {s.term for s in mined}
    assert "绝绝子" not in terms and "must-have" not in terms
    assert {"绝绝子", "must-have"} <= {s.term for s in mine(EDITS, min_support=2)}


def test_examples_are_the_sentences_before_and_after(mined: list[Suggestion]) -> None:
    by = _by_term(mined)
    miaosha = by[("zh-CN", "秒杀")]
    assert len(miaosha.examples) == 5 and len(set(miaosha.examples)) == 5
    assert miaosha.examples[0] == ("双十一秒杀价，面霜只要99元。", "双十一限时优惠价，面霜只要99元。")
    assert ("激安！", "ハンドクリーム3本セット、送料込み。") in by[("ja-JP", "激安")].examples
    assert by[("en-US", "insanely")].examples[1] == (
        "Insanely comfortable sneakers for everyday walks.", "Very comfortable sneakers for everyday walks.")
    digest = hashlib.sha256("zh-CN|substitution|秒杀|限时优惠".encode()).hexdigest()[:10]
    assert miaosha.id == f"sug-{digest}"


def test_a_term_the_shipped_packs_flag_is_skipped(packs: list[RulePack]) -> None:
    terms = {s.term for s in mine(EDITS, packs=packs)}
    assert "最强" not in terms  # zh.adlaw.art9-absolute
    assert {"秒杀", "闭眼入", "激安", "マストバイ", "no-brainer", "insanely"} <= terms


def test_a_term_inside_a_longer_one_with_the_same_support_is_left_out() -> None:
    edits = [_zh(f"s-{i}", "宝宝们冲鸭！新款卫衣今天上架。", "新款卫衣今天上架。") for i in range(3)]
    edits += [_zh(f"s-{i}", "冲鸭，周末两件八折。", "周末两件八折。") for i in range(3)]
    assert [s.term for s in mine(edits)] == ["宝宝们冲鸭"]
    edits.append(_zh("s-3", "冲鸭，周末两件八折。", "周末两件八折。"))
    assert [(s.term, s.support) for s in mine(edits)] == [("冲鸭", 4), ("宝宝们冲鸭", 3)]


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(UnknownIdentifierError):
        mine([Edit("m", "fr-FR", "une affaire incroyable", "une bonne affaire")])


def test_rule_and_yaml_fit_the_pack_schema(mined: list[Suggestion]) -> None:
    for s in mined:
        rule = s.rule()
        parsed = Rule.model_validate(rule)
        assert parsed.level == "warning" and parsed.category == "other" and parsed.reference == REFERENCE
        assert parsed.id.startswith(s.locale[:2] + ".reviewers.")
        assert s.yaml().startswith("  - id: ") and yaml.safe_load(s.yaml()) == [rule]
    sub = _by_term(mined)[("zh-CN", "秒杀")].rule()
    assert sub["substitutions"] == {"秒杀": "限时优惠"} and "terms" not in sub
    assert sub["message"] == "审核人员在6篇稿件中把“秒杀”改成了“限时优惠”"
    en = _by_term(mined)[("en-US", "no-brainer")].rule()
    assert en["id"] == "en.reviewers.no-brainer" and en["terms"] == ["no-brainer"]


def test_a_clean_example_that_still_holds_the_term_is_dropped() -> None:
    s = Suggestion("sug-x", "en-US", "terms", "no-brainer", None, 3,
                   (("A no-brainer deal.", "Still a No-Brainer deal."), ("A no-brainer gift.", "A great gift.")))
    assert s.rule()["examples"] == {"hit": ["A no-brainer deal.", "A no-brainer gift."], "clean": ["A great gift."]}


# The tests below share one copy of the packs; this one runs first, while en-US has no pack.
def test_a_rule_that_fails_in_a_new_pack_leaves_no_file(rules_copy: Path) -> None:
    bad = Suggestion("sug-bad", "en-US", "terms", "insane", None, 3, (("Insanely soft towels.", "Very soft towels."),))
    path = rules_copy / "en-US" / PACK_FILE
    assert not path.exists()
    with pytest.raises(PackProblems) as e:
        add_to_pack(rules_copy, bad)  # a Latin term matches whole words: the hit does not hit
    assert any("en.reviewers.insane" in p and "hit example" in p for p in e.value.problems)
    assert not path.exists()
    assert not [p.parent for p in rules_copy.rglob("*.tmp")]


def test_accepted_suggestions_make_packs_that_check(rules_copy: Path, mined: list[Suggestion]) -> None:
    by = _by_term(mined)
    chosen = [by[("zh-CN", "秒杀")], by[("zh-CN", "闭眼入")], by[("ja-JP", "激安")], by[("en-US", "no-brainer")]]
    paths = [add_to_pack(rules_copy, s) for s in chosen]
    assert paths[0] == paths[1] == rules_copy / "zh-CN" / PACK_FILE
    data = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    assert (data["id"], data["version"], data["locales"]) == ("zh-CN.reviewer-suggestions", "2", ["zh-CN"])
    assert [r["id"] for r in data["rules"]] == [chosen[0].rule_id, chosen[1].rule_id]
    packs, problems = read_packs(rules_copy)
    assert problems == []
    ours = [p for p in packs if p.id.endswith(".reviewer-suggestions")]
    assert sorted(p.id for p in ours) == ["en-US.reviewer-suggestions", "ja-JP.reviewer-suggestions",
                                          "zh-CN.reviewer-suggestions"]
    results = run_examples(ours)
    assert results and all(r.ok for r in results), [r.describe() for r in results if not r.ok]
    assert sum(r.expect == "hit" for r in results) == 5 + 3 + 5 + 3  # 秒杀 capped at five


def test_the_same_suggestion_twice_is_refused(rules_copy: Path, mined: list[Suggestion]) -> None:
    s = _by_term(mined)[("ja-JP", "マストバイ")]
    path = add_to_pack(rules_copy, s)
    before = path.read_bytes()
    with pytest.raises(UsageError, match="already has rule"):
        add_to_pack(rules_copy, s)
    assert path.read_bytes() == before


def test_a_rule_that_fails_leaves_the_pack_as_it_was(rules_copy: Path) -> None:
    path = rules_copy / "zh-CN" / PACK_FILE
    before = path.read_bytes()
    # Its only clean example still holds the term, so the rule has none: the schema rejects it.
    bad = Suggestion("sug-bad", "zh-CN", "terms", "闭眼冲", None, 3, (("这款面霜闭眼冲。", "闭眼冲也没问题。"),))
    with pytest.raises(PackProblems) as e:
        add_to_pack(rules_copy, bad)
    assert any(PACK_FILE in p and "clean" in p for p in e.value.problems)
    assert path.read_bytes() == before
    assert read_packs(rules_copy)[1] == []
