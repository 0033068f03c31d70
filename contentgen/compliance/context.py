"""Context that turns a hit into a legal use: a negated claim, a quoted mention.

    negated("本品不能治疗腹泻", 4, 6, "zh")        # True: 不能 governs 治疗
    mentioned("请警惕“稳赚不赔”这类宣传", 4, 8)     # True: quoted and talked about, not claimed

Both look only at the text around one hit, so they cost nothing on clean text (negation at the
normalised text, a mention at the original, whose quotes normalisation drops). Negation only
excuses a claim a rule lists as a claim (`negatable`); a risk word whose negation is the
promise ("never lose money", 不用担心亏损) is written as a term with its negator in it.
"""

from __future__ import annotations

import re

# Clause punctuation after normalisation (full-width folded to ASCII; 、。「」 stay as they are).
_CLAUSE = re.compile(r"[,.;:!?、。「」“”\"()\[\]\n—–]")  # not the apostrophe: can't, don't negate

# zh: negators that govern what follows: a word within two characters (不能 治疗, 不承诺 保本),
# a single character only right before the claim (不保本; 不节食也能瘦 is no negation of 能瘦).
_ZH_NEG = re.compile(
    r"(?:(?:不能|不会|不可|不是|不得|不宜|不必|不承诺|不宣称|不保证|不代表|不构成|不等于|不具有|不具备|不意味着"
    r"|并非|并不|并无|绝非|决非|没有|无法|无须|切勿|请勿|禁止|杜绝|远离|谨防|警惕|拒绝|不要)[^,.;:!?、。]{0,2}"
    r"|[不没非别勿])$"
)
# Characters after 不/非 that make a word, not a negation (不错 is praise, 非常 is "very").
_ZH_NOT_NEG = re.compile(r"(?:不错|不少|不断|不同|不仅|不只|不但|不止|不凡|不愧|不一般|不二|非常|非凡|无比)[^,.;:!?、。]{0,2}$")
# ja: negation follows the claim (元本保証ではありません, 治るわけではない, 消えることはありません).
_JA_NEG = re.compile(
    r"^[^,.;:!?、。]{0,3}?(?:ではな|ではあり|じゃな|わけでは|ものでは|とは限|とはいえ|とは言え|ことはでき|ことはあり"
    r"|ことはな|ません|ない|ず[,.、。]|できな)"
)
# en: a negator within two words before the claim (not guaranteed, does not cure, no guarantee).
_EN_NEG = re.compile(
    r"\b(?:not|no|cannot|can't|don't|doesn't|didn't|won't|isn't|aren't|wasn't|nor|without|neither)"
    r"(?!\s+(?:only|just|doubt|wonder|matter|longer|more than|miss|worry|wait|hesitate)\b)(?:\s+[a-z'-]+){0,3}\s*$"
)
# Quoted and talked about: “保本”这类宣传, 「必ず儲かる」といった勧誘, so-called "guaranteed" returns.
_MENTION_AFTER = re.compile(
    r"^[\"'”’」』＂]?\s*(?:这类|这种|之类|这样的|等|的说法|的宣传|的话术|这回事|字样|一词|等字眼|等说法|的表述|的表达"
    r"|といった|などの|などと|という(?:言葉|表現|宣伝|勧誘|広告)|のような(?:表現|広告|宣伝)"
    r"|claims?\b|promises?\b|pitch(?:es)?\b|language\b|wording\b|hype\b)",
    re.IGNORECASE,
)
_MENTION_BEFORE = re.compile(
    r"(?:关于|所谓|不讲|不说|不用|警惕|谨防|小心|看到|别信|不信|不要相信|いわゆる|so-called|beware of|watch out for"
    r"|avoid|be wary of)\s*[\"'“‘「『＂]?$",
    re.IGNORECASE,
)
_WINDOW = 12


def negated(text: str, start: int, end: int, fam: str) -> bool:
    """Whether a negator governs the hit text[start:end] (normalised text)."""
    if fam == "ja":
        after = text[end:end + 12]
        return bool(_JA_NEG.match(after))
    before = _clause_before(text, start)
    if fam == "zh":
        return bool(_ZH_NEG.search(before)) and not _ZH_NOT_NEG.search(before)
    return bool(_EN_NEG.search(before[-40:]))


def mentioned(text: str, start: int, end: int) -> bool:
    """Whether the hit text[start:end] is quoted and talked about rather than claimed (read on the
    original text: normalisation joins quotes between CJK characters)."""
    before = text[max(0, start - _WINDOW):start]
    after = text[end:end + _WINDOW]
    last, first = before.rstrip()[-1:], after.lstrip()[:1]  # "" at the text's edges: no quote
    quoted_before = bool(last) and last in "\"'“‘「『＂"
    quoted_after = bool(first) and first in "\"'”’」』＂"
    if not (quoted_before or quoted_after):
        return bool(_MENTION_BEFORE.search(before)) and bool(_MENTION_AFTER.match(after))
    return bool(_MENTION_AFTER.match(after)) or bool(_MENTION_BEFORE.search(before))


def _clause_before(text: str, start: int) -> str:
    """The text before start back to the clause's start (at most 40 characters)."""
    window = text[max(0, start - 40):start]
    cut = None
    for m in _CLAUSE.finditer(window):
        cut = m.end()
    return window[cut:] if cut is not None else window
