"""Normalise text before matching, keeping a map back to the original offsets.

Steps: per-character NFKC + case folding + full-width → half-width + homoglyphs (and
traditional → simplified for zh); zero-width characters removed; short runs of separators
between two CJK characters collapsed (最 好, 最*好, 最-好, 最.好 → 最好).

Most characters map 1 → 1: one regex split finds the few that change and a C-level map/join
folds them, offsets unchanged. Deleted separator runs keep a small map (built only when a
finding asks for a span); only texts with zero-width or expanding characters take the slow
path with a full OffsetMap and `str.translate`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

# Characters that carry no visible content and are used to split a banned word.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufeff\uffa0"
)
_VARIATION_SELECTORS = "".join(chr(c) for c in range(0xFE00, 0xFE10))

# Latin look-alikes from other scripts (Cyrillic, Greek) used to dodge English term lists.
_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ս": "u",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "ε": "e",
}  # fmt: skip

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uac00-\ud7af"  # hangul
)
# Separators collapsed between two CJK characters; sentence punctuation (，。！？ → , . ! ?
# after NFKC) is kept apart from '.', since a comma or stop between words is normal text.
_SEPARATORS = r" \t\r\n\f\v*\-._·•・|/\\~^+#=`'\"“”‘’"  # whitespace is ASCII after NFKC
# Starts with the separator class so re can skip ahead fast (separators are rare in CJK text);
# the CJK character before the run is a lookbehind. Captured, so split() returns
# [kept, run, kept, run, ..., kept] in one pass.
_SEP_RUN = re.compile(rf"([{_SEPARATORS}](?<=[{_CJK}].)[{_SEPARATORS}]{{0,2}})(?=[{_CJK}])")


# The full-width punctuation of nearly every Chinese/Japanese text (comma, colon, semicolon,
# exclamation and question marks, parentheses, ideographic space).
_COMMON = "，：；！？（）　"
_MARK = "\ufdd0"  # a noncharacter: stands in for characters whose mapping changes the length
_TABLE_SIZE = 0x30000
_ASTRAL = "[\U00010000-\U0010FFFF]"


@dataclass(frozen=True)
class Tables:
    # Indexed by code point: list lookups never raise, which keeps str.translate fast on CJK
    # (a dict table raises and swallows KeyError for every unmapped character).
    translate: list[int | str]
    expand: dict[str, str]  # character → replacement of another length (often "")
    one: dict[str, str]  # character → its 1 → 1 replacement
    # Splits a text around every character that may change, captured: [kept, char, kept, ...].
    # Astral characters are all captured (checked in `one`): a class holding one astral
    # character makes re fall back from a bitmap to a slow linear list of ranges.
    split: re.Pattern[str]
    # The few characters that change in nearly every CJK text (full-width punctuation), with
    # their replacement: str.replace folds them in C, so `split` is left with the rare ones.
    common: tuple[tuple[str, str], ...] = ()


def _fold(ch: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", ch).casefold())


@lru_cache(maxsize=1)
def _base_tables() -> tuple[dict[int, str], dict[str, str]]:
    translate: dict[int, str] = {}
    expand: dict[str, str] = {}
    # Planes 0-1 and the CJK compatibility supplement: every character text realistically holds.
    for cp in (*range(0x20000), *range(0x2F800, 0x2FA20)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        folded = _fold(ch)
        if folded == ch:
            continue
        if len(folded) == 1:
            translate[cp] = folded
        else:
            expand[ch] = folded
    for ch in _INVISIBLE + _VARIATION_SELECTORS:
        translate.pop(ord(ch), None)
        expand[ch] = ""
    for src, dst in _HOMOGLYPHS.items():
        translate[ord(src)] = dst
    return translate, expand


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


def family(locale: str | None) -> str:
    """Which normalisation a locale uses: zh folds traditional into simplified, others don't."""
    return "zh" if locale and locale.startswith("zh") else "default"


@lru_cache(maxsize=4)
def tables(fam: str) -> Tables:
    mapping, expand = _base_tables()
    mapping = dict(mapping)
    if fam == "zh":
        t2s = _t2s_table()
        for cp, dst in t2s.items():
            mapping.setdefault(cp, dst)
        # A compatibility ideograph may NFKC to a traditional character: fold twice.
        mapping = {cp: t2s.get(ord(v), v) if len(v) == 1 else v for cp, v in mapping.items()}
    table: list[int | str] = list(range(_TABLE_SIZE))
    for cp, dst in mapping.items():
        if cp < _TABLE_SIZE:
            table[cp] = dst
    for ch in expand:
        if ord(ch) < _TABLE_SIZE:
            table[ord(ch)] = _MARK
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


