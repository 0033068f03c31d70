"""`terms`: a list of forbidden words, found by the automaton; `exceptions` excuse a hit."""

from __future__ import annotations

from contentgen.compliance.kinds._base import RuleKind

KIND = RuleKind(
    name="terms",
    summary="forbidden words (thousands stay fast: one automaton for all packs)",
    needs=("terms",),
    negatable=True,  # a term list is blunt: "not guaranteed" is no guarantee
)
