"""How the offline model writes: brief + phrase bank + variant → one content object.

Each variant takes a different angle (1: lifecycle story, 2: selling points first,
3: interest/question hook, then round again with other phrases), so variants of one brief
differ in structure, not just wording. Every text is fitted to the channel's limits with the
required elements (risk notice, health notice, SMS opt-out) kept and optional sentences dropped
first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from contentgen import vocab
from contentgen.disclosures import default_disclosures
from contentgen.schemas import (
    Brief,
    CopyContent,
    PushContent,
    Scene,
    SendWindow,
    VideoScriptContent,
)

BANK_DIR = Path(__file__).with_name("offline_bank")
_SENTENCE_END = "。！？!?.\n"


@cache
def bank(locale: str) -> dict[str, Any]:
    data = yaml.safe_load((BANK_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"phrase bank {locale} is not a mapping"
    return data


def clip(text: str, limit: int) -> str:
    """Text cut to limit characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def _limit(channel: str, field: str, locale: str, schema_max: int) -> int:
    limit = vocab.channel_limit(channel, field, locale)
    return schema_max if limit is None else min(schema_max, limit)


@dataclass
class Avoid:
    """Strings a compliance rewrite asked us to drop, each with an optional replacement."""

    items: list[tuple[str, str | None]] = field(default_factory=list)

    def hits(self, text: str) -> bool:
        return any(match and match in text for match, _ in self.items)

    def clean(self, text: str) -> str:
        for match, suggestion in self.items:
            if not match or match not in text:
                continue
            if suggestion and match not in suggestion:
                text = text.replace(match, suggestion)
            else:
                text = _drop_sentences(text, match)
        return text


def _drop_sentences(text: str, match: str) -> str:
    kept, current = [], ""
    for ch in text:
        current += ch
        if ch in _SENTENCE_END:
            kept.append(current)
            current = ""
    kept.append(current)
    return "".join(s for s in kept if match not in s).strip() or text.replace(match, "").strip()


@dataclass
class Part:
    text: str
    keep: bool = False  # required elements and the product mention are never dropped
    short: str | None = None  # a shorter stand-in when even the must-keep parts do not fit


