"""The held-out test of the learned model: trained on one set of texts, measured on a corpus
written later by other authors, alone and together with the rules as they stood before it.

    python -m contentgen.compliance.learned_eval --train-rules /tmp/rules_r1/rules \\
        --train rules/eval/{L}.jsonl --test rules/eval/{L}-2.jsonl --rules /tmp/rules_r1/rules

`{L}` is replaced by each locale. The threshold comes from cross-validation on the training
texts only, counting the training rules' own warnings
(`--train-rules`) against the warned budget. Counting follows `contentgen rules eval`: a violation is caught by an error or a
warning; a compliant text is a false positive when an error fires, warned when only warnings do.
The model fires warnings, so it adds to recall and to the warned rate, never to false positives.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contentgen.compliance.evaluate import read_cases, run_case, wilson
from contentgen.compliance.learned import DEFAULT_FEATURES, Features
from contentgen.compliance.learned_data import Labelled, from_cases, is_corpus
from contentgen.compliance.learned_train import (
    WARN_RATE,
    C,
    choose_threshold,
    cross_validate,
    everyday_flagged,
    fit,
    rule_outcomes,
    text_score,
    training_rows,
)
from contentgen.compliance.pack_loading import load_packs
from contentgen.kernel import vocab

__all__ = ["heldout", "main"]


def _rate(flags: list[bool]) -> dict[str, Any]:
    return wilson(sum(flags), len(flags)).model_dump()


def heldout(locale: str, train_rules: Path, train: list[Path], test: Path, rules: Path,
            features: Features = DEFAULT_FEATURES, c: float = C, warn_rate: float = WARN_RATE) -> dict[str, Any]:
    """Figures on the test corpus: model alone, rules alone, rules or model."""
    rows = training_rows(train_rules, locale, train)
    scored = cross_validate(rows, locale, features, c)
    threshold = choose_threshold(rows, [s for s, _ in scored], warn_rate, rule_outcomes(train_rules, rows, locale))
    model = fit(rows, locale, features, c, threshold)
    cases = [c_ for c_ in read_cases(test) if c_.locale == locale]
    tests: list[Labelled] = from_cases(test, locale)
    packs = load_packs(rules)
    model_flag, rule_caught, rule_blocked = [], [], []
    for case, row in zip(cases, tests, strict=True):
        model_flag.append(text_score(model, row)[0] >= threshold)
        o = run_case(case, packs=packs, rules_dir=rules)
        rule_caught.append(o.caught)
        rule_blocked.append(o.blocked)
    bad = [i for i, r in enumerate(tests) if r.violation]
    good = [i for i, r in enumerate(tests) if not r.violation]
    cv_bad = [s >= threshold for r, (s, _) in zip(rows, scored, strict=True) if r.violation and is_corpus(r)]

    def block(caught: list[bool], blocked: list[bool]) -> dict[str, Any]:
        return {"recall": _rate([caught[i] for i in bad]),
                "false_positive_rate": _rate([blocked[i] for i in good]),
                "warning_rate": _rate([caught[i] and not blocked[i] for i in good])}

    union = [a or b for a, b in zip(rule_caught, model_flag, strict=True)]
    return {
        "locale": locale, "train_rows": len(rows), "threshold": threshold, "test_cases": len(tests),
        "cv_recall": _rate(cv_bad),
        "everyday_flagged": everyday_flagged(model),
        "model": block(model_flag, [False] * len(tests)),
        "rules": block(rule_caught, rule_blocked),
        "rules_or_model": block(union, rule_blocked),
        "by_category": {cat: {"rules": _rate([rule_caught[i] for i in bad if tests[i].category == cat]),
                              "rules_or_model": _rate([union[i] for i in bad if tests[i].category == cat])}
                        for cat in sorted({tests[i].category for i in bad})},
    }


def _fmt(r: dict[str, Any]) -> str:
    return f"{r['value']:.3f} [{r['low']:.3f}, {r['high']:.3f}]" if r["value"] is not None else "—"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m contentgen.compliance.learned_eval", description=__doc__.split("\n")[0])
    ap.add_argument("--train-rules", type=Path, required=True, help="packs whose examples are trained on")
    ap.add_argument("--train", action="append", required=True, help="training corpus; {L} = locale")
    ap.add_argument("--test", required=True, help="held-out corpus; {L} = locale")
    ap.add_argument("--rules", type=Path, required=True, help="packs the model is added to")
    ap.add_argument("--locale", action="append", choices=vocab.LOCALES)
    ap.add_argument("--warn-rate", type=float, default=WARN_RATE)
    ap.add_argument("--c", type=float, default=C)
    ap.add_argument("--ngram", default="1-4", help="lo-hi character n-grams")
    ap.add_argument("--context", action="store_true", help="industry and channel as features")
    ap.add_argument("--no-digit-fold", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    lo, hi = (int(n) for n in args.ngram.split("-"))
    feats = Features(lo=lo, hi=hi, digits=not args.no_digit_fold, context=args.context)
    for locale in args.locale or vocab.LOCALES:
        res = heldout(locale, args.train_rules, [Path(t.replace("{L}", locale)) for t in args.train],
                      Path(args.test.replace("{L}", locale)), args.rules, feats, args.c, args.warn_rate)
        if args.json:
            print(json.dumps(res, ensure_ascii=False))
            continue
        print(f"{locale}: trained on {res['train_rows']} texts, threshold {res['threshold']:.3f} "
              f"(cross-validated recall {_fmt(res['cv_recall'])}); {res['test_cases']} held-out cases; "
              f"everyday copy flagged {_fmt(res['everyday_flagged'])}")
        for name in ("model", "rules", "rules_or_model"):
            b = res[name]
            print(f"  {name:15} recall {_fmt(b['recall'])}  error-FP {_fmt(b['false_positive_rate'])}  "
                  f"warned {_fmt(b['warning_rate'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
