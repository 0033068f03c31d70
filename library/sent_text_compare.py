"""What was sent against what was approved: the pure comparison behind library.sent_text.

    c = compare(approved_text, sent_text, recipient_name="张三")
    c.edited, c.diff, c.changes, c.stored_text

Two texts are the same when they differ only in whitespace (runs of it, line breaks, full-width
and zero-width spaces, Unicode composition) and in the recipient's name: salespeople greet by
name ("张三，您好"), and that is the one edit that is expected. Whitespace between two Latin
letters or digits counts as one space (it separates words); anywhere else it does not count
(Chinese and Japanese text, or next to punctuation). Anything else, even one character, is a
material difference: one added "不" or "100%" changes what compliance approved.

The recipient's name is removed for the comparison and replaced by RECIPIENT in the text that
is kept, so the name itself is never stored. Only the whole name is recognised, with an
honorific or title next to it (先生, 女士, さん, 様, Mr., Ms., ...) and one separator after it.
"""

from __future__ import annotations

import difflib
import html
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

RECIPIENT = "{recipient}"  # stands where the recipient's name was; the name is not kept
_MAX_MATCHED = 4000  # characters matched one by one, at most (see _changes)
MAX_CHANGES = 50  # change segments kept per send: enough for a reviewer, bounded for storage
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SUFFIXES = ("先生", "女士", "小姐", "老师", "同学", "经理", "总", "さん", "さま", "様", "君", "くん",
             "ちゃん", "殿", "氏")
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Mx")
_SEPARATORS = ",，、:：!！~～"
_MD_ESCAPE = re.compile(r"\\([\\`*_\[\]#|])")


def control_character(text: str) -> int | None:
    """Offset of the first control character other than tab and line breaks, or None."""
    m = _CONTROL.search(text)
    return None if m is None else m.start()


def _spaced(c: str) -> bool:
    """Letters and digits of scripts that separate words with spaces (Latin, Cyrillic, Hangul…)."""
    return c.isalnum() and ord(c) < 0x2E80


def normalise(text: str) -> str:
    """The text as compared: NFC, no zero-width characters, whitespace only between words."""
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text)).strip()

    def space(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1], text[m.end()]
        return " " if _spaced(before) and _spaced(after) else ""

    return _SPACE.sub(space, text)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    parts = [re.escape(p) for p in _SPACE.split(unicodedata.normalize("NFC", name).strip()) if p]
    if not parts:
        return None
    titles = "|".join(_TITLES)
    suffixes = "|".join(sorted(_SUFFIXES, key=len, reverse=True))
    body, separators = r"\s*".join(parts), re.escape(_SEPARATORS)
    return re.compile(rf"(?:\b(?:{titles})\.?\s*)?{body}(?:\s*(?:{suffixes}))?\s*[{separators}]?",
                      re.IGNORECASE)


def without_name(text: str, name: str | None, *, placeholder: str = "") -> str:
    """`text` with every mention of the recipient's name (and its honorific) replaced."""
    text = unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text))
    pattern = _name_pattern(name) if name else None
    return text if pattern is None else pattern.sub(placeholder, text)


def payload_text(payload: dict[str, Any]) -> str:
    """The text a recipient reads in a rendered payload (library.payloads): plain text as is;
    Markdown without its escapes and emphasis; JSON by its title, text and body values."""
    body = payload.get("body")
    if isinstance(body, dict):
        return "\n".join(str(body[k]) for k in ("title", "text", "body")
                         if isinstance(body.get(k), str) and body[k])
    text = str(body or "")
    if payload.get("format") == "markdown":
        text = html.unescape(_MD_ESCAPE.sub(r"\1", text.replace("**", "")))
        text = "\n".join(line.lstrip("#").strip() for line in text.splitlines())
    return text


@dataclass(frozen=True)
class Comparison:
    """The outcome of one comparison; `stored_text` is the sent text with the name replaced."""

    edited: bool
    approved: str
    stored_text: str
    compared: str  # normalised sent text, name removed: what the fingerprint is taken of
    diff: str = ""
    changes: list[dict[str, str]] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(len(c["sent"]) for c in self.changes)

    @property
    def removed(self) -> int:
        return sum(len(c["approved"]) for c in self.changes)

    def first_change(self) -> tuple[int, int, str]:
        """(start, end, match) of the first changed text in stored_text (0, 0, "" if only removals)."""
        for c in self.changes:
            if c["sent"]:
                at = self.stored_text.find(c["sent"])
                if at >= 0:
                    return at, at + len(c["sent"]), c["sent"]
                return 0, 0, c["sent"]
        return 0, 0, ""

    def summary(self) -> str:
        return f"{len(self.changes)} change(s): +{self.added} / -{self.removed} characters"


def _lines(text: str) -> list[str]:
    """Non-blank lines, each normalised: the line diff shows material changes only."""
    return [n for n in (normalise(line) for line in text.splitlines()) if n]


def compare(approved: str, sent: str, recipient_name: str | None = None) -> Comparison:
    """Whether `sent` differs materially from `approved`, with the diff a reviewer reads."""
    stored = without_name(sent, recipient_name, placeholder=RECIPIENT)
    bare = without_name(sent, recipient_name)
    a, b = normalise(approved), normalise(bare)
    if a == b:
        return Comparison(edited=False, approved=approved, stored_text=stored, compared=b)
    diff = "\n".join(difflib.unified_diff(_lines(approved), _lines(bare), "approved", "sent",
                                          n=1, lineterm=""))
    return Comparison(edited=True, approved=approved, stored_text=stored, compared=b, diff=diff,
                      changes=_changes(a, b)[:MAX_CHANGES])


def _changes(a: str, b: str) -> list[dict[str, str]]:
    """Character-level changes; the common head and tail are cut first (an edit is usually
    local), and a middle longer than _MAX_MATCHED is one replacement: matching two unrelated
    20,000-character texts would cost the API seconds per request."""
    head = len(os.path.commonprefix([a, b]))
    tail = len(os.path.commonprefix([a[head:][::-1], b[head:][::-1]]))
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    if max(len(mid_a), len(mid_b)) > _MAX_MATCHED:
        return [{"op": "replace", "approved": mid_a, "sent": mid_b}]
    # autojunk off: in Chinese text the common characters are exactly the ones that matter.
    matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
    return [{"op": op, "approved": mid_a[i1:i2], "sent": mid_b[j1:j2]}
            for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
