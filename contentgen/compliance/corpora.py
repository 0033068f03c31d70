"""Which labelled corpora under rules/eval/ the packs were tuned on and the learned model trains on.

A corpus is `<locale>.jsonl` (round 1) or `<locale>-<n>.jsonl` (round n). A round joins
TUNED_ROUNDS once the packs have been tuned on it to the floor (recall ≥ 0.95, false positives
≤ 0.03; the floor test holds it there). Rounds 3 to 6 were measured on arrival and then read for
their false positives and some misses (general mechanisms were fixed, not their sentences), but
not tuned to the floor. TRAINED_ROUNDS are the rounds the shipped learned model was trained on;
rounds 1-4 were tried and measured better on round 5, but warned on the offline writer's own
greetings, so the shipped model stays on rounds 1-2 (README, "Measured"). A round newer than all
of these is unseen text, for measuring the packs honestly (`contentgen rules eval FILE`).
"""

from __future__ import annotations

import re
from pathlib import Path

TUNED_ROUNDS: frozenset[int] = frozenset({1, 2})
TRAINED_ROUNDS: frozenset[int] = TUNED_ROUNDS  # what rules/learned/*.json were trained on


def corpus_round(path: Path) -> int:
    m = re.search(r"-(\d+)\.jsonl$", path.name)
    return int(m.group(1)) if m else 1


def tuned_corpora(eval_dir: Path, locale: str = "") -> list[Path]:
    """The tuned-on corpora in eval_dir (of one locale when given), in name order."""
    return sorted(p for p in eval_dir.glob(f"{locale}*.jsonl") if corpus_round(p) in TUNED_ROUNDS)


def trained_corpora(eval_dir: Path, locale: str = "") -> list[Path]:
    """The corpora the learned model trains on (TRAINED_ROUNDS), in name order."""
    return sorted(p for p in eval_dir.glob(f"{locale}*.jsonl") if corpus_round(p) in TRAINED_ROUNDS)
