"""Run every rule's own examples: `hit` texts must trigger the rule, `clean` texts must not."""

from __future__ import annotations

from dataclasses import dataclass

from contentgen.compliance.engine import scan
from contentgen.compliance.matcher import Context
from contentgen.compliance.packs import Example, Rule, RulePack, as_example
from contentgen.kernel import vocab


@dataclass(frozen=True)
class ExampleResult:
    pack: RulePack
    rule: Rule
    expect: str  # "hit" | "clean"
    example: Example
    line: int
    ok: bool

    def describe(self) -> str:
        got = "no finding" if self.expect == "hit" else "a finding"
        return (f"{self.pack.path}:{self.line}: rule {self.rule.id}: {self.expect} example "
                f"{self.example.text[:60]!r} gave {got}")


def example_context(pack: RulePack, rule: Rule, ex: Example) -> Context:
    """The rule's own scope (first value of each dimension), overridden by the example."""
    scope = pack.rule_scope(rule)

    def first(values: list[str] | None, excluded: list[str], allowed: tuple[str, ...]) -> str | None:
        if values:
            return values[0]
        return next((v for v in allowed if v not in excluded), None) if excluded else None

    segment = ex.segment
    if segment is None and scope.segments:
        from fnmatch import fnmatchcase

        segment = next(s for s in vocab.SEGMENTS if any(fnmatchcase(s, p) for p in scope.segments))
    return Context(
        locale=ex.locale or (scope.locales or pack.locales)[0],
        industry=ex.industry or first(scope.industries, scope.exclude.industries, vocab.INDUSTRIES),
        channel=ex.channel or first(scope.channels, scope.exclude.channels, vocab.CHANNELS),
        content_type=ex.content_type or first(scope.content_types, scope.exclude.content_types, vocab.CONTENT_TYPES),
        segment=segment,
        field=ex.field,
        product_type=ex.product_type or (scope.product_types[0] if scope.product_types else None),
    )


def run_examples(packs: list[RulePack]) -> list[ExampleResult]:
    results: list[ExampleResult] = []
    for pack in packs:
        only = [pack]
        for i, rule in enumerate(pack.rules):
            for expect in ("hit", "clean"):
                for j, raw in enumerate(getattr(rule.examples, expect)):
                    ex = as_example(raw)
                    ctx = example_context(pack, rule, ex)
                    hits = [f for f in scan(ex.text, ctx, only) if f.rule == rule.id]
                    ok = bool(hits) if expect == "hit" else not hits
                    line = pack.line_of(f"rules[{i}].examples.{expect}[{j}]")
                    results.append(ExampleResult(pack, rule, expect, ex, line, ok))
    return results