class OffsetMap:
    """Maps spans of an edited string back to the string before the edits."""

    __slots__ = ("_new", "_old", "_kept", "_olen")

    def __init__(self, pieces: list[tuple[int, int, bool]], old_len: int):
        # pieces: (new_start, old_start, kept) in order; a replaced piece maps as a block.
        self._new = [p[0] for p in pieces]
        self._old = [p[1] for p in pieces]
        self._kept = [p[2] for p in pieces]
        self._olen = old_len

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Both ends of a non-empty span."""
        return self.start(start), self.end(end)

    def _piece(self, pos: int) -> int:
        return bisect_right(self._new, pos) - 1

    def start(self, pos: int) -> int:
        i = self._piece(pos)
        if i < 0:
            return 0
        return self._old[i] + (pos - self._new[i]) if self._kept[i] else self._old[i]

    def end(self, pos: int) -> int:
        """Original end offset for a span ending (exclusively) at pos."""
        if pos <= 0:
            return self.start(0)
        i = self._piece(pos - 1)
        if self._kept[i]:
            return self._old[i] + (pos - 1 - self._new[i]) + 1
        return self._old[i + 1] if i + 1 < len(self._old) else self._olen


def _edit(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """Apply sorted, non-overlapping (start, end, replacement) edits."""
    out: list[str] = []
    pieces: list[tuple[int, int, bool]] = []
    new_pos = old_pos = 0
    for start, end, repl in edits:
        if start > old_pos:
            pieces.append((new_pos, old_pos, True))
            out.append(text[old_pos:start])
            new_pos += start - old_pos
        if repl:
            pieces.append((new_pos, start, False))
            out.append(repl)
            new_pos += len(repl)
        old_pos = end
    if old_pos < len(text):
        pieces.append((new_pos, old_pos, True))
        out.append(text[old_pos:])
        new_pos += len(text) - old_pos
    # A trailing sentinel lets a replaced block find its original end.
    pieces.append((new_pos, len(text), True))
    return "".join(out), OffsetMap(pieces, len(text))


class Deletions:
    """Maps spans of a string with runs deleted back to the string before (built on first use)."""

    __slots__ = ("_parts", "_runs", "_at", "_gone")

    def __init__(self, parts: list[str], runs: list[str]):
        # parts: the pieces of the new string, [kept, "", kept, "", ..., kept], as re.split
        # returns them with each deleted run blanked; runs: the deleted text of each "".
        self._parts, self._runs = parts, runs
        self._at: list[int] = []  # new position of each run
        self._gone: list[int] = []  # characters deleted up to and including that run

    def _build(self) -> None:
        cum = list(accumulate(map(len, self._parts)))
        self._at = cum[0:len(self._parts) - 1:2]
        self._gone = list(accumulate(map(len, self._runs)))

    def start(self, pos: int) -> int:
        if not self._at:
            self._build()
        i = bisect_right(self._at, pos)  # runs at pos were deleted before the character at pos
        return pos + self._gone[i - 1] if i else pos

    def end(self, pos: int) -> int:
        """Original end offset for a span ending (exclusively) at pos."""
        if not self._at:
            self._build()
        i = bisect_left(self._at, pos)  # a run at pos comes after the span's last character
        return pos + self._gone[i - 1] if i else pos

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Both ends of a non-empty span at once (the matcher's per-finding call)."""
        if not self._at:
            self._build()
        at, gone = self._at, self._gone
        i = bisect_right(at, start)
        j = bisect_left(at, end)
        return (start + gone[i - 1] if i else start), (end + gone[j - 1] if j else end)


class Normalized:
    """A normalised text and the way back to the original offsets."""

    __slots__ = ("text", "original", "maps")

    def __init__(self, text: str, original: str, maps: tuple[OffsetMap | Deletions, ...] = ()):
        self.text = text
        self.original = original
        self.maps = maps

    def span(self, start: int, end: int) -> tuple[int, int]:
        maps = self.maps
        if len(maps) == 1 and end > start:  # the usual case: separator runs deleted
            return maps[0].span(start, end)
        for m in reversed(self.maps):
            if end > start:
                start, end = m.start(start), m.end(end)
            else:
                start = end = m.start(start)
        return start, end


def normalize(text: str, fam: str = "default") -> Normalized:
    t = tables(fam)
    maps: list[OffsetMap | Deletions] = []
    work = text
    for ch, repl in t.common:  # 1 → 1: offsets unchanged
        if ch in work:
            work = work.replace(ch, repl)
    parts = t.split.split(work)
    if len(parts) == 1:
        pass
    elif t.expand.keys().isdisjoint(parts[1::2]):
        # Usual: only 1 → 1 replacements (full-width punctuation, capitals, traditional forms),
        # so offsets are unchanged; split/map/join runs in C, unlike str.translate's per-char lookups.
        chars = parts[1::2]
        parts[1::2] = map(t.one.get, chars, chars)
        work = "".join(parts)
    else:
        # Rare: zero-width or expanding characters; edit with an offset map, then fold the rest.
        edits: list[tuple[int, int, str]] = []
        pos = 0
        for i, part in enumerate(parts):
            if i % 2 and part in t.expand:
                edits.append((pos, pos + 1, t.expand[part]))
            pos += len(part)
        work, m1 = _edit(work, edits)
        maps.append(m1)
        work = work.translate(t.translate)
    parts = _SEP_RUN.split(work)  # [kept, run, kept, run, ..., kept]
    if len(parts) > 1:
        runs = parts[1::2]
        parts[1::2] = [""] * len(runs)
        work = "".join(parts)
        maps.append(Deletions(parts, runs))
    return Normalized(work, text, tuple(maps))


def normalize_term(term: str, fam: str = "default") -> str:
    """A rule term as the matcher sees it (same steps as the text)."""
    return normalize(term, fam).text
