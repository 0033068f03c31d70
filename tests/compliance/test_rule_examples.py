"""Every rule's own examples, one test case each, generated from the shipped packs."""

from __future__ import annotations

import pytest

from contentgen.compliance import load_packs
from contentgen.compliance.engine import scan
from contentgen.compliance.examples import example_context, run_examples
from contentgen.compliance.packs import as_example
from contentgen.kernel.config import ROOT

_PACKS = load_packs(ROOT / "rules")
_CASES = [
    pytest.param(pack, rule, expect, as_example(ex), id=f"{rule.id}-{expect}-{j}")
    for pack in _PACKS
    for rule in pack.rules
    for expect in ("hit", "clean")
    for j, ex in enumerate(getattr(rule.examples, expect))
]


@pytest.mark.parametrize(("pack", "rule", "expect", "example"), _CASES)
def test_example(pack, rule, expect, example) -> None:  # type: ignore[no-untyped-def]
    ctx = example_context(pack, rule, example)
    found = [f for f in scan(example.text, ctx, [pack]) if f.rule == rule.id]
    if expect == "hit":
        assert found, f"{rule.id} should flag {example.text!r}"
        for f in found:
            assert f.match == example.text[f.start:f.end]
            assert f.severity == rule.level and f.reference == rule.reference
    else:
        assert not found, f"{rule.id} should not flag {example.text!r}: {[f.match for f in found]}"


def test_there_are_hundreds_of_cases_and_every_rule_has_both_kinds() -> None:
    assert len(_CASES) >= 200
    for pack in _PACKS:
        for rule in pack.rules:
            assert rule.examples.hit and rule.examples.clean, rule.id


def test_run_examples_agrees() -> None:
    results = run_examples(_PACKS)
    assert len(results) == len(_CASES)
    assert all(r.ok for r in results), [r.describe() for r in results if not r.ok]


def test_every_kind_is_shipped_and_every_locale_has_packs() -> None:
    kinds = {r.kind for p in _PACKS for r in p.rules}
    assert kinds == {"terms", "substitution", "pattern", "requires", "length", "pii", "learned"}
    for loc in ("zh-CN", "ja-JP", "en-US"):
        assert len([p for p in _PACKS if loc in p.locales]) >= 3


def test_readme_lists_every_pack_and_kind() -> None:
    readme = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    for pack in _PACKS:
        assert pack.id in readme, f"rules/README.md does not list pack {pack.id}"
    for kind in ("terms", "substitution", "pattern", "requires", "length", "pii", "learned"):
        assert f"`{kind}`" in readme
