"""Side-by-side diff of two versions, field by field: words for Latin text, characters for CJK.

Lines are matched first and only the lines that changed are compared token by token, so a long
article with one edited paragraph costs a paragraph's comparison, not the article's. The HTML
is built only from html_text output and our own spans (see _safe).

    rows = field_diff(old_content, new_content)   # [FieldDiff(field, old_html, new_html), ...]
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contentgen.kernel.schemas import CONTENT_MODELS, content_fields
from review_ui._safe import html_text

# Scripts written without spaces between words: one character is one token. Kana, CJK
# ideographs (with extension A and compatibility forms), Hangul, CJK and full-width punctuation.
_CJK = "\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
# \w also matches CJK, so a word is a run of word characters that are not CJK.
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|.", re.DOTALL)
DEL_STYLE = "background:#ffd7d5;color:#82071e;text-decoration:line-through;border-radius:2px"
INS_STYLE = "background:#ccffd8;color:#055d20;border-radius:2px"
# Token pairs one comparison may weigh (difflib is quadratic): ~25 ms on this machine.
TOKEN_BUDGET = 1_000_000


def tokens(text: str) -> list[str]:
    """text cut into diff units: Latin words, single CJK characters, whitespace runs, punctuation."""
    return _TOKEN.findall(text)


def _mark(text: str, kind: str) -> str:
    if not text:
        return ""
    style = DEL_STYLE if kind == "del" else INS_STYLE
    return f'<span class="cg-{kind}" style="{style}">{html_text(text)}</span>'


def _token_diff(old: str, new: str) -> tuple[list[str], list[str]]:
    a, b = tokens(old), tokens(new)
    left: list[str] = []
    right: list[str] = []
    if len(a) * len(b) > TOKEN_BUDGET:  # a rewrite this large reads as one: mark it whole
        return [_mark(old, "del")], [_mark(new, "ins")]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            left.append(html_text(before))
            right.append(html_text(after))
        else:  # replace, delete, insert: each side marks what only it has
            left.append(_mark(before, "del"))
            right.append(_mark(after, "ins"))
    return left, right


def side_by_side(old: str, new: str) -> tuple[str, str]:
    """(old, new) as one-line HTML each: deletions marked on the left, insertions on the right."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same = html_text("".join(a[i1:i2]))
            left.append(same)
            right.append(same)
            continue
        old_block, new_block = a[i1:i2], b[j1:j2]
        pairs: list[tuple[str, str]] = [("".join(old_block), "".join(new_block))]
        if len(tokens(pairs[0][0])) * len(tokens(pairs[0][1])) > TOKEN_BUDGET:
            # Many lines rewritten: compare them pair by pair, which stays fast.
            pairs = list(itertools.zip_longest(old_block, new_block, fillvalue=""))
        for before, after in pairs:
            old_part, new_part = _token_diff(before, after)
            left += old_part
            right += new_part
    return "".join(left), "".join(right)


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old_html: str
    new_html: str


def _fields(content: Mapping[str, Any]) -> dict[str, str]:
    model = CONTENT_MODELS[str(content["kind"])].model_validate(dict(content))
    return content_fields(model)


def field_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[FieldDiff], int]:
    """The fields that differ, in the new version's order (then fields only the old one had),
    and how many fields are the same."""
    before, after = _fields(old), _fields(new)
    names = [*after, *(k for k in before if k not in after)]
    changed: list[FieldDiff] = []
    same = 0
    for name in names:
        a, b = before.get(name, ""), after.get(name, "")
        if a == b:
            same += bool(a)
            continue
        left, right = side_by_side(a, b)
        changed.append(FieldDiff(name, left, right))
    return changed, same


def table_html(rows: list[FieldDiff], *, label: Callable[[str], str], old: str, new: str) -> str:
    """The changed fields as a two-column table that wraps: fixed layout, long words broken.
    label names a field for people; old and new head the two columns."""
    cell = ("padding:6px 8px;vertical-align:top;border-top:1px solid rgba(128,128,128,.3);"
            "overflow-wrap:anywhere;word-break:break-word")
    head = (f'<tr><th style="{cell};width:50%">{html_text(old)}</th>'
            f'<th style="{cell};width:50%">{html_text(new)}</th></tr>')
    body = "".join(
        f'<tr><td colspan="2" style="{cell};font-size:0.8em;opacity:.75">'
        f"{html_text(label(r.field))}</td></tr>"
        f'<tr><td style="{cell}">{r.old_html}</td><td style="{cell}">{r.new_html}</td></tr>'
        for r in rows
    )
    return (f'<table class="cg-diff" style="table-layout:fixed;width:100%;border-collapse:collapse">'
            f"{head}{body}</table>")
