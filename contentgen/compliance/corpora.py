"""Which labelled corpora under rules/eval/ the packs and the learned model were tuned on.

A corpus is `<locale>.jsonl` (round 1) or `<locale>-<n>.jsonl` (round n). A round joins
TUNED_ROUNDS only once the packs have been tuned on it: until then it is unseen text, kept for
measuring the packs honestly (`contentgen rules eval rules/eval/zh-CN-3.jsonl`), and neither the
floor test nor the learned model's training reads it. Round 3 has since been read for its
false positives (general mechanisms were fixed, not its sentences); round 4 is unseen.
"""

from __future__ import annotations

import re
from pathlib import Path

TUNED_ROUNDS: frozenset[int] = frozenset({1, 2})


def corpus_round(path: Path) -> int:
    m = re.search(r"-(\d+)\.jsonl$", path.name)
    return int(m.group(1)) if m else 1


def tuned_corpora(eval_dir: Path, locale: str = "") -> list[Path]:
    """The tuned-on corpora in eval_dir (of one locale when given), in name order."""
    return sorted(p for p in eval_dir.glob(f"{locale}*.jsonl") if corpus_round(p) in TUNED_ROUNDS)
