"""Character folding tables: what each character looks like to a rule.

Per character: NFKC + case folding, then look-alikes folded to Latin (Cyrillic/Greek, dotless
ı, accented letters to their base letter), roman numerals to digits, symbols and emoji to a
space (so 最🔥好 reads as 最 好 and the separator collapse joins it), invisible and combining
characters removed; for zh traditional → simplified, for ja katakana → hiragana and old kanji →
today's forms (證 → 証).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Characters that carry no visible content and are used to split a banned word (every format
# character, Cf, is removed as well).
_INVISIBLE = "\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0"
_VARIATION_SELECTORS = "".join(chr(c) for c in range(0xFE00, 0xFE10))
# Combining marks kept: the kana voicing marks belong to the kana before them.
_KEEP_MARKS = "\u3099\u309a"

# Look-alikes from other scripts used to dodge English term lists. Capitals are listed apart:
# a Greek capital Ν looks like N, its small form ν like v.
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h",
    "ӏ": "l", "ո": "n", "ս": "u", "ԛ": "q", "ԝ": "w", "ѵ": "v", "ı": "i", "ȷ": "j", "ℓ": "l",
    "‘": "'", "’": "'", "‛": "'", "′": "'", "‐": "-", "‑": "-", "‒": "-", "−": "-",
    "α": "a", "β": "b", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "ε": "e",
    "υ": "u", "χ": "x", "μ": "u", "ω": "w",
}  # fmt: skip
_CAPITAL_HOMOGLYPHS = {
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
    "Т": "t", "Х": "x", "У": "y", "Ѕ": "s", "І": "i", "Ј": "j", "Ԛ": "q", "Ԝ": "w",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
}  # fmt: skip

_COMMON = "，：；！？（）　"  # full-width punctuation of nearly every CJK text
MARK = "\ufdd0"  # a noncharacter: stands in for characters whose mapping changes the length
_TABLE_SIZE = 0x30000
_ASTRAL = "[\U00010000-\U0010FFFF]"


@dataclass(frozen=True)
class Tables:
    # Indexed by code point: list lookups never raise, which keeps str.translate fast on CJK.
    translate: list[int | str]
    expand: dict[str, str]  # character → replacement of another length (often "")
    one: dict[str, str]  # character → its 1 → 1 replacement
    # Splits a text around every character that may change, captured: [kept, char, kept, ...].
    # Astral characters are all captured (checked in `one`): a class holding one astral
    # character makes re fall back from a bitmap to a slow linear list of ranges.
    split: re.Pattern[str]
    # Full-width punctuation with its replacement: str.replace folds these in C first.
    common: tuple[tuple[str, str], ...] = ()


def _latin_base(ch: str) -> str:
    """é → e, ñ → n: an accented Latin letter as its base letter; other characters unchanged."""
    decomposed = unicodedata.normalize("NFKD", ch)
    if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
        if all(unicodedata.combining(c) for c in decomposed[1:]):
            return decomposed[0]
    return ch


def _post(ch: str, folded: str, fam: str) -> str:
    """What the NFKC/case-folded form of one character becomes after the look-alike steps."""
    if ch in "\t\n\r\f\v\x85\u2028\u2029":  # a line break between two words is a space
        return " "
    if ch in _CAPITAL_HOMOGLYPHS:
        return _CAPITAL_HOMOGLYPHS[ch]
    if 0x2160 <= ord(ch) <= 0x2188:  # roman numerals: Ⅷ is 8, not "viii"
        value = unicodedata.numeric(ch, -1)
        if value >= 0 and value == int(value):
            return str(int(value))
    out = []
    for c in folded:
        cat = unicodedata.category(c)
        if cat == "Cf" or c in _INVISIBLE or c in _VARIATION_SELECTORS:
            continue
        if cat == "Mn" and c not in _KEEP_MARKS:
            continue
        if cat == "So":
            out.append(" ")
            continue
        c = _HOMOGLYPHS.get(c, c)
        c = _latin_base(c)
        if fam == "ja" and "\u30a1" <= c <= "\u30f6":
            c = chr(ord(c) - 0x60)
        out.append(c)
    return "".join(out)


def _fold(ch: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", ch).casefold())


_SPECIAL = frozenset(_INVISIBLE + _VARIATION_SELECTORS + "".join(_HOMOGLYPHS) + "".join(_CAPITAL_HOMOGLYPHS)
                     + "\t\n\r\f\v\x85\u2028\u2029")


def _may_change(cp: int, ch: str) -> bool:
    """Whether _post can change a character that NFKC and case folding leave alone (cheap test)."""
    return (ch in _SPECIAL or 0xC0 <= cp <= 0x24F or 0x1E00 <= cp <= 0x1EFF or 0x2160 <= cp <= 0x2188
            or unicodedata.category(ch) in ("So", "Mn", "Cf"))


@lru_cache(maxsize=1)
def _default_tables() -> tuple[dict[int, str], dict[str, str]]:
    translate: dict[int, str] = {}
    expand: dict[str, str] = {}
    # Planes 0-1 and the CJK compatibility supplement: every character text realistically holds.
    for cp in (*range(0x20000), *range(0x2F800, 0x2FA20), *range(0xE0000, 0xE0080)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        folded = _fold(ch)
        if folded == ch and not _may_change(cp, ch):
            continue
        folded = _post(ch, folded, "default")
        if folded == ch:
            continue
        if len(folded) == 1:
            translate[cp] = folded
        else:
            expand[ch] = folded
    return translate, expand


_KANA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}


@lru_cache(maxsize=2)
def _base_tables(fam: str) -> tuple[dict[int, str], dict[str, str]]:
    """The default tables; for ja, every katakana (and every katakana result) as hiragana."""
    translate, expand = _default_tables()
    if fam != "ja":
        return translate, expand
    ja = {cp: v.translate(_KANA) for cp, v in translate.items()}
    ja.update({cp: chr(h) for cp, h in _KANA.items()})
    return ja, {ch: v.translate(_KANA) for ch, v in expand.items()}


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional → simplified, character by character, through OpenCC's t2s conversion."""
    import opencc
    from opencc import OpenCC

    cc = OpenCC("t2s")
    chars_file = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in chars_file.read_text(encoding="utf-8").splitlines():
        src = line.split("\t", 1)[0]
        if len(src) != 1:
            continue
        dst = cc.convert(src)
        if len(dst) == 1 and dst != src:
            table[ord(src)] = dst
    return table


