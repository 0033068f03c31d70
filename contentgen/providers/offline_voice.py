"""Whose voice a draft is in, and to whom: address form, sender name, emoji, punctuation per locale.

One draft, one form of address: 您 or 你 (zh), です/ます throughout (ja), "you" (en); a broadcast
(group, moments, official account, video) speaks to 大家 / 皆さま and never to one person; a 1:1
message is signed with the salesperson's name (the persona's display name in
prompts/personas.yaml: the brief has no sender field).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contentgen.providers.offline_facts import Facts

_CJK = "\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e"
# ASCII punctuation right after a CJK character reads as a typo in zh/ja: make it full-width.
_HALF_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])\s*([,!?:;])(?!\d)")
_FULL = {",": "，", "!": "！", "?": "？", ":": "：", ";": "；"}
_ENDS = "。！？!?.…」』\")：:，,"  # a phrase ending in one of these is left as written
_EMOJI_CHANNELS = frozenset({"wecom_1v1", "group", "moments"})
_GSM = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "})


@cache
def _display_names(prompts_dir: str) -> dict[str, dict[str, str]]:
    path = Path(prompts_dir) / "personas.yaml"
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    out: dict[str, dict[str, str]] = {}
    for pid, spec in (data or {}).items():
        names = spec.get("display_name") if isinstance(spec, dict) else None
        if isinstance(names, dict):
            out[str(pid)] = {str(k): str(v) for k, v in names.items()}
    return out


def display_name(persona: str, locale: str, fallback: str) -> str:
    """The salesperson's name for a persona and locale (prompts/personas.yaml display_name)."""
    from contentgen.kernel.config import Settings

    names = _display_names(str(Settings.load().prompts_dir)).get(persona, {})
    return names.get(locale) or fallback


class Voice:
    """The persona's voice on one channel in one locale."""

    def __init__(self, facts: Facts, bank: dict[str, Any]):
        b = facts.brief
        self.facts, self.bank, self.locale = facts, bank, b.locale
        self.sep: str = bank["sep"]
        address = bank["address"]
        self.you: str = address["many"] if facts.broadcast else address[b.persona]
        self.name = display_name(b.persona, b.locale, bank["names"][b.persona])
        self.role: str = bank["roles"].get(b.industry, bank["roles"]["*"])
        self.emoji_ok = (b.persona == "approachable" and b.channel in _EMOJI_CHANNELS
                         and b.locale != "en-US" and b.industry not in ("finance", "health"))

    @property
    def en(self) -> bool:
        return self.locale == "en-US"

    def sentence(self, text: str) -> str:
        """One sentence as the locale writes it: capitalised in English, ending in punctuation."""
        text = text.strip()
        if not text:
            return ""
        if self.en and text[0].isalpha():
            text = text[0].upper() + text[1:]
        if text[-1] not in _ENDS and not text.endswith("#ad"):
            text += "." if self.en else "。"
        return text

    def join(self, parts: list[str]) -> str:
        return self.sep.join(p for p in (self.sentence(p) for p in parts) if p)

    def finish(self, text: str) -> str:
        """Punctuation and spacing checked once over a whole field."""
        if self.en:
            text = re.sub(r"([.!?])(?=[A-Z])", r"\1 ", text)  # "here!A tip" → "here! A tip"
            # A selling point written lower-case starts a sentence: "Fruit box. Picked Friday."
            text = re.sub(r"(?<=[a-z0-9)][.!?] )([a-z])", lambda m: m.group(1).upper(), text)
            text = re.sub(r"[ \t]{2,}", " ", text)
            text = re.sub(r"\n[ \t]+", "\n", text)  # a label on its own line: the next one starts clean
            text = re.sub(r" +([,.!?;:])", r"\1", text)
            if self.facts.brief.persona == "professional":
                text = text.replace("!", ".")  # a specialist advisor does not exclaim
            if self.facts.brief.channel == "sms":  # GSM-7 only: one curly quote makes it UCS-2, 3x the segments
                text = text.translate(_GSM)
            text = text.strip()
            text = text[:1].upper() + text[1:]  # every field starts as a sentence or a label does
        else:
            text = _HALF_AFTER_CJK.sub(lambda m: _FULL[m.group(1)], text)
            text = re.sub(rf"(?<=[{_CJK}]) +(?=[{_CJK}])", "", text)
            text = text.replace("。。", "。").replace("？。", "？").replace("！。", "！")
        return text.strip()

    def sms_sender(self, body: str) -> str:
        """An SMS opens with the sender's name when the brief gives one (zh/ja 【…】, en "…: ",
        or "[…] " before a first sentence with a colon of its own)."""
        b = self.facts.brief
        if b.channel != "sms" or not b.brand:
            return ""
        first = re.split(r"(?<=[.!?。！？])\s*", body, maxsplit=1)[0]
        key = "sms_sender_bracketed" if ":" in first and "sms_sender_bracketed" in self.bank else "sms_sender"
        return str(self.bank[key]).format(brand=b.brand)

    def sign_off(self) -> str:
        """The 1:1 signature: the salesperson's name (and role for the professional persona), and the
        brand the customer knows them by when the brief gives one."""
        b = self.facts.brief
        key = "professional" if b.persona == "professional" else "approachable"
        sign = str(self.bank["sign_off"][key]).format(name=self.name, role=self.role)
        if b.brand and b.brand not in sign:
            sign += f", {b.brand}" if self.en else f"｜{b.brand}"
        return sign


