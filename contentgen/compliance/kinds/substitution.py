"""`substitution`: bad → replacement; `check --fix` swaps the match for its replacement."""

from __future__ import annotations

from contentgen.compliance.kinds._base import RuleKind

KIND = RuleKind(
    name="substitution",
    summary="forbidden words with their replacement, applied by `check --fix`",
    needs=("substitutions",),
    negatable=True,
    # Overlapping hits are not merged into one finding: each keeps its own replacement.
    repair="replace",
)
