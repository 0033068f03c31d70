"""Context and evidence: exception patterns, evidence warnings, product types, required
statements from the disclosures library (demanded, masked, inserted by --fix)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contentgen.compliance import apply_fixes, check_text, load_packs
from contentgen.compliance.packs import PackProblems
from contentgen.kernel.config import ROOT

PACK = """
id: test.context
version: "1"
title: context fixture
locales: [zh-CN, en-US]
rules:
  - id: t.guarantee
    kind: terms
    level: error
    category: investment_promise
    message: no guarantees
    reference: r
    terms: [保本, guaranteed]
    exception_patterns: ['不(承诺)?保本', 'not guaranteed']
    examples: {hit: [保本理财], clean: [本产品不保本]}
  - id: t.no1
    kind: terms
    level: error
    category: absolute
    message: no No.1
    reference: r
    terms: [销量第一, "#1"]
    evidence_patterns: ['(数据|调查|统计)(来源|机构)?[:：]', 'source:']
    examples: {hit: [销量第一], clean: [销量很好]}
  - id: t.cure
    kind: terms
    level: error
    message: no cure claims
    reference: r
    terms: [cure]
    examples: {hit: [it will cure you], clean: [it soothes]}
  - id: t.risk-warning
    kind: requires
    level: error
    message: risk warning
    reference: r
    scope: {industries: [finance], exclude: {product_types: [deposit, bond]}}
    disclosures: [risk_warning.investment]
    examples:
      hit: [{text: 年化收益浮动的理财产品, industry: finance}]
      clean: [{text: 理财非存款，产品有风险，投资须谨慎, industry: finance}]
  - id: t.health-food
    kind: requires
    level: error
    message: statement
    reference: r
    scope: {industries: [health], product_types: [health_food]}
    disclosures: [health_food.statement]
    examples:
      hit: [{text: 这款保健食品帮助睡眠, industry: health}]
      clean: [{text: 这款保健食品帮助睡眠。本品不能代替药物。, industry: health}]
