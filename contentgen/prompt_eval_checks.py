"""The automatic checks of `prompts eval`: what every draft of a prompt must get right, scored per draft.

Each check answers True (pass), False (fail, with a reason) or None (does not apply: no offer in
the brief, no form of address in English). Wording lists are per locale and deliberately short:
they catch the habits a marketing lead flags (invented praise, scarcity, price talk to wealthy
customers, luxury talk to price-sensitive ones), not every possible phrasing.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field
from functools import cache

from pydantic import BaseModel

from contentgen.kernel.disclosures import default_disclosures
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import (
    Brief,
    CopyContent,
    PushContent,
    VideoScriptContent,
    channel_problems,
    content_text,
)

CHECKS = ("schema", "compliance", "channel_limits", "product", "offer", "grounded", "repetition",
          "segment", "address")
CHECK_HELP = {
    "schema": "the first answer is a valid object of the output schema (no repair round trip)",
    "compliance": "contentgen's own rule packs find no error (verdict pass or warn)",
    "channel_limits": "every field within the channel's limits for the locale",
    "product": "the product is named",
    "offer": "the brief's offer is stated (n/a without one)",
    "grounded": "no claim beyond the brief's facts (praise, popularity, scarcity, superlatives, figures)",
    "repetition": "no sentence of 8+ characters said twice in one draft",
    "segment": "no price push to high-value, no luxury to price-sensitive customers",
    "address": "one form of address (zh 您/你; ja です・ます vs plain form); n/a in en-US",
}
JACCARD_TARGET = 0.25  # mean pairwise character-4-gram Jaccard between the variants of one brief
PASS_TARGET = 0.95

# Claims a draft may only make when the brief says so: testimonials, popularity, scarcity,
# superlatives, guarantees, cures. A match that occurs in the brief's own facts is not invented.
_INVENTED = {
    "zh-CN": r"用过的[朋友人]*都说|好评|口碑|热销|爆款|销量|回头客|名额有限|限量|仅剩|全网|第一|最[好低优佳强棒全]"
             r"|顶级|权威|专家推荐|医生推荐|明星同款|网红|根治|治愈|药到病除|保本|稳赚|零风险|无风险"
             r"|立竿见影|配料干净|吃得放心|纯天然|无添加|百分百",
    "ja-JP": r"お客様の声|大好評|人気|売れ|ランキング|限定数|残りわずか|先着|ナンバーワン|No\.?\s?1|日本一"
             r"|業界初|最高|最安|最強|完治|治る|元本保証|医師推奨|専門家推奨|無添加|天然由来|絶対",
    "en-US": r"customers love|best[- ]?sell|\bpopular\b|top[- ]rated|rave reviews|limited spots|only \d+ left"
             r"|selling fast|#1\b|number one|\bthe best\b|guarantee|clinically|\bproven\b|\bcures?\b"
             r"|doctor[- ]recommended|all[- ]natural|risk[- ]free|award[- ]winning|world[- ]class",
}
# A figure with a unit is a specific claim ("3天见效", "20% more"): it must come from the brief.
_FIGURE = re.compile(r"[$¥￥]\s?\d+(?:[.,]\d+)*|\d+(?:[.,]\d+)*\s?(?:%|％|折|倍|天|日間|周|週間|个月|ヶ月|か月|年|小时|時間"
                     r"|分钟|分間|元|块|万|円|ドル|days?\b|weeks?\b|months?\b|years?\b|hours?\b|minutes?\b|x\b)")
_PRICE_PUSH = {
    "zh-CN": r"划算|优惠|领券|券|便宜|低价|特价|折扣|打折|省钱|秒杀|清仓|白菜价",
    "ja-JP": r"お得|クーポン|割引|格安|激安|最安|セール|値引き|安い",
    "en-US": r"coupon|\bdeals?\b|discount|cheap|bargain|\bsave\b|lowest price|\bsale\b|clearance",
}
_LUXURY = {
    "zh-CN": r"奢|高端|尊贵|尊享|顶奢|私享|臻选|名流",
    "ja-JP": r"贅沢|高級|プレミアム|ラグジュアリー|セレブ",
    "en-US": r"luxury|premium|exclusive|members-only|\belite\b|prestige|high-end",
}
_ZH_INFORMAL = re.compile(r"你(?!们)")
_JA_POLITE = re.compile(r"です|ます|ません|ください")
_JA_PLAIN = re.compile(r"(?<![まで])した[。！]|(?<![なん])だ[。！]|である[。！]|(?<![まさ])する[。！]|だろう[。！]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.;])\s+|\n+")
_PUNCT = re.compile(r"[\s\W_]+", re.U)

# What "at least as good" means when a candidate is promoted (contentgen.usecases.prompt_promotion).
AS_GOOD = ("every check's pass rate >= the production version's (minus 0) and mean variant "
           "Jaccard <= production's, on the latest runs of both on the same model and eval briefs")


@dataclass
class Score:
    """One draft's checks: name → True / False / None (n/a), and why each failure failed."""

    checks: dict[str, bool | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, ok: bool | None, why: str = "") -> None:
        self.checks[name] = ok
        if ok is False:
            self.problems[name] = why or CHECK_HELP[name]


def failed_all(reason: str) -> Score:
    """A brief variant with no draft at all fails every check: a missing draft cannot pass one."""
    score = Score()
    for name in CHECKS:
        score.set(name, False, reason)
    return score


