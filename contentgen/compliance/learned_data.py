"""The labelled texts the learned model trains on: the rule packs' own examples and the
labelled corpora (rules/eval/*.jsonl)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contentgen.compliance.evaluate import read_cases
from contentgen.compliance.packs import RulePack, as_example

__all__ = ["CORPUS_ONLY", "Labelled", "dedupe", "from_cases", "from_examples", "from_phrase_bank", "is_corpus"]

# Sources that are not a labelled corpus: the packs' examples and everyday copy are short and
# easy, so thresholds and figures are worked out on the corpora's look-alikes only.
CORPUS_ONLY = frozenset({"example", "everyday"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_MIN_EVERYDAY = 8  # characters: names and roles alone teach nothing

# Kinds whose examples are no wording to learn: a `requires` hit is ordinary copy that lacks a
# statement (learning it would teach "promo copy is a violation"), `length` is about size and
# `pii` is found exactly by its detectors.
SKIPPED_KINDS = frozenset({"requires", "length", "pii"})


@dataclass(frozen=True)
class Labelled:
    text: str
    violation: bool
    category: str
    industry: str | None
    channel: str | None
    source: str  # "example" or the corpus file's stem
    id: str


def from_examples(packs: Iterable[RulePack], locale: str) -> list[Labelled]:
    """Every example of the packs' rules checked in this locale: hit → a violation of the
    rule's category, clean → compliant."""
    out: list[Labelled] = []
    for pack in packs:
        for rule in pack.rules:
            if rule.kind in SKIPPED_KINDS or rule.kind == "learned":  # never learn from itself
                continue
            for expect in ("hit", "clean"):
                for j, raw in enumerate(getattr(rule.examples, expect)):
                    ex = as_example(raw)
                    if (ex.locale or (rule.scope.locales or pack.locales)[0]) != locale:
                        continue
                    scope = pack.rule_scope(rule)
                    out.append(Labelled(
                        text=ex.text, violation=expect == "hit", category=rule.category or "other",
                        industry=ex.industry or (scope.industries[0] if scope.industries else None),
                        channel=ex.channel or (scope.channels[0] if scope.channels else None),
                        source="example", id=f"{rule.id}:{expect}:{j}",
                    ))
    return out


def from_cases(path: Path, locale: str) -> list[Labelled]:
    """The cases of one labelled corpus in this locale."""
    return [Labelled(text=c.text, violation=c.label == "violation", category=c.category,
                     industry=c.industry, channel=c.channel, source=path.stem, id=c.id)
            for c in read_cases(path) if c.locale == locale]


def dedupe(rows: list[Labelled]) -> list[Labelled]:
    """One row per (text, label): examples repeat across rules, and a text must not sit on both
    sides of a cross-validation split."""
    seen: set[tuple[str, bool]] = set()
    out = []
    for r in rows:
        key = (r.text, r.violation)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def is_corpus(row: Labelled) -> bool:
    return row.source not in CORPUS_ONLY


def from_phrase_bank(path: Path, locale: str) -> list[Labelled]:
    """Everyday compliant copy: the offline writer's phrases (compliant by construction, see the
    bank's header), placeholders dropped. The corpora's compliant texts are nearly all
    look-alikes full of disclaimers; without plain copy the model learns that ordinary
    greetings and promotions read like violations."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for i, text in enumerate(dict.fromkeys(_leaves(raw))):
        text = _PLACEHOLDER.sub("", text).strip()
        if len(text) >= _MIN_EVERYDAY:
            out.append(Labelled(text=text, violation=False, category="other", industry=None, channel=None,
                                source="everyday", id=f"everyday:{i}"))
    return out


def _leaves(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v)