"""


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("rules")
    (d / "context.yaml").write_text(PACK, encoding="utf-8")
    for name in ("disclosures.yaml", "product_types.yaml"):
        shutil.copy(ROOT / "rules" / name, d / name)
    return d


def rules(text: str, rules_dir: Path, **ctx: str) -> dict[str, str]:
    report = check_text(text, locale=ctx.pop("locale", "zh-CN"), rules_dir=rules_dir, **ctx)
    for f in report.findings:
        assert f.match == text[f.start:f.end]
    return {f.rule: f.severity for f in report.findings}


def test_negation_in_an_exception_pattern_excuses_the_term(rules_dir: Path) -> None:
    assert "t.guarantee" in rules("保本理财，稳健之选", rules_dir)
    assert "t.guarantee" not in rules("本产品不保本，请知悉", rules_dir)
    assert "t.guarantee" not in rules("Returns are not guaranteed.", rules_dir, locale="en-US")
    assert "t.guarantee" in rules("Returns guaranteed.", rules_dir, locale="en-US")


def test_a_sourced_claim_is_a_warning_that_evidence_must_be_on_file(rules_dir: Path) -> None:
    assert rules("销量第一的面霜", rules_dir)["t.no1"] == "error"
    report = check_text("销量第一的面霜（数据来源：某调研机构2024年统计）", locale="zh-CN", rules_dir=rules_dir)
    [f] = [f for f in report.findings if f.rule == "t.no1"]
    assert f.severity == "warning" and "证据须存档" in f.message and report.verdict == "warn"


def test_required_statement_inside_the_text_is_masked_from_prohibitions(rules_dir: Path) -> None:
    dshea = ("Supports restful sleep. These statements have not been evaluated by the Food and Drug "
             "Administration. This product is not intended to diagnose, treat, cure, or prevent any disease.")
    assert "t.cure" not in rules(dshea, rules_dir, locale="en-US")
    assert "t.cure" in rules("This tea will cure your cold.", rules_dir, locale="en-US")


def test_investment_warning_is_demanded_of_wealth_products_not_of_deposits_or_bonds(rules_dir: Path) -> None:
    assert "t.risk-warning" in rules("稳健理财，业绩比较基准3.2%", rules_dir, industry="finance")
    assert "t.risk-warning" not in rules("大额存单年利率1.9%，20万起存", rules_dir, industry="finance")
    assert "t.risk-warning" not in rules("储蓄国债票面利率2.38%", rules_dir, industry="finance")
    # The product type given wins over inference.
    assert "t.risk-warning" in rules("大额存单年利率1.9%", rules_dir, industry="finance", product_type="fund")
    # 理财非存款 names a deposit only to say the product is not one: still a wealth product.
    report = check_text("理财非存款，产品有风险，投资须谨慎。稳健理财", locale="zh-CN", industry="finance",
                        rules_dir=rules_dir)
    assert report.product_type == "wealth_management" and report.verdict == "pass"


def test_health_food_statement_is_demanded_of_health_food_only(rules_dir: Path) -> None:
    assert "t.health-food" in rules("这款保健食品帮助改善睡眠", rules_dir, industry="health")
    assert "t.health-food" not in rules("电子血压计，医疗器械注册证编号见包装", rules_dir, industry="health")
    assert "t.health-food" not in rules("这款保健食品帮助改善睡眠。保健食品不是药物，不能代替药物治疗疾病。", rules_dir,
                                        industry="health")


def test_the_risk_warning_in_the_writers_own_words_satisfies_the_demand(rules_dir: Path) -> None:
    """disclosures.yaml `patterns`: a denial that the figure is a promise, a loss that may still
    happen; a bare figure still lacks the warning, and a promise is no warning."""
    assert "t.risk-warning" in rules("这只理财去年跑到了4.1%", rules_dir, industry="finance")
    for text in ("这只理财去年跑到了4.1%，这不是对今年收益的承诺，今年也可能跑输",
                 "这只理财去年跑到了4.1%，实际收益以净值为准",
                 "这只理财去年跑到了4.1%，我们不做保底"):
        assert "t.risk-warning" not in rules(text, rules_dir, industry="finance"), text
    assert "t.risk-warning" in rules("这只理财去年跑到了4.1%，今年肯定还能更高", rules_dir, industry="finance")


def test_a_bad_regex_in_the_disclosures_library_is_named(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PACK, encoding="utf-8")
    lib = (ROOT / "rules" / "disclosures.yaml").read_text(encoding="utf-8")
    needle = "      patterns:\n"
    assert needle in lib
    (tmp_path / "disclosures.yaml").write_text(lib.replace(needle, needle + "        - '(unclosed'\n", 1),
                                               encoding="utf-8")
    with pytest.raises(PackProblems, match=r"bad regex '\(unclosed' in rules/disclosures\.yaml"):
        load_packs(tmp_path)


def test_fix_appends_the_missing_statement_from_the_library(rules_dir: Path) -> None:
    text = "稳健理财，业绩比较基准3.2%"
    report = check_text(text, locale="zh-CN", industry="finance", rules_dir=rules_dir)
    fixed, applied = apply_fixes(text, report)
    assert fixed.endswith("理财非存款，产品有风险，投资须谨慎。") and applied
    assert check_text(fixed, locale="zh-CN", industry="finance", rules_dir=rules_dir).verdict == "pass"


def test_an_unknown_disclosure_key_is_named_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PACK.replace("risk_warning.investment", "risk_warning.nope"), encoding="utf-8")
    shutil.copy(ROOT / "rules" / "disclosures.yaml", tmp_path / "disclosures.yaml")
    with pytest.raises(PackProblems, match=r"p\.yaml:\d+: unknown disclosure 'risk_warning\.nope'"):
        load_packs(tmp_path)


def test_report_sha_changes_when_the_disclosures_library_changes(rules_dir: Path, tmp_path: Path) -> None:
    before = {p.id: p.sha256 for p in load_packs(rules_dir)}
    shutil.copytree(rules_dir, tmp_path / "r")
    lib = tmp_path / "r" / "disclosures.yaml"
    lib.write_text(lib.read_text(encoding="utf-8").replace("回T退订\n", "回T退订。\n", 1), encoding="utf-8")
    after = {p.id: p.sha256 for p in load_packs(tmp_path / "r")}
    assert before["test.context"] != after["test.context"]


def test_unknown_product_type_is_a_usage_error(rules_dir: Path) -> None:
    from contentgen.kernel.errors import UsageError

    with pytest.raises(UsageError, match="unknown product type"):
        check_text("x", locale="zh-CN", product_type="stocks", rules_dir=rules_dir)