# English wording of the product and offer inside a sentence (the composer's {the_product},
# {product_mid}).
_DETERMINERS = ("the ", "our ", "your ", "a ", "an ", "my ", "this ", "these ", "those ")
# Words a title-case name leaves in lower case ("Club for Kids", "Bread and Butter").
_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"})


# A pack size or count at the end of a product name, and a bracketed note: "(12-pack)", "50g",
# "48個入", "（医薬部外品）", "20包". The first mention keeps them; later mentions, a voice-over and
# the hashtag do not ("Peanut Butter Protein Bars", not "...Bars (12-pack)" six times).
_BRACKETED = re.compile(r"\s*[（(【\[][^（）()【】\[\]]*[）)】\]]")
_SIZE = re.compile(r"[\s,，・/]*(?:\d+(?:[.,]\d+)?\s*(?:g|kg|mg|ml|mL|l|L|oz|fl\.? ?oz|lb|lbs|cm|mm|in|"
                   r"個入り?|個|包|袋|粒|片|支|瓶|本|枚|入り?|件套|件|盒|-?pack|-?count|pcs|ct)|x\s*\d+)\s*$", re.I)


def short_name(product: str) -> str:
    """The product without its pack size or bracketed note, as people say it; the name itself when
    nothing is left (a name that is only a size)."""
    short = _BRACKETED.sub("", product).strip()
    while (cut := _SIZE.sub("", short).strip()) != short:
        short = cut
    return short if len(short) >= 2 else product


def the_product(product: str, locale: str) -> str:
    """The product as the object of an English sentence: "our cast-iron Dutch oven" (a name in
    title case keeps its capitals: "our High-Yield Savings Account"); other locales need none."""
    if locale != "en-US" or product.casefold().startswith(_DETERMINERS):
        return product
    return "our " + mid_sentence(product)


def mid_sentence(phrase: str) -> str:
    """A phrase written as a sentence ("Free shipping this week", "Cast-iron Dutch oven") with its
    first letter lowered to stand inside one; a name in title case or an acronym keeps it."""
    words = phrase.split()
    first = words[0] if words else ""
    if len(first) < 2 or not first[0].isupper() or first[1:2].isupper() or any(c.isdigit() for c in first):
        return phrase  # "BOGO", "iPhone", "M8", a single letter: as written
    if len(words) > 1 and all(w[:1].isupper() for w in words if w[:1].isalpha() and w.casefold() not in _SMALL_WORDS):
        return phrase  # "High-Yield Savings Account", "Weekend Coding Club for Kids": a name
    return first[0].lower() + phrase[1:]



def listing(items: list[str], locale: str) -> str:
    """Selling points as one phrase: "A、B、C" (zh/ja; "，" when one has its own "、"), "A, B and C"."""
    items = [i.strip().rstrip("。.") for i in items if i.strip()]
    if locale != "en-US":
        sep = "，" if any("、" in i or "，" in i for i in items) else "、"
        return sep.join(items)
    # Each point its own short sentence, capitalised: "Makes 16 cups. Single-origin beans" (joining
    # them with "and" broke when one was a verb phrase and one a noun phrase).
    return ". ".join(i[:1].upper() + i[1:] for i in items)


def clip(text: str, limit: int) -> str:
    """Text cut to limit characters, marked with an ellipsis when cut; Latin text is cut between
    words ("Allergy Relief…", not "Allergy Relief (fexofenadine 1…")."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 1)]
    if " " in head and head[-1:].isascii() and text[len(head):len(head) + 1] not in (" ", ""):
        words = head.rsplit(" ", 1)[0]
        head = words if len(words) >= len(head) * 0.6 else head
    return head.rstrip(" ，、,(（-–—:;") + "…"


def product_tag(product: str, locale: str) -> str:
    """The product as a hashtag: "#氨基酸洁面乳", "#CastIronSkillet"; "" when it would be too long."""
    if locale == "en-US":
        words = re.findall(r"[A-Za-z0-9]+", product)
        tag = "".join(w if w[:1].isupper() or w[:1].isdigit() else w[:1].upper() + w[1:] for w in words)
    else:
        tag = re.sub(r"[\s#＃]+", "", product)
    return tag if 2 <= len(tag) <= (24 if locale == "en-US" else 14) and not tag[0].isdigit() else ""