def _norm(text: str) -> str:
    return _PUNCT.sub("", text.casefold())


def facts_text(brief: Brief, allowed: list[str] | tuple[str, ...] = ()) -> str:
    """Everything the brief states: what a draft may repeat as a claim."""
    parts = [brief.product, brief.offer or "", brief.notes or "", brief.brand_voice or "", brief.brand or "",
             *brief.selling_points, *brief.specialty_products, *allowed]
    return "\n".join(p for p in parts if p)


@cache
def statements(locale: str) -> tuple[str, ...]:
    """Required statements of the disclosures library in this locale, longest first."""
    lib = default_disclosures()
    found = {w for key in lib.statements for w in lib.accepted(key, locale) if w}
    found |= {t for key in lib.statements if (t := lib.text(key, locale))}
    return tuple(sorted(found, key=len, reverse=True))


def without_statements(text: str, locale: str) -> str:
    """The text with required statements taken out: identical by law, they are nobody's claim."""
    for s in statements(locale):
        text = text.replace(s, "\n")
    return text


def spoken_text(content: BaseModel) -> str:
    """What a reader reads or a viewer hears once: body, or the voice-over (the hook repeats scene 1)."""
    if isinstance(content, VideoScriptContent):
        return "\n".join(s.voice_over for s in content.scenes if s.voice_over)
    if isinstance(content, CopyContent | PushContent):
        return content.body
    return content_text(content)


def invented_claims(text: str, brief: Brief, allowed: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Claim words and figures in the text that the brief's facts do not contain."""
    facts = facts_text(brief, allowed).casefold()
    body = without_statements(text, brief.locale)
    found = [m.group(0) for m in re.finditer(_INVENTED[brief.locale], body, re.I)]
    found += [m.group(0) for m in _FIGURE.finditer(body)]
    return sorted({f for f in found if f.casefold().strip() not in facts})


def repeated_sentences(text: str) -> list[str]:
    seen: set[str] = set()
    again: list[str] = []
    for raw in _SENTENCE_END.split(text):
        key = _norm(raw or "")
        if len(key) >= 8:
            if key in seen:
                again.append((raw or "").strip())
            seen.add(key)
    return again


def address_mix(text: str, locale: str) -> bool | None:
    """True when the draft mixes forms of address; None where the locale has one form."""
    if locale == "zh-CN":
        return bool(_ZH_INFORMAL.search(text)) and "您" in text
    if locale == "ja-JP":
        return bool(_JA_POLITE.search(text)) and bool(_JA_PLAIN.search(text))
    return None


def score(brief: Brief, content: BaseModel, report: ComplianceReport, *, schema_ok: bool,
          allowed_claims: list[str] | tuple[str, ...] = ()) -> Score:
    """Every automatic check of one draft."""
    s = Score()
    text = content_text(content)
    loc = brief.locale
    s.set("schema", schema_ok, "the first answer did not fit the schema; a repair round trip was needed")
    errors = [f.rule for f in report.findings if f.severity == "error"]
    s.set("compliance", report.verdict != "block", "blocked by " + ", ".join(sorted(set(errors))[:5]))
    problems = channel_problems(content, brief.channel, loc)
    s.set("channel_limits", not problems, "; ".join(problems))
    s.set("product", _norm(brief.product) in _norm(text), f"{brief.product!r} is not named")
    if brief.offer:
        s.set("offer", _norm(brief.offer) in _norm(text), f"the offer {brief.offer!r} is missing")
    else:
        s.set("offer", None)
    invented = invented_claims(text, brief, allowed_claims)
    s.set("grounded", not invented, "not in the brief: " + ", ".join(invented[:6]))
    again = repeated_sentences(spoken_text(content))
    s.set("repetition", not again, "said twice: " + " | ".join(again[:3]))
    bad = ""
    plain = without_statements(text, loc)
    if brief.value_tier == "high_value":
        hits = re.findall(_PRICE_PUSH[loc], plain.replace(brief.offer or "\0", ""), re.I)
        bad = f"price push to a high-value segment: {', '.join(sorted(set(hits)))}" if hits else ""
    elif brief.value_tier == "price_sensitive":
        hits = re.findall(_LUXURY[loc], plain, re.I)
        bad = f"luxury wording to a price-sensitive segment: {', '.join(sorted(set(hits)))}" if hits else ""
    s.set("segment", not bad, bad)
    mixed = address_mix(text, loc)
    s.set("address", None if mixed is None else not mixed,
          "您 and 你 in one draft" if loc == "zh-CN" else "です・ます mixed with plain form")
    return s


def _grams(text: str) -> set[str]:
    return {text[i:i + 4] for i in range(len(text) - 3)}


def jaccard(a: str, b: str) -> float:
    """Character-4-gram Jaccard similarity of two texts (0 = nothing shared, 1 = the same)."""
    x, y = _grams(a), _grams(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def distinctness(texts: list[str], locale: str) -> float | None:
    """Mean pairwise 4-gram Jaccard of one brief's variants, required statements left out."""
    bare = [without_statements(t, locale) for t in texts]
    pairs = [jaccard(a, b) for a, b in itertools.combinations(bare, 2)]
    return statistics.mean(pairs) if pairs else None
