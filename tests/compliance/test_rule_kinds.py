"""The rule-kind registry: the shipped kinds as declared, the docs kept from drifting, and a new
kind added from fixture files alone (a kind module + a pack), found by check_text, check_fields
and `contentgen check` with no engine code naming it."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contentgen.compliance import (
    RulePack,
    check_content,
    check_fields,
    check_text,
    kinds,
    load_packs,
)
from contentgen.compliance.examples import run_examples
from contentgen.kernel.config import ROOT
from contentgen.kernel.errors import RulePackError
from contentgen.kernel.schemas import CopyContent, content_fields

FIXTURES = Path(__file__).parent / "fixtures" / "rule_kinds"
SHIPPED = ("terms", "substitution", "pattern", "requires", "length", "pii", "learned")
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A rules dir holding only the fixture pack that uses the `shouting` kind."""
    d = tmp_path / "rules"
    d.mkdir()
    shutil.copy(FIXTURES / "shouting.yaml", d / "shouting.yaml")
    return d


@pytest.fixture
def shouting(rules_dir: Path) -> Iterator[kinds.RuleKind]:
    """The fixture kind module imported (it registers itself), taken out again afterwards."""
    spec = importlib.util.spec_from_file_location("shouting_kind_fixture", FIXTURES / "shouting.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        yield module.KIND
    finally:
        kinds.unregister("shouting")


def test_shipped_kinds_as_declared() -> None:
    assert kinds.names() == SHIPPED
    assert kinds.field_kinds() == frozenset(SHIPPED) - {"requires"}
    assert kinds.whole_kinds() == {"requires"}
    assert {n for n in SHIPPED if kinds.get(n).negatable} == {"terms", "substitution"}
    assert {n for n in SHIPPED if kinds.get(n).demanding} == {"requires", "length"}
    assert {n for n in SHIPPED if kinds.get(n).check is not None} == {"requires", "length", "pii",
                                                                       "learned"}
    assert {n: kinds.get(n).repair for n in SHIPPED if kinds.get(n).repair} == {
        "substitution": "replace", "requires": "append"}
    assert kinds.get("requires").needs_text() == "any_of, any_pattern or disclosures"


def test_a_kind_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.RuleKind(name="terms", summary="again"))
    with pytest.raises(KeyError, match="unknown rule kind 'nope'"):
        kinds.get("nope")


def test_readme_documents_every_kind_from_the_registry() -> None:
    readme = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    assert kinds.reference_table() in readme, "rules/README.md: paste kinds.reference_table() into Rule kinds"
    for name in kinds.names():
        assert f"### `{name}`" in readme, f"rules/README.md has no section for kind {name}"


def test_unregistered_kind_is_a_pack_error(rules_dir: Path) -> None:
    with pytest.raises(RulePackError, match=r"shouting.yaml:\d+: rules\[0\].kind: Input should be 'terms'"):
        load_packs(rules_dir)


def test_new_kind_from_fixture_files_is_checked(shouting: kinds.RuleKind, rules_dir: Path) -> None:
    text = "限时优惠！！！！快来！"
    report = check_text(text, locale="zh-CN", rules_dir=rules_dir)
    assert report.verdict == "block"
    [f] = report.findings
    assert (f.rule, f.kind, f.severity, f.field) == ("test.shouting.marks", "shouting", "error", None)
    assert (f.start, f.end) == (7, 11) and text[f.start:f.end] == f.match == "！快来！"
    assert f.message == "Too many exclamation marks (5 exclamation marks, at most 3)"
    assert check_text("限时优惠！快来！", locale="zh-CN", rules_dir=rules_dir).verdict == "pass"
    # Its own examples run like any shipped rule's (`rules check`).
    assert all(r.ok for r in run_examples(load_packs(rules_dir)))


def test_new_kind_runs_per_field_beside_the_shipped_packs(shouting: kinds.RuleKind, rules_dir: Path) -> None:
    packs = [*load_packs(ROOT / "rules"), *load_packs(rules_dir)]
    fields = {"headline": "会员日！！", "body": "全网最低价！！！！快来", "cta": "立即了解"}
    report = check_fields(fields, locale="zh-CN", industry="retail", channel="moments", content_type="copy",
                          packs=packs)
    mine = [f for f in report.findings if f.kind == "shouting"]
    assert [(f.field, f.match) for f in mine] == [("body", "！")]
    # The shipped rules still fire on the same field.
    assert any(f.rule.startswith("zh.") and f.field == "body" for f in report.findings)


def test_new_kind_through_contentgen_check(shouting: kinds.RuleKind, rules_dir: Path, run_cli: Run) -> None:
    code, out, _ = run_cli("check", "-", "--locale", "en-US", "--rules-dir", str(rules_dir), "--format", "json",
                           stdin=b"Sale!!! Today only!!")
    data = json.loads(out)
    assert code == 1 and data["verdict"] == "block"
    assert [(f["rule"], f["start"], f["end"], f["match"]) for f in data["findings"]] == [
        ("test.shouting.marks", 18, 20, "!!")]


def test_check_content_is_check_fields_on_the_content_fields(packs: list[RulePack]) -> None:
    content = CopyContent(headline="全网最低价", body="稳赚不赔，年化收益8%", cta="立即购买", hashtags=["理财"])
    ctx = {"locale": "zh-CN", "industry": "finance", "channel": "moments", "content_type": "copy",
           "segment": "active.mass"}
    by_model = check_content(content, packs=packs, **ctx)
    by_fields = check_fields(content_fields(content), packs=packs, **ctx)
    assert by_model == by_fields and by_model.verdict == "block"
    assert {f.field for f in by_model.findings} >= {"headline", "body", None}
