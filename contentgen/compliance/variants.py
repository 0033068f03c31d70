"""Spellings of a rule's term that mean the same and that evaders (or ordinary writers) use.

    latin_variants("guarantee returns")  # guaranteed returns, guarantees-returns, ...
    pinyin_variants("稳赚")               # wen赚, 稳zhuan, wenzhuan, wen zhuan

Applied when a pack is compiled, so the text is scanned once whatever the number of spellings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations, product

_MAX = 96  # spellings of one term at most: the automaton stays small with thousands of terms
_LATIN_TERM = re.compile(r"^[a-z0-9#$%&'.+ -]+$")
_WORD = re.compile(r"^[a-z]{3,}$")
_STOP = frozenset("and the for you your our are not with from was were has have had its".split())
_IRREGULAR = {
    "lose": ("lost", "losing", "loses"), "win": ("won", "winning", "wins"), "grow": ("grew", "grown", "grows"),
    "make": ("made", "makes", "making"), "rise": ("rose", "risen", "rises"), "beat": ("beats", "beaten"),
    "take": ("took", "taken", "takes"), "give": ("gave", "given", "gives"), "pay": ("paid", "pays", "paying"),
    "buy": ("bought", "buys", "buying"), "sell": ("sold", "sells", "selling"), "get": ("got", "gets", "getting"),
    "see": ("saw", "seen", "sees"), "burn": ("burnt", "burned", "burns", "burning"),
}  # fmt: skip


def _bases(word: str) -> set[str]:
    """The word, and its base form when it was written inflected (guaranteed → guarantee)."""
    out = {word}
    for suffix, repls in (("ied", ("y",)), ("ies", ("y",)), ("ed", ("e", "")), ("ing", ("e", "")), ("es", ("",))):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out |= {word[: -len(suffix)] + r for r in repls}
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        out.add(word[:-1])
    return out


@lru_cache(maxsize=65536)
def inflections(word: str) -> tuple[str, ...]:
    """Regular English inflections of a word (and the base of an inflected one)."""
    if not _WORD.match(word) or word in _STOP:
        return (word,)
    forms: set[str] = set()
    for w in _bases(word):
        forms.add(w)
        forms.update(_IRREGULAR.get(w, ()))
        if w.endswith("y") and len(w) > 1 and w[-2] not in "aeiou":
            forms |= {w[:-1] + "ies", w[:-1] + "ied", w + "ing"}
        elif w.endswith("e"):
            forms |= {w + "s", w + "d", w[:-1] + "ing"}
        elif w.endswith(("s", "x", "z", "ch", "sh")):
            forms |= {w + "es", w + "ed", w + "ing"}
        else:
            forms |= {w + "s", w + "ed", w + "ing"}
        if (len(w) <= 5 and w[-1] in "bdgmnprt" and w[-2] in "aeiou" and w[-3] not in "aeiou"):
            forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    forms.discard(word)
    return (word, *sorted(forms))


def latin_variants(term: str) -> list[str]:
    return list(_latin_variants(term))


@lru_cache(maxsize=65536)
def _latin_variants(term: str) -> tuple[str, ...]:
    """A normalised Latin term's inflections (first and last word) and hyphen/space/joined forms."""
    if not _LATIN_TERM.match(term) or not any(c.isalpha() for c in term):
        return (term,)
    tokens = [t for t in re.split(r"[ -]+", term) if t]
    if not tokens:
        return (term,)
    choices: list[tuple[str, ...]] = [(t,) for t in tokens]
    choices[-1] = inflections(tokens[-1])
    if len(tokens) > 1:
        choices[0] = inflections(tokens[0])
    joiners = [" "]
    if len(tokens) > 1:
        joiners.append("-")
        if len(tokens) <= 3 and all(t.isalpha() for t in tokens):
            joiners.append("")
    out = [term]
    for words in product(*choices):
        for j in joiners:
            v = j.join(words)
            if v not in out:
                out.append(v)
            if len(out) >= _MAX:
                return tuple(out)
    return tuple(out)


@lru_cache(maxsize=1)
def _pinyin() -> object:
    import pypinyin  # imported on first use: only packs with `pinyin: true` need it

    return pypinyin


def pinyin_variants(term: str) -> list[str]:
    """The term with any of its hanzi written in toneless pinyin (稳zhuan不赔, wenzhuanbupei)."""
    return list(_pinyin_variants(term))


@lru_cache(maxsize=65536)
def _readings(ch: str) -> tuple[str, ...]:
    pp = _pinyin()
    got = pp.pinyin(ch, style=pp.Style.NORMAL, heteronym=True)[0]  # type: ignore[attr-defined]
    return tuple(r for r in got if r.isascii() and r.isalpha())[:2]


@lru_cache(maxsize=65536)
def _pinyin_variants(term: str) -> tuple[str, ...]:
    chars = list(term)
    readings = [_readings(ch) if "\u4e00" <= ch <= "\u9fff" else () for ch in chars]
    spots = [i for i, r in enumerate(readings) if r]
    if not spots or len(spots) > 8:
        return ()
    out: list[str] = []
    first = [readings[i][0] for i in spots]
    if len(spots) == len(chars):
        out += ["".join(first), " ".join(first)]
    # One or two characters in pinyin: how evaders write it (最hao, 稳zhuan不赔).
    for n in (1, 2):
        for picked in combinations(spots, n):
            for combo in product(*(readings[i] for i in picked)):
                v = chars[:]
                for i, r in zip(picked, combo, strict=True):
                    v[i] = r
                s = "".join(v)
                if s not in out and s != term:
                    out.append(s)
                if len(out) >= _MAX:
                    return tuple(out)
    return tuple(out)
