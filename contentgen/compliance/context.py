"""Context that turns a hit into a legal use: a negated or disclaimed claim, a quoted mention.

    negated("本品不能治疗腹泻", 4, 6, "zh")        # True: 不能 governs 治疗
    disclaimed("本品不保证年化8%", 5, 9, "zh")     # True: a disclaimer governs even a pattern's hit
    mentioned("请警惕“稳赚不赔”这类宣传", 4, 8)     # True: quoted and talked about, not claimed

All look only at the text around one hit, so they cost nothing on clean text (negation at the
normalised text, a mention at the original, whose quotes normalisation drops). Negation only
excuses a claim a rule lists as a claim (`negatable`); a risk word whose negation is the
promise ("never lose money", 不用担心亏损) is written as a term with its negator in it. A
disclaimer ("不保证", "ではありません", "not guaranteed") is narrower and explicit, so it
excuses the hits of every rule that does not say `negatable: false`. Either reaches no further
than its own line: `crosses_break` says whether a line break, an emoji or a sentence end lies
between the negator and the hit in the original text (normalisation removes them between CJK
characters, so "不😊\n保本" would otherwise read as 不保本).
"""

from __future__ import annotations

import re
import unicodedata

# Clause punctuation after normalisation (full-width folded to ASCII; 、。「」 stay as they are).
_CLAUSE = re.compile(r"[,.;:!?、。「」“”\"()\[\]\n—–]")  # not the apostrophe: can't, don't negate

# zh: negators that govern what follows: a word within two characters (不能 治疗, 不承诺 保本),
# a single character only right before the claim (不保本; 不节食也能瘦 is no negation of 能瘦).
_ZH_NEG = re.compile(
    r"(?:(?:不能|不会|不可|不是|不得|不宜|不必|不承诺|不宣称|不保证|不代表|不构成|不等于|不具有|不具备|不意味着"
    r"|并非|并不|并无|绝非|决非|没有|无法|无须|切勿|请勿|禁止|杜绝|远离|谨防|警惕|拒绝|不要|不存在|不涉及|不提供|从未"
    r"|不做|不设|不搞)[^,.;:!?、。]{0,2}"
    r"|[不没非别勿])$"
)
# Characters after 不/非 that make a word, not a negation (不错 is praise, 非常 is "very").
_ZH_NOT_NEG = re.compile(r"(?:不错|不少|不断|不同|不仅|不只|不但|不止|不凡|不愧|不一般|不二|非常|非凡|无比)[^,.;:!?、。]{0,2}$")
# ja: negation follows the claim (元本保証ではありません, 治るわけではない, 消えることはありません).
# The bare endings (ない, ません) only within three characters; the explicit disclaiming
# constructions (ということはありません, というものではない) a little further.
_JA_NEG = re.compile(
    r"^(?:[^,.;:!?、。]{0,3}?(?:ではな|ではあり|じゃな|わけでは|ものでは|とは限|とはいえ|とは言え|ことはでき|ことはあり"
    r"|ことはな|ません|ない|ず[,.、。]|できな)"
    r"|[^,.;:!?、。]{0,6}?(?:ということは(?:あり|な)|というわけでは|というものでは|ことはありません|とは限りません"
    r"|ものではありません|わけではありません|を保証するものでは|を約束するものでは))"
)
# en: a negator within two words before the claim (not guaranteed, does not cure, no guarantee).
_EN_NEG = re.compile(
    r"\b(?:not|no|cannot|can't|don't|doesn't|didn't|won't|isn't|aren't|wasn't|nor|without|neither|never)"
    r"(?!\s+(?:only|just|doubt|wonder|matter|longer|more than|miss|worry|wait|hesitate|been|before|again)\b)"
    r"(?:\s+[a-z'-]+){0,3}\s*$"
)
# Disclaimers: explicit denials of a claim, which excuse the hits of patterns too.
_ZH_DISCLAIM = re.compile(
    r"(?:不保证|不能保证|无法保证|不作(?:任何)?保证|不承诺|从不承诺|从未承诺|不代表|并非|并不是|不构成|不宣称|不具有|不做|不设|不是说"
    r"|(?:不会|不敢|从不|从来不|不)(?:跟|和|对|向|给)(?:你|您|大家|各位)(?:说|讲|承诺|保证|吹|打包票))"
    r"[^,.;:!?、。]{0,4}$"
)
_EN_DISCLAIM = re.compile(
    r"\b(?:not|no|never|cannot|can't|doesn't|does not|isn't|is not|aren't|are not|won't|will not)"
    r"(?!\s+(?:only|just)\b)(?:\s+(?:be|been|a|an|any|the|intended|meant|designed|to|always))*\s*$"
)
_JA_DISCLAIM = re.compile(
    r"^[^,.;:!?、。]{0,10}?(?:ではありません|ではない|ではございません|わけではありません|わけではない|ものではありません"
    r"|(?:の代わり|代わり)?にはなりません|にはならない"
    r"|ものではない|ことはありません|ことはない|とは限りません|とは限らない|を保証するものでは|を約束するものでは)"
)
# What stops a negator's reach in the original text: a line break, a sentence end.
_BREAK = re.compile(r"[\n\r\u2028\u2029。．！？!?]|\.\s")