class Composer:
    """One brief, one variant: picks phrases deterministically and fits them to the channel."""

    def __init__(self, brief: Brief, variant: int, seed: int, avoid: Avoid):
        self.brief, self.variant, self.seed, self.avoid = brief, max(1, variant), seed, avoid
        self.b = bank(brief.locale)
        self.angle = (self.variant - 1) % 3
        self.sep: str = self.b["sep"]
        self.emoji = brief.persona == "approachable" and brief.locale == "zh-CN"

    # -- choosing ---------------------------------------------------------------------------
    def pick(self, slot: str, options: list[str]) -> str:
        # The hash fixes a brief's starting phrase; the variant rotates from there, so
        # variants 1..n take different phrases and the same input always gives the same text.
        h = hashlib.sha256(f"{self.brief.key()}|{self.seed}|{slot}".encode()).digest()
        return options[(h[0] + self.variant - 1) % len(options)]

    def choose(self, slot: str, options: list[str], **extra: str) -> str:
        """The variant's phrase for slot, skipping phrases a rewrite asked us to avoid."""
        first = options.index(self.pick(slot, options))
        rotated = options[first:] + options[:first]
        for option in rotated:
            raw = option.format_map(self.values(**extra))
            if not self.avoid.hits(raw):
                return raw
        return self.fill(rotated[0], **extra)

    def fill(self, template: str, **extra: str) -> str:
        return self.avoid.clean(template.format_map(self.values(**extra)))

    def values(self, **extra: str) -> dict[str, str]:
        values: dict[str, str] = {
            "product": self.brief.product,
            "point": self.point(0),
            "point_short": clip(self.point(0), 16 if self.sep == "" else 40),
            "offer": self.brief.offer or "",
            "interest": self.interest() or "",
            "interest_or_product": self.interest() or str(self.b["everyday"]),
            **extra,
        }
        return values

    def points(self) -> list[str]:
        own = [p.rstrip("。.!！") for p in self.brief.selling_points if p.strip()]
        return own or list(self.b["industry_benefit"][self.brief.industry])

    def point(self, i: int) -> str:
        pts = self.points()
        return pts[(i + self.angle) % len(pts)]

    def interest(self) -> str | None:
        return self.brief.interests[0] if self.brief.interests else None

    # -- building blocks --------------------------------------------------------------------
    def greeting(self) -> str:
        g = self.pick("greeting", self.b["greeting"][self.brief.persona])
        return g + (self.pick("emoji", self.b["emoji"]) if self.emoji else "")

    def hook(self) -> str:
        if self.interest():
            return self.choose("interest", self.b["interest"])
        return ""

    def lifecycle_line(self) -> str:
        return self.choose("lifecycle", self.b["lifecycle"][self.brief.lifecycle])

    def tier_line(self) -> str:
        return self.choose("tier", self.b["tier"][self.brief.value_tier])

    def sentence(self, text: str) -> str:
        """Text as a sentence: capitalised in English, ending in punctuation."""
        text = text.strip()
        if not text:
            return text
        if self.sep:
            text = text[0].upper() + text[1:]
        return text if text[-1] in _SENTENCE_END + "」\"…" else text + ("." if self.sep else "。")

    def point_line(self, i: int) -> str:
        return self.sentence(self.choose(f"point{i}", self.b["point"], point=self.point(i)))

    def offer_line(self) -> str:
        return self.choose("offer", self.b["offer"]) if self.brief.offer else ""

    def cta(self) -> str:
        return clip(self.choose("cta", self.b["cta"][self.brief.value_tier]), 60)

    def required(self) -> str:
        return str(self.b["required"].get(self.brief.industry, ""))

    def product_line(self) -> str:
        """A short sentence that names the product, for when every other mention was dropped."""
        return self.fill(self.b["push_title"][self.angle]) + ("." if self.sep else "。")

    def body_parts(self, *, short: bool) -> list[Part]:
        """The sentences of a message in this variant's order; short drops the chit-chat."""
        life, tier, offer = self.lifecycle_line(), self.tier_line(), self.offer_line()
        pts = [self.point_line(i) for i in range(min(3, len(self.points())))]
        hook, product = self.hook(), self.product_line()
        if self.angle == 0:
            order = [Part(self.greeting()), Part(hook), Part(life, True, product), *map(Part, pts), Part(tier), Part(offer)]
        elif self.angle == 1:
            order = [Part(product, True), *map(Part, pts), Part(offer), Part(tier), Part(hook), Part(life)]
        else:
            order = [Part(hook), Part(life, True, product), Part(tier), Part(offer), *map(Part, pts[:2])]
        parts = [p for p in order if p.text]
        if short:
            parts = [p for p in parts if p.keep or p.text in pts[:1] or p.text == offer]
        if self.brief.product not in "".join(p.text for p in parts if p.keep):
            parts.insert(0, Part(self.product_line(), True))
        return parts

    def fit(self, parts: list[Part], limit: int, tail: list[str]) -> str:
        """Join parts + tail within limit: drop optional parts from the end, then clip."""
        tail = [t for t in tail if t]
        parts = list(parts)

        def joined() -> str:
            return self.sep.join([p.text for p in parts] + tail).strip()

        while len(joined()) > limit and any(not p.keep for p in parts):
            last_optional = max(i for i, p in enumerate(parts) if not p.keep)
            del parts[last_optional]
        if len(joined()) > limit:
            parts = [Part(p.short, True) if p.short else p for p in parts]
        text = joined()
        if len(text) > limit:  # only the must-keep parts are left: shorten them, keep the tail
            room = limit - len(self.sep.join(tail)) - len(self.sep)
            head = clip(self.sep.join(p.text for p in parts), max(1, room))
            text = self.sep.join([head, *tail]).strip()
        return text

    # -- content types ----------------------------------------------------------------------
    def push(self) -> PushContent:
        channel, locale = self.brief.channel, self.brief.locale
        title_limit = _limit(channel, "title", locale, 60)
        body_limit = _limit(channel, "body", locale, 1000)
        title = ""
        if title_limit:
            title = self.choose("push_title", self.b["push_title"])
            if len(title) > title_limit:
                title = clip(self.brief.product, title_limit)
        tail = [self.required()]
        if channel == "sms":
            tail.append(default_disclosures().text("opt_out.sms", self.brief.locale) or "")
        else:
            tail.insert(0, self.sentence(self.cta()))
        parts = self.body_parts(short=channel in ("sms", "app_push"))
        if channel == "group":
            parts.insert(0, Part(self.b["group_prefix"]))
        body = self.fit(parts, body_limit, tail)
        start, end = self.send_window()
        return PushContent(
            title=title,
            body=body,
            deeplink=None if channel == "sms" else f"app://campaign/{self.brief.key()}/v{self.variant}",
            send_window=SendWindow(start=start, end=end),
        )

    def send_window(self) -> tuple[str, str]:
        # Weekend/evening preferences move the window; otherwise a polite daytime slot.
        prefs = " ".join(self.brief.preferred_times).lower()
        if any(w in prefs for w in ("evening", "晚", "夜", "night")):
            return "19:00", "21:00"
        if any(w in prefs for w in ("morning", "早", "朝")):
            return "08:30", "10:00"
        return ("12:00", "13:30") if self.angle != 1 else ("10:00", "11:30")

    def copy(self) -> CopyContent:
        channel, locale = self.brief.channel, self.brief.locale
        headline_limit = _limit(channel, "headline", locale, 120)
        body_limit = _limit(channel, "body", locale, 20000)
        headline = self.choose("headline", self.b["headline"])
        if len(headline) > headline_limit:
            headline = clip(self.brief.product, headline_limit)
        if channel == "official_account":
            body = self.article()
        else:
            nl = "\n"
            parts = self.body_parts(short=False)
            body = self.fit(parts, body_limit - 2, [])
            body = body + nl + nl + self.sep.join(t for t in (self.sentence(self.cta()), self.required()) if t)
            body = body if len(body) <= body_limit else self.fit(parts, body_limit, [self.required()])
        tags = self.b["hashtags"][self.brief.industry]
        hashtags = [clip(self.avoid.clean(t), 30) for t in tags[self.angle :] + tags[: self.angle]]
        images = {"moments": 1 + self.angle * 2, "official_account": 1}.get(channel, 0)
        return CopyContent(
            headline=headline, body=body, cta=self.cta(), hashtags=[h for h in hashtags if h], images=images
        )

    def article(self) -> str:
        """Official-account article: short sections under headings, risk notice at the end."""
        b, nl = self.b, "\n"
        sections = b["article_sections"]
        pts = self.points()
        bullet = [b["list_bullet"] + self.avoid.clean(p) for p in pts]
        blocks = [
            self.sep.join(t for t in (self.greeting(), self.hook(), self.lifecycle_line()) if t),
            f"## {sections[0]}" + nl + self.sep.join(t for t in (self.tier_line(), self.point_line(0)) if t),
            f"## {sections[1]}" + nl + nl.join(bullet),
            f"## {sections[2]}" + nl + self.sep.join(t for t in (self.offer_line(), self.sentence(self.cta())) if t),
        ]
        if self.angle == 1:
            blocks[1], blocks[2] = blocks[2], blocks[1]
        if self.required():
            blocks.append(self.required())
        return (nl + nl).join(blocks)

    def video(self) -> VideoScriptContent:
        v = self.b["video"]
        pts = self.points()
        title = clip(self.choose("title", v["title"]), 60)
        hook = clip(self.hook() + self.lifecycle_line() if self.angle != 1 else self.point_line(0), 120)
        opening = Scene(
            duration_s=4,
            visual=clip(self.choose("vopen", v["visual_open"]), 300),
            voice_over=clip(self.sep.join(t for t in (self.greeting(), hook) if t), 300),
            caption=clip(self.choose("copen", v["caption_open"]), 60),
        )
        middle = [
            Scene(
                duration_s=6 + (i + self.angle) % 3,
                visual=clip(self.choose(f"vpoint{i}", v["visual_point"], point_short=clip(p, 20)), 300),
                voice_over=clip(self.point_line(i), 300),
                caption=clip(self.avoid.clean(p), 18 if self.sep == "" else 50),
            )
            for i, p in enumerate(pts[:3])
        ]
        demo = Scene(
            duration_s=8,
            visual=clip(self.choose("vdemo", v["visual_demo"]), 300),
            voice_over=clip(self.sep.join(t for t in (self.tier_line(), self.offer_line()) if t), 300),
            caption=clip(self.avoid.clean(self.brief.offer or self.brief.product), 60),
        )
        closing = Scene(
            duration_s=5,
            visual=clip(self.choose("vclose", v["visual_close"]), 300),
            voice_over=clip(self.sep.join(t for t in (self.sentence(self.cta()), self.required()) if t), 300),
            caption=clip(self.cta(), 60),
        )
        order = [[opening, *middle, demo], [opening, demo, *middle], [opening, middle[0], demo, *middle[1:]]][self.angle]
        scenes = [*order, closing]
        total = round(sum(s.duration_s for s in scenes), 1)
        return VideoScriptContent(title=title, hook=hook, scenes=scenes, cta=self.cta(), total_duration_s=total)

    def compose(self, content_type: str) -> BaseModel:
        builders = {"push": self.push, "copy": self.copy, "short_video_script": self.video}
        return builders[content_type]()
