"""The learned second opinion: trained on a few texts it flags a paraphrase it never saw and not
a compliant look-alike; its plain-Python scores are scikit-learn's; the shipped artifacts load,
carry the cross-validated figures rules/README.md reports, and run as a `learned` rule."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.compliance import kinds
from contentgen.compliance.learned import Features, grams, load_model, model_path, score, windows
from contentgen.compliance.learned_data import Labelled
from contentgen.compliance.learned_train import choose_threshold, export, fit, fit_sklearn
from contentgen.compliance.normalize import normalize
from contentgen.kernel.config import ROOT

BAD = [
    "Guaranteed returns of 12% every year.", "Our fund guarantees you will never lose money.",
    "Risk-free profits, guaranteed.", "You can't lose: returns are guaranteed.",
    "Double your money with zero risk.", "Guaranteed income every month, no risk at all.",
    "This investment will never lose value.", "Earn guaranteed profits with no downside.",
    "A sure-fire return, with zero risk to your principal.", "Zero risk, guaranteed growth for your savings.",
    "Your principal is guaranteed and the returns are certain.", "We promise you will make money.",
]
GOOD = [
    "Returns are not guaranteed and you may lose money.", "Past performance does not guarantee future results.",
    "Investing involves risk, including loss of principal.", "Our advisers explain the risks before you invest.",
    "The value of your investment can go down as well as up.", "Read the prospectus before investing.",
    "Fees and risks are described in the fund documents.", "Talk to an adviser about your goals.",
    "Diversification does not ensure a profit or protect against loss.", "Book a free review of your portfolio.",
    "Our team answers questions about fees every weekday.", "Savings accounts are insured up to the legal limit.",
]
PARAPHRASE = "Profits are guaranteed and there is no risk of losing your money."  # in neither list
LOOK_ALIKE = "Profits are not guaranteed and there is a risk of losing money."


def _rows() -> list[Labelled]:
    return ([Labelled(t, True, "yield_promise", "finance", None, "fixture", f"b{i}") for i, t in enumerate(BAD)]
            + [Labelled(t, False, "yield_promise", "finance", None, "fixture", f"g{i}") for i, t in enumerate(GOOD)])


@pytest.fixture(scope="module")
def small_model() -> object:
    return fit(_rows(), "en-US")


def _p(model: object, text: str) -> float:
    return score(model, normalize(text).text, "finance")[0]  # type: ignore[arg-type]


def test_a_paraphrase_unseen_in_training_is_flagged_and_a_look_alike_is_not(small_model: object) -> None:
    assert PARAPHRASE not in BAD + GOOD and LOOK_ALIKE not in BAD + GOOD
    bad, good = _p(small_model, PARAPHRASE), _p(small_model, LOOK_ALIKE)
    assert bad >= 0.5 > good, (bad, good)


def test_evasions_the_matcher_folds_are_folded_for_the_model_too(small_model: object) -> None:
    plain = _p(small_model, "Guaranteed returns, risk-free!")
    for evasion in ("Guarant33d r3turns, risk-free!", "G u a r a n t e e d returns, risk-free!",
                    "Ｇｕａｒａｎｔｅｅｄ returns, risk-free!", "Guar&#97;nteed returns, risk-free!"):
        assert _p(small_model, evasion) == pytest.approx(plain), evasion


def test_plain_python_scores_equal_scikit_learn() -> None:
    rows = _rows()
    vec, clf, _ = fit_sklearn(rows, "en-US")
    model = fit(rows, "en-US")
    texts = [PARAPHRASE, LOOK_ALIKE, "Hello there", *BAD[:2]]
    want = clf.predict_proba(vec.transform([grams(normalize(t).text, Features()) for t in texts]))[:, 1]
    got = [_p(model, t) for t in texts]
    assert got == pytest.approx(want.tolist(), abs=1e-9)


def test_the_exported_artifact_scores_as_the_model(tmp_path: Path, small_model: object) -> None:
    path = tmp_path / "en-US.json"
    path.write_text(json.dumps(export(small_model)), encoding="utf-8")  # type: ignore[arg-type]
    loaded = load_model(path)
    for t in (PARAPHRASE, LOOK_ALIKE):
        assert _p(loaded, t) == pytest.approx(_p(small_model, t), abs=1e-4)  # artifact keeps 5-6 digits


def test_threshold_keeps_the_warned_rate_on_compliant_corpus_texts() -> None:
    rows = _rows()
    scores = [0.9] * len(BAD) + [0.1 * i for i in range(len(GOOD))]  # compliant: 0.0 .. 1.1
    t = choose_threshold(rows, scores, warn_rate=0.25)
    assert sum(s >= t for r, s in zip(rows, scores, strict=True) if not r.violation) <= 0.25 * len(GOOD)


def test_long_texts_are_scored_in_windows_of_whole_sentences() -> None:
    text = "。".join(["这是一句普通的介绍文字"] * 30) + "。"
    spans = windows(text, 200)
    assert len(spans) > 1 and all(e - s <= 200 for s, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert windows("短文本", 200) == [(0, 3)]


# What rules/README.md "Learned model" reports: cross-validated recall on the labelled corpora.
REPORTED_RECALL = {"zh-CN": 0.95, "ja-JP": 0.55, "en-US": 0.76}


@pytest.mark.parametrize("locale", sorted(REPORTED_RECALL))
def test_the_shipped_artifact_loads_with_the_reported_figures(locale: str) -> None:
    model = load_model(model_path(ROOT / "rules", locale))
    assert model.locale == locale and model.idf and model.categories
    figures = model.figures
    assert figures["recall"]["value"] == pytest.approx(REPORTED_RECALL[locale], abs=0.03)
    assert figures["union_warned"]["value"] <= figures["warn_rate"] + 0.01
    assert figures["everyday_flagged"]["value"] <= 0.10
    assert 0.05 <= model.threshold <= 0.95


@pytest.fixture
def learned_rules(tmp_path: Path) -> Iterator[Path]:
    """A copy of the shipped rules (learned packs in rules/<locale>/learned.yaml), with the kind
    registered (it is, in kinds/__init__.py; registered here too if a test unregistered it)."""
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d, ignore=shutil.ignore_patterns("eval"))
    assert all((d / locale / "learned.yaml").exists() for locale in REPORTED_RECALL)
    added = "learned" not in kinds.names()
    if added:
        from contentgen.compliance.kinds import learned

        kinds.register(learned.KIND)
    try:
        yield d
    finally:
        if added:
            kinds.unregister("learned")


def test_a_learned_rule_warns_with_category_and_score_and_no_statute(learned_rules: Path) -> None:
    from contentgen.compliance import check_text, load_packs
    from contentgen.compliance.examples import run_examples

    packs = load_packs(learned_rules)
    mine = [p for p in packs if p.id.endswith(".learned")]
    assert {p.locales[0] for p in mine} == set(REPORTED_RECALL)
    assert all(r.ok for r in run_examples(mine)), [r.describe() for r in run_examples(mine) if not r.ok]
    text = "这款面霜用上一周，斑点淡得几乎看不见了，皮肤年轻十岁。"
    report = check_text(text, locale="zh-CN", industry="cosmetics", packs=packs, rules_dir=learned_rules)
    found = [f for f in report.findings if f.kind == "learned"]
    assert found, report.findings
    f = found[0]
    assert f.severity == "warning" and f.category and "0." in f.message
    assert text[f.start:f.end] == f.match and f.match
    assert f.reference and "第" not in f.reference and "§" not in f.reference  # names no article


def test_a_shot_direction_and_the_hashtags_are_not_read_as_copy(learned_rules: Path) -> None:
    """The model was trained on copy: a visual direction to the crew and a tag list are not judged
    by it (the rules still scan them); the same words in a voice-over are."""
    from contentgen.compliance import load_packs
    from contentgen.compliance.engine import check_fields

    packs = load_packs(learned_rules)
    text = "这款面霜用上一周，斑点淡得几乎看不见了，皮肤年轻十岁。"
    fields = {"scenes.1.visual": text, "hashtags": text, "scenes.1.voice_over": text}
    report = check_fields(fields, locale="zh-CN", industry="cosmetics", channel="video_account",
                          content_type="short_video_script", packs=packs, rules_dir=learned_rules)
    learned_fields = {f.field for f in report.findings if f.kind == "learned"}
    assert learned_fields == {"scenes.1.voice_over"}, report.findings
    # The term rules still read the direction: a visual may show the claim.
    assert any(f.field == "scenes.1.visual" and f.kind != "learned" for f in report.findings)
