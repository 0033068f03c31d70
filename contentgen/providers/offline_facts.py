"""What the offline writer may say: the brief's facts, and nothing it would have to invent.

Everything a draft states about the product comes from here: the product, the operator's selling
points and offer, an interest that fits the product, the salesperson's own interests and
specialties, and — inside a plan — the touchpoint's kind and deadline. With no selling point the
writer only says what the product is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contentgen.kernel.disclosures import default_disclosures, has_statement
from contentgen.kernel.schemas import Brief
from contentgen.plan_templates import DEADLINE_KINDS, SELLING_KINDS, parse_touchpoint_note
from contentgen.providers.offline_rewrite import sentences

BANK_DIR = Path(__file__).with_name("offline_bank")
# Channels read by many people at once: no 你 to one person, no 1:1 wording, no sender intro.
BROADCAST = frozenset({"group", "moments", "official_account", "video_account"})
# Industries where a dedicated, one-to-one service is part of what high-value customers buy.
SERVICE_INDUSTRIES = frozenset({"finance", "health", "cosmetics", "education", "manufacturing"})
_PREVIOUS_PREFIX = re.compile(r"^day \d+ \([a-z_0-9]+\):\s*")
_DATED = re.compile(
    r"\d{1,2}\s*/\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|截止|截至|之前|前有效|まで|期限|"
    r"\b(until|through|thru|ends?|expires?|by)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|\d)",
    re.I)
_SERVICE_WORDS = ("服务", "维保", "保养", "维修", "检修", "巡检", "安装调试", "保守", "点検", "修理", "メンテナンス",
                  "service", "maintenance", "repair", "installation", "inspection plan", "support plan")
_CHILD_WORDS = ("少儿", "儿童", "幼儿", "孩子", "宝宝", "小学", "初中", "青少年", "亲子", "家长",
                "キッズ", "子ども", "子供", "こども", "小学生", "中学生", "幼児", "保護者", "親子",
                "kids", "kid's", "children", "child", "teen", "toddler", "parent", "grade ", "k-12")


@cache
def interest_kinds() -> dict[str, Any]:
    data = yaml.safe_load((BANK_DIR / "interests.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), "offline_bank/interests.yaml is not a mapping"
    return data


def interest_kind(interest: str) -> str | None:
    """The kind of an interest (sports, reading...) by its words in any locale, or None."""
    low = interest.casefold()
    for kind, spec in interest_kinds().items():
        if any(w.casefold() in low for w in spec["words"]):
            return str(kind)
    return None


def product_type(brief: Brief) -> str | None:
    """The brief's product type, else the one the compliance filter would infer from the product's
    name and selling points (a "Savings Account" is a deposit: no investment risk warning)."""
    if brief.product_type is not None or brief.industry not in ("finance", "health"):
        return brief.product_type
    from contentgen.compliance.normalize import normalize
    from contentgen.compliance.product_type import infer_product_type
    from contentgen.kernel.config import Settings

    fam = brief.locale.split("-")[0]
    text = normalize(" ".join([brief.product, *brief.selling_points]), fam).text
    return infer_product_type(text, brief.locale, brief.industry, Settings.load().rules_dir)


def statement_keys(brief: Brief, kind: str | None = None) -> list[str]:
    """The disclosures-library keys this brief's drafts carry (rules/disclosures.yaml); `kind` is the
    brief's product type when the caller has it already ("" for none)."""
    keys: list[str] = []
    kind = product_type(brief) if kind is None else (kind or None)
    if brief.industry == "finance" and kind not in ("deposit", "insurance", "loan"):
        keys.append("risk_warning.investment")
    if brief.industry == "health":
        key = {"drug": "drug.statement", "medical_device": "medical_device.statement"}.get(kind or "", "health_food.statement")
        # A ja 機能性表示食品 owes its own statement (食品表示基準), word for word.
        if key == "health_food.statement" and brief.locale == "ja-JP" and "機能性表示食品" in " ".join(
                [brief.product, *brief.selling_points]):
            key = "functional_food.statement"
        keys.append(key)
    if brief.industry == "finance" and brief.locale == "zh-CN" and "基准" in " ".join(brief.selling_points):
        keys.append("risk_warning.benchmark")  # a benchmark shown owes its own caveat
    return keys


def _shorter(text: str, key: str, locale: str, limit: int) -> str:
    """A shorter wording the library accepts, for an SMS: the last sentence, else a complete accepted
    one; "" for a statement the law wants whole (a DSHEA disclaimer is given whole or not at all:
    without a structure/function claim none is owed, and a rule that finds one asks for the whole)."""
    lib = default_disclosures()
    if lib.whole(key, locale):
        return ""
    last = sentences(text)[-1].strip()
    if has_statement(last, key, locale, lib) and len(last) <= limit:
        return last
    end = "." if locale == "en-US" else "。"
    # Whole sentences only, and as written in the locale (no half-width commas in zh/ja).
    whole = [w for w in lib.accepted(key, locale)
             if w.endswith(("ません", "ます", "慎", "险", "物")) and (locale == "en-US" or "," not in w)]
    fits = sorted((w for w in whole if len(w) + 1 <= limit), key=len)
    return fits[-1] + end if fits else last


