"""How the offline model answers a compliance rewrite: replace, re-realise or drop — never paste advice.

A rewrite request lists findings (`contentgen.compliance.rewrite_instructions`). Only two kinds
of text from it may enter a draft: a substitution rule's `replacement`, and a required
`statement` from the disclosures library. A finding's `message` and `suggestion` are advice for
people and real models; the offline model never writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Where a sentence ends in every locale (full- and half-width), and line breaks.
_END = re.compile(r"(?<=[。！？!?])|(?<=\.)(?=\s)|(?<=\n)")


@dataclass
class Avoid:
    """Strings a rewrite asked us to drop (each with an optional replacement) and statements to add."""

    items: list[tuple[str, str | None]] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)

    @classmethod
    def from_instructions(cls, items: list[Any]) -> Avoid:
        """Read `<rewrite>` items; a `suggestion` alone is advice and is ignored on purpose."""
        avoid = cls()
        for item in items:
            if not isinstance(item, dict):
                continue
            statement = item.get("statement")
            if isinstance(statement, str) and statement.strip() and statement not in avoid.statements:
                avoid.statements.append(statement.strip())
            match = item.get("match")
            if not isinstance(match, str) or not match.strip():
                continue
            replacement = item.get("replacement")
            ok = isinstance(replacement, str) and replacement.strip() and match not in replacement
            avoid.items.append((match, replacement if ok else None))
        return avoid

    def hits(self, text: str) -> bool:
        """Whether text holds a match that has no replacement (the phrase must be re-realised)."""
        return any(match in text for match, replacement in self.items if replacement is None)

    def clean(self, text: str) -> str:
        """Text with every match replaced (substitutions) or its sentence dropped (everything else)."""
        for match, replacement in self.items:
            if match not in text:
                continue
            text = text.replace(match, replacement) if replacement else drop_sentences(text, match)
        return tidy(text) if self.items else text


# Brackets a removed term leaves empty: "美容液（）", "[] ", "「」".
_EMPTY_BRACKETS = re.compile(r"\s*(\(\s*\)|（\s*）|\[\s*\]|【\s*】|「\s*」|『\s*』|\{\s*\})")


def tidy(text: str) -> str:
    """What a removal leaves behind, cleared: empty brackets and doubled spaces."""
    text = _EMPTY_BRACKETS.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text)


def sentences(text: str) -> list[str]:
    """Text split after each sentence end, keeping the punctuation and spacing with the sentence."""
    return [s for s in _END.split(text) if s]


def drop_sentences(text: str, match: str) -> str:
    """Text without the sentences holding match; when every sentence holds it, without the match."""
    kept = [s for s in sentences(text) if match not in s]
    out = "".join(kept).strip()
    if out:
        return out
    # One sentence is the whole field (a headline, a caption): take the words out, not the field.
    return re.sub(r"\s{2,}", " ", text.replace(match, "")).strip(" ，、,;；:：")