_QUOTES_OPEN = "\"'“‘「『＂"
_QUOTES_CLOSE = "\"'”’」』＂"
# Quoted and talked about: “保本”这类宣传, 「必ず儲かる」といった勧誘, so-called "guaranteed" returns.
_MENTION_AFTER = re.compile(
    r"^[\"'”’」』＂]?\s*(?:这类|这种|之类|这样的|等|的说法|的宣传|的话术|这回事|字样|一词|等字眼|等说法|的表述|的表达"
    r"|这些|那些|这样|之说|的问题|这个问题|的字眼|的词|并无|没有(?:科学)?依据|无科学依据|是谣言|是假的|不靠谱"
    r"|(?:视频|广告|文章|帖子|链接|图片|海报)?(?:不是|并非|并不是)(?:我们|我司|本店|本公司|官方)"
    r"|といった|などの|などと|という(?:言葉|表現|宣伝|勧誘|広告|ご質問|質問|お問い合わせ)|のような(?:表現|広告|宣伝)"
    r"|との(?:ご質問|質問|お問い合わせ|ご相談)|と(?:聞かれ|よく聞かれ|質問|お問い合わせ)|は(?:ありません|ない|言えません|できません)"
    r"|claims?\b|promises?\b|pitch(?:es)?\b|language\b|wording\b|hype\b|is a myth|isn't true|is not true|are myths"
    r"|is false|are false|is wrong|is simply wrong)",
    re.IGNORECASE,
)
_MENTION_BEFORE = re.compile(
    r"(?:关于|所谓|这里的|这里说的|所说的|说的|不讲|不说|不用|警惕|谨防|小心|看到(?:的)?(?:那个|那条|这个|这条|那些|这些)?|别信|不信|不要相信|いわゆる|so-called|beware of|watch out for"
    r"|avoid|be wary of)\s*[\"'“‘「『＂]?$",
    re.IGNORECASE,
)
# Someone else's claim or a question, reported: 有客户问“…”, 商家宣称…, claims that…
_REPORTED = re.compile(
    r"(?:问|问过|问我|问我们|询问|咨询|宣称|声称|号称|鼓吹|吹嘘|标榜|所谓|谣传|传言|流传|网上说|有人说|跟您说|跟你说"
    r"|对您说|对你说|告诉您|告诉你|聞かれ|質問|と言われ|と勧め|と宣伝"
    r"|ask(?:s|ed)?(?: us| me)?(?: if| whether)?|claims? that|claiming|promis(?:e|es|ed|ing)(?: you| to)?"
    r"|advertis(?:e|es|ing) that|tells? you|told you)",
    re.IGNORECASE,
)
# The reported claim rejected in the same sentence: 是违法的, 都是骗局, ご注意, red flag.
_REJECTED = re.compile(
    r"违法|违规|违反|骗局|骗人|诈骗|噱头|套路|陷阱|虚假|不实|误导|不可信|别信|勿信|轻信|不会出现|不会用|不使用|不用这|禁用|禁止"
    r"|答案是不|并不存在|不存在|是假的|谣言|无科学依据|没有科学依据|没有依据|并无依据|拉黑"
    r"|違法|違反|禁止|詐欺|誤解|誤り|使いません|使用しません|ご注意|注意して|ありません|できません"
    r"|illegal|unlawful|scam|fraud|red flag|misleading|deceptive|banned|prohibited|never use|don't use|walk away",
    re.IGNORECASE,
)
# A question someone asked, reported: the claim in it is theirs, asked, not made.
_ASKED = re.compile(r"(?:问|询问|咨询|問い合わせ|質問|聞かれ|asks?\b|asked\b|wonder(?:s|ed)?\b)(?:[^,.;!?。！？]{0,12}?)"
                    r"(?:能不能|可不可以|是不是|会不会|有没有|whether|if)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
_WINDOW = 12
_QUOTE_REACH = 24  # how far a quote may open before a hit (a quoted question is short)


def negated(text: str, start: int, end: int, fam: str) -> bool:
    """Whether a negator governs the hit text[start:end] (normalised text)."""
    return negator(text, start, end, fam) is not None


def negator(text: str, start: int, end: int, fam: str, *, disclaim_only: bool = False) -> tuple[int, int] | None:
    """The span (normalised text) between the negator governing the hit and the hit, or None;
    with `disclaim_only` only an explicit disclaimer counts."""
    if fam == "ja":
        after = text[end:end + 20]
        m = (_JA_DISCLAIM if disclaim_only else _JA_NEG).match(after)
        return (end, end + m.end()) if m else None
    before = _clause_before(text, start)
    if fam == "zh":
        if disclaim_only:
            m = _ZH_DISCLAIM.search(before)
        else:
            m = _ZH_NEG.search(before)
            if m and _ZH_NOT_NEG.search(before):
                return None
    else:
        tail = before[-40:]
        m = (_EN_DISCLAIM if disclaim_only else _EN_NEG).search(tail)
        before = tail
    return (start - len(before) + m.start(), start) if m else None


def disclaimed(text: str, start: int, end: int, fam: str) -> tuple[int, int] | None:
    """negator() limited to explicit disclaimers (a rule's pattern hit is excused by these)."""
    return negator(text, start, end, fam, disclaim_only=True)


def crosses_break(original: str, start: int, end: int) -> bool:
    """Whether original[start:end] holds a line break, a sentence end or an emoji: a negator's
    reach stops there."""
    gap = original[start:end]
    if not gap:
        return False
    if _BREAK.search(gap):
        return True
    return any(ord(c) > 0xFFFF or unicodedata.category(c) == "So" for c in gap)


def mentioned(text: str, start: int, end: int) -> bool:
    """Whether the hit text[start:end] is quoted and talked about rather than claimed (read on the
    original text: normalisation joins quotes between CJK characters)."""
    before = text[max(0, start - _WINDOW):start]
    after = text[end:end + _WINDOW]
    last, first = before.rstrip()[-1:], after.lstrip()[:1]  # "" at the text's edges: no quote
    quoted_before = bool(last) and last in _QUOTES_OPEN
    quoted_after = bool(first) and first in _QUOTES_CLOSE
    if quoted_before or quoted_after:
        if _MENTION_AFTER.match(after) or _MENTION_BEFORE.search(before):
            return True
    elif _MENTION_BEFORE.search(before) and _MENTION_AFTER.match(after):
        return True
    quote = _quoted_span(text, start, end)
    if quote is not None and _quote_is_mention(text, *quote):
        return True
    return _reported_and_rejected(text, start, end)


def _quoted_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The (open, close) offsets of the quote holding the hit, when it lies inside one quote of
    the same sentence."""
    lo = max(0, start - _QUOTE_REACH)
    opened = None
    for i in range(start - 1, lo - 1, -1):
        c = text[i]
        if c in _QUOTES_CLOSE and c not in _QUOTES_OPEN:
            return None  # a quote closed before the hit: the hit is outside it
        if c in _QUOTES_OPEN:
            opened = i
            break
        if c in "。！？\n":
            return None
    if opened is None:
        return None
    closer = {"“": "”", "‘": "’", "「": "」", "『": "』"}.get(text[opened], text[opened])
    close = text.find(closer, end, end + _QUOTE_REACH)
    if close < 0 or any(c in "。\n" for c in text[end:close]):
        return None
    return opened, close


def _quote_is_mention(text: str, opened: int, close: int) -> bool:
    """A quote is a mention when it asks (ends in a question), is followed by words that talk
    about it or reject it, stands beside another quote (a list of words), or is someone's
    reported claim rejected in the same sentence."""
    inner = text[opened + 1:close].rstrip()
    if inner[-1:] in ("?", "？", "吗", "か", "么", "呢"):
        return True
    after = text[close + 1:close + 1 + _WINDOW]
    before = text[max(0, opened - _WINDOW):opened]
    if _MENTION_AFTER.match(after) or _MENTION_BEFORE.search(before):
        return True
    # Two quotes side by side (“最好用”“第一品牌”, 「最安」「No.1」): a list of words named.
    nxt, prev = after.lstrip(" 、,，和与及や/")[:1], before.rstrip(" 、,，和与及や/")[-1:]
    if (nxt and nxt in _QUOTES_OPEN) or (prev and prev in _QUOTES_CLOSE):
        return True
    return bool(_REPORTED.search(_sentence_before(text, opened))) and bool(_REJECTED.search(_sentence_after(text, close + 1)))


def _reported_and_rejected(text: str, start: int, end: int) -> bool:
    """Someone else's claim reported and rejected in one sentence (商家宣称能治愈糖尿病是违法的,
    claims that a pill can cure cancer are illegal), or a customer's question reported
    (customers ask whether it can cure insomnia; 有人问吃这个能不能降血压？)."""
    before = _sentence_before(text, start)
    if _ASKED.search(before):
        return True
    if _REPORTED.search(before) is None:
        return False
    return _REJECTED.search(_sentence_after(text, end)) is not None


def _sentence_before(text: str, start: int) -> str:
    window = text[max(0, start - 40):start]
    cut = None
    for m in _SENTENCE_END.finditer(window):
        cut = m.end()
    return window[cut:] if cut is not None else window


def _sentence_after(text: str, end: int) -> str:
    window = text[end:end + 40]
    m = _SENTENCE_END.search(window)
    return window[:m.start()] if m else window


def _clause_before(text: str, start: int) -> str:
    """The text before start back to the clause's start (at most 40 characters)."""
    window = text[max(0, start - 40):start]
    cut = None
    for m in _CLAUSE.finditer(window):
        cut = m.end()
    return window[cut:] if cut is not None else window