def _date_words(d: date, locale: str) -> str:
    if locale == "en-US":
        return f"{d:%B} {d.day}"
    return f"{d.month}月{d.day}日"


@dataclass
class Facts:
    """The brief, read once: facts, audience and the plan context of one draft."""

    brief: Brief
    points: list[str] = field(default_factory=list)
    interest: str | None = None  # an interest of the customer that fits the product
    interest_kind: str | None = None
    any_interest: str | None = None  # the customer's first interest, fitting or not (check-ins)
    kind: str | None = None  # the plan touchpoint kind, None outside a plan
    deadline: str | None = None
    previous: list[str] = field(default_factory=list)  # sentences earlier touchpoints said
    product_kind: str = ""  # the brief's product type, given or inferred once ("" when unknown)

    @property
    def offer_dated(self) -> bool:
        """Whether the operator's offer names its own end date ("（12/21まで）", "through Sunday"): then
        the plan's deadline is not said a second time."""
        return bool(self.brief.offer and _DATED.search(self.brief.offer))

    @property
    def for_children(self) -> bool:
        """A course or product for children, by the brief's own words (少儿编程, キッズ英会話, kids' camp)."""
        text = " ".join([self.brief.product, *self.brief.selling_points, *self.brief.interests]).casefold()
        return any(w in text for w in _CHILD_WORDS)

    @property
    def writing_kind(self) -> str:
        """What the phrase bank narrows by first: the product type, else "children" for a child's
        course (its parents are addressed), "service" for a manufacturer's service contract, else ""."""
        if self.product_kind:
            return self.product_kind
        if self.brief.industry == "education" and self.for_children:
            return "children"
        text = " ".join([self.brief.product, *self.brief.selling_points]).casefold()
        if self.brief.industry == "manufacturing" and any(w in text for w in _SERVICE_WORDS):
            return "service"  # a maintenance contract is not sold by its thickness and lead time
        return ""

    @classmethod
    def of(cls, brief: Brief) -> Facts:
        points = [p.strip().rstrip("。.!！;；") for p in brief.selling_points if p.strip()]
        facts = cls(brief=brief, points=[p for p in points if p], product_kind=product_type(brief) or "")
        for raw in brief.interests:
            kind = interest_kind(raw)
            if facts.any_interest is None:
                facts.any_interest = raw
            if kind and brief.industry in interest_kinds()[kind]["fits"]:
                facts.interest, facts.interest_kind = raw, kind
                break
        kind, deadline = parse_touchpoint_note(brief.notes)
        facts.kind = kind
        if deadline and kind in DEADLINE_KINDS:
            facts.deadline = _date_words(deadline, brief.locale)
        for message in brief.previous_messages:
            facts.previous += [_bare(s) for s in sentences(_PREVIOUS_PREFIX.sub("", message)) if _bare(s)]
        return facts

    # -- who is spoken to ----------------------------------------------------------------
    @property
    def broadcast(self) -> bool:
        return self.brief.channel in BROADCAST

    @property
    def personal(self) -> bool:
        """A message from the salesperson to one customer: their name and voice."""
        return self.brief.channel == "wecom_1v1"

    @property
    def audience(self) -> str:
        return "many" if self.broadcast else "one"

    # -- what may be said ----------------------------------------------------------------
    @property
    def sells(self) -> bool:
        """Whether this draft may carry the offer and a buying call to action."""
        return self.kind is None or self.kind in SELLING_KINDS

    @property
    def offer(self) -> str | None:
        return self.brief.offer if self.sells and self.brief.offer else None

    @property
    def exclusive_fits(self) -> bool:
        """Exclusivity (a dedicated advisor, one-to-one time) only for high-value service industries."""
        return self.brief.value_tier == "high_value" and self.brief.industry in SERVICE_INDUSTRIES

    def point(self, i: int) -> str | None:
        return self.points[i] if i < len(self.points) else None

    def statements(self, limit: int | None = None) -> list[str]:
        """Required statements from the disclosures library; the last sentence when the whole does not fit."""
        lib = default_disclosures()
        out = []
        for key in statement_keys(self.brief, self.product_kind):
            text = lib.text(key, self.brief.locale)
            if not text:
                continue
            if limit is not None and lib.optional(key, self.brief.locale):
                continue  # good practice, owed by no statute: a short channel's room goes to the offer
            if limit is not None and len(text) > limit:
                text = _shorter(text, key, self.brief.locale, limit)
            if text:
                out.append(text)
        return out

    def opt_out(self) -> str:
        return default_disclosures().text("opt_out.sms", self.brief.locale) or ""

    def said_before(self, text: str) -> bool:
        """Whether an earlier touchpoint of the plan already said one of these sentences (8+ chars)."""
        if not self.previous:
            return False
        return any(len(_bare(s)) >= 8 and _bare(s) in self.previous for s in sentences(text))

    def said_in(self, phrases: list[str]) -> int:
        """In how many earlier touchpoints one of these phrases appears."""
        low = [p.casefold() for p in phrases]
        return sum(any(p in m.casefold() for p in low) for m in self.brief.previous_messages)


def _bare(sentence: str) -> str:
    """A sentence without the heading marks and bullets around it, as a reader sees it."""
    return sentence.strip().lstrip("#·-・ ").strip()