@lru_cache(maxsize=1)
def _jp_table() -> dict[int, str]:
    """Old and traditional kanji → the forms Japanese writes today (證 → 証, 對 → 対), through
    OpenCC's Japanese variants list: 元本保證 must read as 元本保証."""
    import opencc

    chars_file = Path(opencc.__file__).parent / "dictionary" / "JPVariants.txt"
    table: dict[int, str] = {}
    for line in chars_file.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        dst = dst.split(" ", 1)[0]
        if len(src) == 1 and len(dst) == 1 and src != dst:
            table[ord(src)] = dst
    return table


def family(locale: str | None) -> str:
    """Which folding a locale uses: zh folds traditional into simplified, ja katakana into
    hiragana, others neither."""
    if locale and locale.startswith("zh"):
        return "zh"
    if locale and locale.startswith("ja"):
        return "ja"
    return "default"


# Emoji written in place of a word ("💯有效", "躺着赚💰", "💯 guaranteed"): read as the word, where
# every other symbol reads as a space (normalize applies these; between two CJK characters 💯 is
# a separator: 最💯好 is 最好). Only emoji whose meaning is one word in every text.
EMOJI_WORDS = {
    "zh": {"💯": "100%", "💰": "钱", "💵": "钱", "💴": "钱", "💸": "钱"},
    "ja": {"💯": "100%", "💰": "お金", "💵": "お金", "💴": "お金", "💸": "お金"},
    "default": {"💯": "100%", "💰": " money ", "💵": " money ", "💴": " money ", "💸": " money "},
}


@lru_cache(maxsize=4)
def tables(fam: str) -> Tables:
    mapping, expand = _base_tables("ja" if fam == "ja" else "default")
    mapping = dict(mapping)
    if fam == "zh":
        t2s = _t2s_table()
        for cp, dst in t2s.items():
            mapping.setdefault(cp, dst)
        # A compatibility ideograph may NFKC to a traditional character: fold twice.
        mapping = {cp: t2s.get(ord(v), v) if len(v) == 1 else v for cp, v in mapping.items()}
    elif fam == "ja":
        for cp, dst in _jp_table().items():
            mapping.setdefault(cp, dst)
    table: list[int | str] = list(range(_TABLE_SIZE))
    for cp, dst in mapping.items():
        if cp < _TABLE_SIZE:
            table[cp] = dst
    for ch in expand:
        if ord(ch) < _TABLE_SIZE:
            table[ord(ch)] = MARK
    one = {chr(cp): v for cp, v in mapping.items() if len(v) == 1 and chr(cp) not in expand}
    bmp = [c for c in [*one, *expand] if ord(c) < 0x10000]
    # Replacing these first is only the same as folding each character once if no replacement
    # is itself a character that changes.
    common = tuple((c, one[c]) for c in _COMMON if c in one and one[c] not in one and one[c] not in expand)
    return Tables(table, expand, one, re.compile(f"({_char_class(bmp)}|{_ASTRAL})"), common)


def _char_class(chars: Iterable[str]) -> str:
    """A character class written as ranges: a long list of single characters makes re slow."""
    cps = sorted({ord(c) for c in chars})
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"
