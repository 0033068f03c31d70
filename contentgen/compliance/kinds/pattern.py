"""`pattern`: regular expressions over the normalised text, prefiltered by their literals."""

from __future__ import annotations

from contentgen.compliance.kinds._base import RuleKind

KIND = RuleKind(
    name="pattern",
    summary="regular expressions over the normalised text",
    needs=("patterns",),
    negatable=False,  # a regex is precise already; it spells out the negations it allows
)
