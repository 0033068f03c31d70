"""`contentgen rules eval`: counting, intervals, bad input; and the shipped corpus's floor."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from contentgen.compliance import RulePack, check_text
from contentgen.compliance.corpora import tuned_corpora
from contentgen.compliance.evaluate import evaluate, read_cases, wilson
from contentgen.kernel.config import ROOT

# Both rounds of the labelled corpus: round 1 (<locale>.jsonl) and round 2 (<locale>-2.jsonl,
# written later by other authors who never saw the rules). The packs were tuned on both, so
# here they are regression floors; the unseen-text figures (round 2 before tuning, and the
# held-out half during it) are in rules/README.md.
# Rounds the packs were tuned on (contentgen.compliance.corpora): a later round is unseen text,
# measured but not held to the tuned floor.
CORPUS = tuned_corpora(ROOT / "rules" / "eval")
# The floor the shipped packs hold on the corpus (issue targets: recall >= 0.95 per locale,
# false-positive rate <= 0.03, warnings on compliant texts <= 0.15).
FLOOR = {"recall": 0.95, "false_positive_rate": 0.03, "warning_rate": 0.15}


def case(i: str, text: str, label: str, locale: str = "zh-CN", **kw: object) -> str:
    return json.dumps({"id": i, "locale": locale, "industry": kw.get("industry"), "channel": kw.get("channel"),
                       "text": text, "label": label, "category": kw.get("category", "other")}, ensure_ascii=False)


def test_counts_a_warning_as_caught_and_only_errors_as_false_positives(tmp_path: Path,
                                                                      run_cli: Callable[..., tuple[int, str, str]]) -> None:
    f = tmp_path / "cases.jsonl"
    f.write_text("\n".join([
        case("v1", "稳赚不赔，年化收益8%", "violation", industry="finance", category="investment_promise"),
        case("v2", "今天天气不错", "violation", category="absolute"),  # a miss
        case("c1", "这是我第一次来这家店", "compliant", category="absolute"),
        case("c2", "全网最低价", "compliant", category="absolute"),  # a false positive
        case("s1", "会员日全场8折", "violation", channel="sms", category="opt_out"),
    ]) + "\n", encoding="utf-8")
    code, out, err = run_cli("rules", "eval", str(f), "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    zh = result["locales"]["zh-CN"]
    assert zh["violations"] == 3 and zh["compliant"] == 2
    assert zh["recall"]["hits"] == 2 and zh["false_positive_rate"]["hits"] == 1
    assert [m["id"] for m in result["misses"]] == ["v2"]
    assert [m["id"] for m in result["false_positives"]] == ["c2"]
    assert result["categories"]["zh-CN opt_out"]["recall"]["value"] == 1.0
    code, out, _ = run_cli("rules", "eval", str(f), "--min-recall", "0.9")
    assert code == 1 and "recall" in out and "v2" in out


def test_length_findings_count_for_nothing(tmp_path: Path, packs: list[RulePack]) -> None:
    long_ok = "会员日全场八折，欢迎到店选购。" * 10 + "回T退订"
    [c] = read_cases(_write(tmp_path, [case("c", long_ok, "compliant", channel="sms")]))
    assert any(f.kind == "length" for f in check_text(long_ok, locale="zh-CN", channel="sms", packs=packs).findings)
    result = evaluate([c], packs)
    assert result["total"]["false_positive_rate"]["hits"] == 0 and result["total"]["warning_rate"]["hits"] == 0


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", r"cases\.jsonl:2: not JSON"),
    ('{"id": "x", "locale": "zh-CN", "text": "t", "label": "bad"}', r"cases\.jsonl:2: label"),
    ('{"id": "x", "locale": "fr-FR", "text": "t", "label": "violation"}', r"cases\.jsonl:2: locale"),
    ('{"id": "x", "locale": "zh-CN", "label": "violation"}', r"cases\.jsonl:2: text"),
    ('{"id": "x", "locale": "zh-CN", "industry": "banking", "text": "t", "label": "violation"}',
     r"cases\.jsonl:2: industry: unknown 'banking'"),
    (case("a", "t", "violation"), r"cases\.jsonl:2: duplicate id 'a'"),
])
def test_bad_lines_are_named_and_nothing_is_counted(tmp_path: Path, line: str, message: str,
                                                    run_cli: Callable[..., tuple[int, str, str]]) -> None:
    f = _write(tmp_path, [case("a", "稳赚不赔", "violation"), line])
    code, out, err = run_cli("rules", "eval", str(f))
    assert code == 2 and out == ""
    assert re.search(message, err), err


def test_an_empty_or_missing_file_is_a_usage_error(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert run_cli("rules", "eval", str(empty))[0] == 2
    code, _, err = run_cli("rules", "eval", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "nope.jsonl" in err


def test_wilson_interval() -> None:
    r = wilson(0, 10)
    assert r.value == 0 and r.low == 0 and 0.25 < (r.high or 0) < 0.35
    r = wilson(95, 100)
    assert r.low is not None and r.high is not None and r.low < 0.95 < r.high
    assert wilson(0, 0).value is None


def _write(tmp_path: Path, lines: list[str]) -> Path:
    f = tmp_path / "cases.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


# The shipped corpus: its size and mix as documented, its floor, and every finding's offsets.

@pytest.fixture(scope="module")
def corpus_result(packs: list[RulePack]) -> dict[str, object]:
    cases = [c for f in CORPUS for c in read_cases(f)]
    return {"cases": cases, "result": evaluate(cases, packs)}


def test_corpus_size_and_mix(corpus_result: dict[str, object]) -> None:
    cases = corpus_result["cases"]
    assert isinstance(cases, list)
    by_locale = {loc: [c for c in cases if c.locale == loc] for loc in ("zh-CN", "ja-JP", "en-US")}
    assert len(cases) >= 900
    assert len(by_locale["zh-CN"]) >= 400 and len(by_locale["ja-JP"]) >= 250 and len(by_locale["en-US"]) >= 250
    hard_negatives = [c for c in cases if c.label == "compliant" and getattr(c, "hard", False)]
    assert len(hard_negatives) >= 0.4 * len(cases)


@pytest.mark.parametrize("locale", ["zh-CN", "ja-JP", "en-US"])
def test_corpus_floor(locale: str, corpus_result: dict[str, object]) -> None:
    result = corpus_result["result"]
    assert isinstance(result, dict)
    s = result["locales"][locale]
    misses = [m["id"] for m in result["misses"] if m["locale"] == locale]
    fps = [m["id"] for m in result["false_positives"] if m["locale"] == locale]
    assert s["recall"]["value"] >= FLOOR["recall"], f"recall {s['recall']}; misses {misses}"
    assert s["false_positive_rate"]["value"] <= FLOOR["false_positive_rate"], f"FP {s['false_positive_rate']}: {fps}"
    assert s["warning_rate"]["value"] <= FLOOR["warning_rate"]


def test_every_corpus_finding_points_into_the_original_text(corpus_result: dict[str, object],
                                                            packs: list[RulePack]) -> None:
    cases = corpus_result["cases"]
    assert isinstance(cases, list)
    for c in cases:
        report = check_text(c.text, locale=c.locale, industry=c.industry, channel=c.channel, packs=packs)
        for f in report.findings:
            assert f.match == c.text[f.start:f.end], (c.id, f.rule)
            assert 0 <= f.start <= f.end <= len(c.text)
