"""Measure the filter on labelled cases: recall, precision, false-positive and warning rates.

    cases = read_cases(Path("rules/eval/zh-CN.jsonl"))
    result = evaluate(cases)          # per locale and per category, with 95% Wilson intervals

How cases count: a violation is caught when an error or a warning fires (a warning brings it to
a person); a compliant text is a false positive when an error fires, and "warned" when only a
warning does. Channel-limit findings (kind `length`) and `info` are not legal findings and
count for neither.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contentgen.compliance.engine import check_text
from contentgen.compliance.packs import RulePack
from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError
from contentgen.kernel.report import ComplianceReport, Finding


class Case(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    locale: Literal["zh-CN", "ja-JP", "en-US"]
    industry: str | None = None
    channel: str | None = None
    product_type: str | None = None
    text: str = Field(min_length=1)
    label: Literal["violation", "compliant"]
    category: str = "other"


class Rate(BaseModel):
    hits: int
    of: int
    value: float | None
    low: float | None
    high: float | None


def wilson(hits: int, n: int, z: float = 1.96) -> Rate:
    """The rate with its 95% Wilson score interval (sound for small counts and 0 or 1)."""
    if n == 0:
        return Rate(hits=0, of=0, value=None, low=None, high=None)
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Rate(hits=hits, of=n, value=round(p, 4), low=round(max(0.0, centre - half), 4),
                high=round(min(1.0, centre + half), 4))


class Outcome(BaseModel):
    case: Case
    caught: bool  # an error or warning fired
    blocked: bool  # an error fired
    findings: list[Finding]

    @property
    def miss(self) -> bool:
        return self.case.label == "violation" and not self.caught

    @property
    def false_positive(self) -> bool:
        return self.case.label == "compliant" and self.blocked


def read_cases(path: Path) -> list[Case]:
    """Cases of a JSONL file; a bad line is named by number and field, nothing is half-read."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise UsageError(f"{path} is not valid UTF-8 at byte {e.start}") from None
    cases: list[Case] = []
    seen: set[str] = set()
    for n, line in enumerate(raw.split("\n"), 1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate(json.loads(line))
        except json.JSONDecodeError as e:
            raise UsageError(f"{path}:{n}: not JSON: {e.msg} (column {e.colno})") from None
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "case"
            raise UsageError(f"{path}:{n}: {where}: {err['msg']}") from None
        for dim, allowed in (("industry", vocab.INDUSTRIES), ("channel", vocab.CHANNELS),
                             ("product_type", vocab.PRODUCT_TYPES)):
            value = getattr(case, dim)
            if value is not None and value not in allowed:
                raise UsageError(f"{path}:{n}: {dim}: unknown {value!r}; choose from {', '.join(allowed)}")
        if case.id in seen:
            raise UsageError(f"{path}:{n}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise UsageError(f"{path} has no cases (one JSON object a line)")
    return cases


def legal(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that count: legal ones (not channel length, not info)."""
    return [f for f in findings if f.kind != "length" and f.severity != "info"]


def run_case(case: Case, packs: list[RulePack] | None = None, rules_dir: Path | str | None = None) -> Outcome:
    report: ComplianceReport = check_text(
        case.text, locale=case.locale, industry=case.industry, channel=case.channel,
        product_type=case.product_type, packs=packs, rules_dir=rules_dir,
    )
    found = legal(report.findings)
    return Outcome(case=case, caught=bool(found), blocked=any(f.severity == "error" for f in found),
                   findings=report.findings)


def _summary(outcomes: list[Outcome]) -> dict[str, Any]:
    bad = [o for o in outcomes if o.case.label == "violation"]
    good = [o for o in outcomes if o.case.label == "compliant"]
    tp = sum(o.caught for o in bad)
    fp = sum(o.blocked for o in good)
    warned = sum(o.caught and not o.blocked for o in good)
    return {
        "cases": len(outcomes),
        "violations": len(bad),
        "compliant": len(good),
        "recall": wilson(tp, len(bad)).model_dump(),
        "precision": wilson(tp, tp + fp).model_dump(),
        "false_positive_rate": wilson(fp, len(good)).model_dump(),
        "warning_rate": wilson(warned, len(good)).model_dump(),
    }


def evaluate(cases: list[Case], packs: list[RulePack] | None = None, rules_dir: Path | str | None = None,
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Every case checked; totals, per locale, per locale × category, misses and false positives."""
    outcomes = []
    for case in cases:
        outcomes.append(run_case(case, packs, rules_dir))
        if progress:
            progress(1)
    by_locale: dict[str, list[Outcome]] = {}
    by_category: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_locale.setdefault(o.case.locale, []).append(o)
        by_category.setdefault(f"{o.case.locale} {o.case.category}", []).append(o)

    def brief(o: Outcome) -> dict[str, Any]:
        return {"id": o.case.id, "locale": o.case.locale, "industry": o.case.industry, "channel": o.case.channel,
                "category": o.case.category, "text": o.case.text,
                "findings": [{"rule": f.rule, "severity": f.severity, "match": f.match} for f in legal(o.findings)]}

    return {
        "total": _summary(outcomes),
        "locales": {k: _summary(v) for k, v in sorted(by_locale.items())},
        "categories": {k: _summary(v) for k, v in sorted(by_category.items())},
        "misses": [brief(o) for o in outcomes if o.miss],
        "false_positives": [brief(o) for o in outcomes if o.false_positive],
        "warned": [brief(o) for o in outcomes if o.case.label == "compliant" and o.caught and not o.blocked],
    }
