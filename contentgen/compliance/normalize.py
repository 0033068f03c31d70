"""Normalise text before matching, keeping a map back to the original offsets.

Steps, in one pass over the text: HTML entities decoded and tags blanked (only when the text
has '&' or '<'); emoji that stand for a word read as it (💯 → 100%, 💰 → 钱/お金/money);
per-character folding (`fold`: NFKC, case, look-alikes, accents, symbols, invisible characters,
traditional → simplified for zh, katakana → hiragana and old kanji → today's for ja); digits,
'$', '!' and '|' used as letters inside a Latin word read as letters (guarant33d, r!sk) and '*',
'_' inside one removed; short runs of separators between two CJK characters collapsed (最 好,
最*好, 最\n好 → 最好) and spaced-out Latin letters joined (G u a r a n t e e d → guaranteed).

Most characters map 1 → 1: one regex split finds the few that change and a C-level map/join
folds them, offsets unchanged. Deleted separator runs keep a small map (built only when a
finding asks for a span); only texts with markup, zero-width or expanding characters take the
slow path with a full OffsetMap and `str.translate`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left, bisect_right
from itertools import accumulate

from contentgen.compliance.fold import EMOJI_WORDS, family, tables

__all__ = ["Normalized", "family", "normalize", "normalize_term"]

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uac00-\ud7af"  # hangul
)
# Separators collapsed between two CJK characters; sentence punctuation (，。！？ → , . ! ?
# after NFKC) is kept apart from '.', since a comma or stop between words is normal text.
_SEPARATORS = r" \t\r\n\f\v*\-._·•・|/\\~^+#=`'\"“”‘’"  # whitespace is ASCII after NFKC
# Starts with the separator class so re can skip ahead fast (separators are rare in CJK text);
# the CJK character before the run is a lookbehind (DOTALL: a line break is a separator too).
_SEP_RUN = re.compile(rf"[{_SEPARATORS}](?<=[{_CJK}].)[{_SEPARATORS}]{{0,2}}(?=[{_CJK}])", re.DOTALL)
# Spaced-out letters are joined only in a run of four or more ("a b" is ordinary English).
_SPACED = re.compile(r"[a-z](?<![a-z0-9][a-z])(?:[ .\-_*·]{1,2}[a-z](?![a-z0-9])){3,}")  # letter first: re skips ahead
_SPACED_SEP = re.compile(r"[ .\-_*·]+")
# Digits, '$', '!' and '|' standing for letters inside a Latin word: guarant33d, r1sk-free, r!sk.
_LEET = re.compile(r"[a-z][013457$!|]{1,3}(?=[a-z])")  # letter first: re skips ahead in CJK text
_LEET_TABLE = str.maketrans("013457$!|", "oieastsil")
# A mask character splitting a Latin word (guaran*teed, gua_ranteed): removed, as a separator
# between CJK characters is. Not the hyphen or apostrophe: they make words (risk-free, don't).
_MASKED = re.compile(r"[a-z][*_]{1,2}(?=[a-z])")
_EXTRA_SPACES = re.compile(r"(?<= ) +")  # two spaces read as one (line breaks are spaces after folding)
_VOICED = re.compile("[\u3040-\u30ff][\u3099\u309a]")
_EMOJI_WORD = re.compile("[" + "".join(EMOJI_WORDS["default"]) + "]")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_MARKUP = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});|<!--.*?-->|</?[a-zA-Z][^<>]{0,200}>",
    re.DOTALL,
)


def _letters(m: re.Match[str]) -> str:
    return m.group().translate(_LEET_TABLE)  # the leading letter is not in the table


def _between_cjk(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits between two CJK characters: there 💯 only splits a word
    (最💯好), while 💰 still reads as money (赚💰了)."""
    return (start > 0 and end < len(text) and _CJK_CHAR.match(text, start - 1) is not None
            and _CJK_CHAR.match(text, end) is not None)


def _markup_edits(text: str) -> list[tuple[int, int, str]]:
    """HTML entities as the characters they stand for, tags and comments as a space."""
    edits = []
    for m in _MARKUP.finditer(text):
        tok = m.group()
        if tok.startswith("&"):
            repl = html.unescape(tok)
        else:  # a tag between two words keeps them apart; beside a space it is nothing
            before = text[m.start() - 1] if m.start() else " "
            after = text[m.end()] if m.end() < len(text) else " "
            repl = "" if before.isspace() or after.isspace() or after == "<" else " "
        if repl != tok:
            edits.append((m.start(), m.end(), repl))
    return edits


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
    if "&" in work or "<" in work:
        edits = _markup_edits(work)
        if edits:
            work, m0 = _edit(work, edits)
            maps.append(m0)
    if _EMOJI_WORD.search(work):
        words = EMOJI_WORDS.get(fam, EMOJI_WORDS["default"])
        edits = [(m.start(), m.end(), words[m.group()]) for m in _EMOJI_WORD.finditer(work)
                 if m.group() != "💯" or not _between_cjk(work, m.start(), m.end())]
        if edits:
            work, m_e = _edit(work, edits)
            maps.append(m_e)
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
        edits = []
        pos = 0
        for i, part in enumerate(parts):
            if i % 2 and part in t.expand:
                edits.append((pos, pos + 1, t.expand[part]))
            pos += len(part)
        work, m1 = _edit(work, edits)
        maps.append(m1)
        work = work.translate(t.translate)
    if "\u3099" in work or "\u309a" in work:  # half-width ｶﾞ: base and voicing mark made one
        edits = [(m.start(), m.end(), unicodedata.normalize("NFC", m.group())) for m in _VOICED.finditer(work)]
        work, m2 = _edit(work, [e for e in edits if len(e[2]) == 1])
        maps.append(m2)
    ascii_part = work.encode("ascii", "ignore")  # C speed: the Latin steps only run on Latin text
    latin = ascii_part.upper() != ascii_part
    if latin:
        work = _LEET.sub(_letters, work)  # 1 → 1
    runs = [m.span() for m in _SEP_RUN.finditer(work)]
    if "  " in work:
        runs += [m.span() for m in _EXTRA_SPACES.finditer(work)]
    if latin and ("*" in work or "_" in work):
        runs += [(m.start() + 1, m.end()) for m in _MASKED.finditer(work)]
    for m in _SPACED.finditer(work) if latin else ():
        runs += [(m.start() + s.start(), m.start() + s.end()) for s in _SPACED_SEP.finditer(m.group())]
    if runs:
        runs.sort()
        pieces: list[str] = []
        deleted: list[str] = []
        pos = 0
        for s, e in runs:
            if e <= pos:
                continue  # inside a run already deleted (extra spaces within a CJK separator run)
            s = max(s, pos)
            if s == pos and pieces:  # touches the previous run: one longer run
                deleted[-1] += work[s:e]
                pos = e
                continue
            pieces += [work[pos:s], ""]
            deleted.append(work[s:e])
            pos = e
        pieces.append(work[pos:])
        work = "".join(pieces)
        maps.append(Deletions(pieces, deleted))
    return Normalized(work, text, tuple(maps))


def normalize_term(term: str, fam: str = "default") -> str:
    """A rule term as the matcher sees it (same steps as the text)."""
    return normalize(term, fam).text
