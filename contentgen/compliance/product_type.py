"""Infer the product type from a text when none is given (rules/product_types.yaml).

    infer_product_type(normalize("大额存单年利率1.9%", "zh").text, "zh-CN", "finance")  # "deposit"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from contentgen.compliance.fold import family
from contentgen.compliance.matcher import bounded
from contentgen.compliance.normalize import normalize_term
from contentgen.compliance.packs import PRODUCT_TYPES
from contentgen.kernel.errors import RulePackError

FILE_NAME = "product_types.yaml"
# A product named only to be compared with: 比存款, 和存款一样, 不是存款, 預金より, than a savings account.
_COMPARED_AFTER = re.compile(r"\s*(?:より|と比べ|に比べ|と比較|ではな|ではあり|じゃな|でもな)")
_COMPARED = re.compile(r"(?:比|和|跟|同|像|如|胜过|超过|相当于|不是|并非|非|より|than|like|unlike|vs\.?)\s*$")


@dataclass(frozen=True)
class Signals:
    order: tuple[str, ...]  # product types, most specific first
    industries: dict[str, frozenset[str]]
    automaton: Any  # normalised signal → (length, type index, latin)


@lru_cache(maxsize=16)
def _signals(path: str, locale: str) -> Signals | None:
    p = Path(path)
    if not p.is_file():
        return None
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        types = data["types"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise RulePackError(f"{path}: cannot read product types: {e}") from None
    fam = family(locale)
    order: list[str] = []
    industries: dict[str, frozenset[str]] = {}
    automaton = ahocorasick.Automaton()
    for i, entry in enumerate(types):
        name = entry.get("type")
        if name not in PRODUCT_TYPES:
            raise RulePackError(f"{path}: types[{i}]: unknown product type {name!r}")
        order.append(name)
        industries[name] = frozenset(entry.get("industries") or ())
        for word in (entry.get("signals") or {}).get(locale) or ():
            norm = normalize_term(str(word), fam)
            if norm and norm not in automaton:
                automaton.add_word(norm, (len(norm), i, norm[0].isascii() or norm[-1].isascii()))
    if len(automaton) == 0:
        return Signals(tuple(order), industries, None)
    automaton.make_automaton()
    return Signals(tuple(order), industries, automaton)


def infer_product_type(text: str, locale: str, industry: str | None, rules_dir: Path | str) -> str | None:
    """The most specific product type whose signal appears in the normalised text, if any."""
    sig = _signals(str(Path(rules_dir) / FILE_NAME), locale)
    if sig is None or sig.automaton is None:
        return None
    best: int | None = None
    for end, (length, i, latin) in sig.automaton.iter(text):
        if best is not None and i >= best:
            continue
        name = sig.order[i]
        if industry is not None and industry not in sig.industries[name]:
            continue
        start = end + 1 - length
        if latin and not bounded(text, start, end + 1):
            continue
        if _COMPARED.search(text[max(0, start - 4):start]) or _COMPARED_AFTER.match(text, end + 1):
            continue  # 比存款更高, 預金より, 医薬品ではありません: named to compare or to deny
        best = i
    return sig.order[best] if best is not None else None


def product_industry(product_type: str, locale: str, rules_dir: Path | str) -> str | None:
    """The one industry a product type belongs to (fund → finance), or None when it has none or
    several."""
    sig = _signals(str(Path(rules_dir) / FILE_NAME), locale)
    found = sig.industries.get(product_type, frozenset()) if sig is not None else frozenset()
    return next(iter(found)) if len(found) == 1 else None
