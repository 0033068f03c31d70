"""How the offline model writes: brief facts + a rhetorical plan + the locale's phrase bank → one content object.

Each move of the plan is realised from the phrase bank with the brief's facts only: a phrase that
needs a fact the brief lacks (a selling point, an offer, a fitting interest) is skipped, so nothing
is invented. Phrases are picked deterministically (brief, seed, variant); a phrase an earlier plan
touchpoint already said, or that a compliance rewrite asked us to avoid, is passed over. Texts are
fitted to the channel: optional moves go first, the product, offer, deadline and required
statements stay.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from contentgen.kernel import vocab
from contentgen.kernel.disclosures import default_disclosures
from contentgen.kernel.schemas import Brief, CopyContent, PushContent, SendWindow
from contentgen.providers.offline_facts import Facts
from contentgen.providers.offline_plans import (
    LISTING_PLANS,
    PERSONAL_KINDS,
    SHORT_LISTING_PLANS,
    Plan,
    plan_for,
    priority,
)
from contentgen.providers.offline_rewrite import Avoid
from contentgen.providers.offline_voice import (
    Voice,
    clip,
    listing,
    mid_sentence,
    product_tag,
    short_name,
    the_product,
)

BANK_DIR = Path(__file__).with_name("offline_bank")
_FIELDS = string.Formatter()
# Labels, not sentences: no full stop is added to these.
_BARE_LAST = frozenset({"title", "what", "service_title", "offer_title", "close_title", "product_short"})
_BARE_FIRST = ("headline", "push_title", "cta_short", "video.")


def _bare(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in _BARE_LAST or path.startswith(_BARE_FIRST)


@cache
def bank(locale: str) -> dict[str, Any]:
    data = yaml.safe_load((BANK_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"phrase bank {locale} is not a mapping"
    return data


def limit_of(channel: str, field: str, locale: str, schema_max: int) -> int:
    limit = vocab.channel_limit(channel, field, locale)
    return schema_max if limit is None else min(schema_max, limit)


@dataclass
class Part:
    move: str
    text: str

    @property
    def priority(self) -> int:
        return priority(self.move)


class Composer:
    """One brief, one variant: a plan, realised sentence by sentence and fitted to the channel."""

    def __init__(self, brief: Brief, variant: int, seed: int, avoid: Avoid):
        self.brief, self.variant, self.seed, self.avoid = brief, max(1, variant), seed, avoid
        # Generation sends seed = user seed x 1000 + variant. Phrases rotate by variant from a
        # start fixed by the user's seed; hashing the variant in too made variants collide at random.
        base = seed - self.variant
        self.phrase_seed = base // 1000 if base >= 0 and base % 1000 == 0 else seed
        self.b = bank(brief.locale)
        self.facts = Facts.of(brief)
        # A device is bought once and serviced, a supplement is used up: the bank can say so per product type.
        self.kind = self.facts.writing_kind
        self.voice = Voice(self.facts, self.b)
        self.plan: Plan = plan_for(brief.channel, self.facts.kind, self.variant)
        # The channel's shape (short, announcement, article...), opt-out and deeplink: its registry file.
        self.channel = vocab.CHANNEL_REGISTRY[brief.channel]
        self.short = self.channel.compose.form == "short"
        self.used: set[str] = set()
        self.so_far = ""  # the draft's text up to the move being realised
        self.short_name = short_name(brief.product)
        self.spoken = False  # a voice-over: the product as people say it from the first mention

    # -- the phrase bank ------------------------------------------------------------------------
    def node(self, path: str) -> Any:
        """The bank entry at a dotted path, narrowed by persona, audience, lifecycle, tier, industry."""
        node: Any = self.b
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        keys = (self.kind, self.brief.persona, self.brief.channel, self.facts.audience, self.brief.lifecycle,
                self.brief.value_tier, self.brief.industry, self.facts.interest_kind or "", "*")
        while isinstance(node, dict):
            node = next((node[k] for k in keys if k in node), None)
        return node if isinstance(node, list) else [node] if isinstance(node, str) else []

    def values(self) -> dict[str, str]:
        f, v = self.facts, self.voice
        vals = {
            "product": self.brief.product, "you": v.you, "name": v.name, "role": v.role,
            "offer": f.brief.offer or "", "deadline": f.deadline or "", "interest": f.interest or "",
            "any_interest": f.any_interest or "", "point": self.point(0), "point2": self.point(1),
            "point3": self.point(2), "doc": str(self.b["docs"].get(self.kind) or self.b["docs"].get(self.brief.industry, "")),
            "topic": str(self.b["ask_topic"].get(self.kind) or self.b["ask_topic"].get(self.brief.industry, "")),
            "specialty": "、".join(self.brief.specialty_products[:2]) if v.sep == "" else
            " and ".join(self.brief.specialty_products[:2]),
            "hobby": self.brief.persona_interests[0] if self.brief.persona_interests else "",
        }
        vals["point_short"] = clip(vals["point"], 16 if v.sep == "" else 40)
        # Every selling point in one phrase, for the plans that list them ("A、B、C", "A, B, and C").
        pts = [self.point(i) for i in range(min(3, len(f.points)))]
        vals["points"] = listing(pts, self.brief.locale) if len(pts) > 1 else ""
        vals["points_q"] = "".join(f"「{p}」" for p in pts) if len(pts) > 1 else ""
        vals["n_points"] = str(len(pts)) if len(pts) > 1 else ""
        vals.update(self.product_values(self.brief.product))
        if self.brief.locale == "en-US" and vals["offer"]:
            vals["offer"] = mid_sentence(vals["offer"])
        return vals

    def named(self) -> bool:
        """Whether the draft so far names the product (in full, or as people say it)."""
        said = self.so_far.casefold()
        return self.brief.product.casefold() in said or self.short_name.casefold() in said

    def product_values(self, name: str) -> dict[str, str]:
        en = self.brief.locale == "en-US"
        return {"product": name, "the_product": the_product(name, self.brief.locale),
                "product_mid": mid_sentence(name) if en else name}

    def point(self, i: int) -> str:
        """The i-th selling point of this variant: each variant leads with a different one."""
        pts = self.facts.points
        return pts[(i + self.variant - 1) % len(pts)] if i < len(pts) else ""

    def _start(self, path: str, n: int) -> int:
        # The hash fixes a brief's first phrase; the variant moves on from there, so variants and
        # seeds read differently and the same input always gives the same text.
        h = hashlib.sha256(f"{self.brief.key()}|{self.phrase_seed}|{path}".encode()).digest()
        return (h[0] + self.variant - 1) % n

    def say(self, path: str, skip: tuple[str, ...] = (), **extra: str) -> str:
        """The first usable phrase at path: its facts present, not said before, not to be avoided.

        Until the product is named, phrases that name it come first; after, they come last: a
        draft names "氨基酸洁面乳" early and once or twice, not in every sentence.
        """
        options = self.node(path)
        if not options:
            return ""
        vals = {**self.values(), **extra}
        named = self.named()
        if (named or self.spoken) and self.short_name != self.brief.product:
            # Said once in full; after that (and always in a voice-over) as people say it.
            vals.update(self.product_values(self.short_name))
        if path.startswith("video."):  # a shot's visual or caption: the picture may show the product any time
            preferred, rest = options, []
        else:
            preferred = [o for o in options if _names_product(o) != named]
            rest = [o for o in options if _names_product(o) == named]
        rotated: list[str] = []
        for group in (preferred, rest):  # each group rotated by the variant, so variants differ
            first = self._start(path, len(group)) if group else 0
            rotated += group[first:] + group[:first]
        for option in rotated:
            needed = {name for _, name, _, _ in _FIELDS.parse(option) if name}
            if any(not vals.get(n) for n in needed):
                continue  # the brief lacks a fact this phrase needs: never make one up
            text = option.format_map(vals)
            text = text.strip() if _bare(path) else self.voice.sentence(text)
            if any(w in text for w in skip):
                continue
            if text in self.used or self.facts.said_before(text) or self.avoid.hits(text):
                continue
            self.used.add(text)
            return text
        return ""

    # -- moves --------------------------------------------------------------------------------
    def move(self, name: str) -> str:
        f = self.facts
        if name.startswith("k:"):
            return self.say(f"kinds.{self.plan.name}.{name[2:]}")
        if name == "greet":
            text = self.say("greet")
            emoji = self.node("emoji")
            if text and self.voice.emoji_ok and emoji:
                text += emoji[self._start("emoji", len(emoji))]
            return text
        if name == "intro_self":
            return self.say("intro_self") if f.personal else ""
        if name == "benefit":
            if not f.points:
                return self.move("describe")
            # The plans that weigh the product up say every selling point, in one sentence.
            listing_plans = SHORT_LISTING_PLANS if self.short else LISTING_PLANS
            listed = self.plan.name in listing_plans and self.say("benefit_all")
            return listed or self.say("benefit")
        if name in ("detail", "proof"):
            # A point said already (in the listing sentence) is not said again.
            said = self.so_far.casefold()
            told = {k: "" for k, i in (("point2", 1), ("point3", 2)) if self.point(i) and self.point(i).casefold() in said}
            return self.say(name, (), **told)
        if name == "describe" and self.named():
            return ""  # already introduced; with no selling point there is nothing more to say about it
        if name == "interest":
            return self.say(f"interest.{f.interest_kind}") if f.interest else ""
        if name == "exclusive":
            # Exclusivity in proportion: at most two touchpoints of a plan offer the dedicated advisor.
            return self.say("exclusive") if f.exclusive_fits and f.said_in(self.node("markers.exclusive")) < 2 else ""
        kind_path = f"kinds.{self.plan.name}"
        if name in ("offer", "offer_or_service"):
            if f.offer and f.offer.casefold() in self.so_far.casefold():
                return ""  # a news-first opening already stated it
            if f.offer:  # always said when given: the bare offer when every wording was used before
                return self.say(f"{kind_path}.offer") or self.say("offer") or self.voice.sentence(f.offer)
            if name != "offer_or_service":
                return ""
            # No offer: the salesperson's time is the benefit, worded without "一对一" once it is common.
            markers = self.node("markers.exclusive")
            skip = tuple(markers) if f.said_in(markers) >= 2 else ()
            return self.say(f"{kind_path}.service", skip) or self.say("service", skip) or self.say("service")
        if name == "question_close" and not f.points:
            return self.say("cta")  # nothing to weigh up without selling points: say how to learn more
        if name == "deadline":
            if not f.deadline or f.deadline in self.so_far or f.offer_dated:
                return ""
            return self.say("deadline") or self.say("deadline_short") or self.voice.sentence(f.deadline)
        return self.say(name)

    def parts(self, skip: tuple[str, ...] = ()) -> list[Part]:
        parts: list[Part] = []
        self.so_far = ""
        for m in self.plan.moves:
            if m in skip:
                continue
            text = self.move(m)
            if text:
                parts.append(Part(m, text))
                self.so_far += text
        kind = self.facts.kind
        if kind not in PERSONAL_KINDS and not self.named():
            at = 1 if parts and parts[0].move == "greet" else 0
            parts.insert(at, Part("product", self.say("product")))
        return [p for p in parts if p.text]

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, parts: list[Part], limit: int, tail: list[str]) -> str:
        """parts + tail within limit: the lowest-priority parts go first, then the text is clipped.

        A 1:1 message ends with the salesperson's signature on its own line, after the statements.
        """
        if self.facts.personal:
            signature = "\n" + self.voice.sign_off()
            return self._fit(parts, limit - len(signature), tail) + signature
        return self._fit(parts, limit, tail)

    def _fit(self, parts: list[Part], limit: int, tail: list[str]) -> str:
        tail = [t for t in tail if t]
        parts = list(parts)

        # Statements stand on their own line, except in an SMS or push where every character counts.
        tail_sep = self.voice.sep if self.short else "\n"

        def joined() -> str:
            body = self.finish(self.voice.sep.join(p.text for p in parts))
            return tail_sep.join(t for t in (body, self.finish(self.voice.sep.join(tail))) if t)

        def weight(p: Part) -> int:
            # The only sentence naming the product outlasts the call to action; in an SMS or push the
            # selling points do too (the opt-out and the link stay; "reply INFO" is the first to go).
            only = self.brief.product in p.text and sum(self.brief.product in q.text for q in parts) == 1
            if self.short and p.move == "cta":
                return 5
            return min(8, p.priority + 3) if only else p.priority

        dropped = ""
        while len(joined()) > limit and any(p.priority < 9 for p in parts):
            weakest = min((p for p in parts if p.priority < 9), key=lambda p: (weight(p), -parts.index(p)))
            at = parts.index(weakest)
            parts.remove(weakest)
            product, offer = self.brief.product, self.facts.offer
            if offer and offer in weakest.text and not any(offer in p.text for p in parts):
                parts.insert(at, Part("offer", self.voice.sentence(offer)))  # the offer is always said
            if product in weakest.text and not any(product in p.text for p in parts):
                # The product's only mention goes: its name stays, as a short lead-in.
                parts.insert(at, Part("product", self.product_short()))
            dropped += weakest.text
        point = self.point(0)
        lead = next((p for p in parts if p.move == "product"), None) or next(
            (p for p in parts if self.brief.product in p.text and p.priority < 9), None)
        if lead and point and point.casefold() in dropped.casefold() and not any(
                point.casefold() in p.text.casefold() for p in parts):
            # The lead point was cut: the part naming the product says it instead, when there is
            # room ("週末フルーツボックス：今週収穫。" for a bare lead-in or a long greeting).
            at, told = parts.index(lead), self.so_far
            self.so_far = ""  # as if the product were not named yet: a wording that names it
            parts[at] = Part("product", self.say("benefit") or lead.text)
            self.so_far = told
            if len(joined()) > limit or self.brief.product not in parts[at].text:
                parts[at] = lead
        if len(joined()) > limit:  # must-keep parts only: their plainest wording ("首月体验金。")
            parts = [Part(p.move, self.plain(p)) for p in parts]
        if len(joined()) > limit and len(parts) > 1:  # the offer and its date matter more than the name
            parts = [p for p in parts if p.move != "product"] or parts
        text = joined()
        if len(text) > limit:  # still too long: shorten them, keep the tail whole
            end = self.finish(self.voice.sep.join(tail))
            head = self.finish(self.voice.sep.join(p.text for p in parts))
            room = max(1, limit - len(end) - len(tail_sep))
            text = tail_sep.join(t for t in (clip(head, room), end) if t)
        return text

    def product_short(self) -> str:
        """The product as a lead-in ("氨基酸洁面乳："), however often it was used."""
        short = self.node("product_short")
        return short[0].format(product=self.brief.product) if short else self.brief.product

    def plain(self, part: Part) -> str:
        """The shortest faithful wording of a must-keep part: the bare fact."""
        if part.move == "product":
            return self.product_short()
        if part.move == "deadline":
            return self.say("deadline_short") or part.text
        fact = {"offer": self.facts.offer, "offer_or_service": self.facts.offer, "deadline": self.facts.deadline}
        value = fact.get(part.move)
        return self.voice.sentence(value) if value and len(value) < len(part.text) else part.text

    def finish(self, text: str) -> str:
        return self.voice.finish(self.avoid.clean(text))

    def tail(self, limit: int | None = None) -> list[str]:
        """Required statements (disclosures library), any a rewrite asked for, and the channel's opt-out."""
        out = self.facts.statements(limit)
        out += [s for s in self.avoid.statements if s not in out]
        if self.channel.opt_out:
            out.append(default_disclosures().text(self.channel.opt_out, self.brief.locale) or "")
        return out

    def cta_field(self) -> str:
        """The short call to action of the cta field (copy, video): the bank's, never a clipped sentence."""
        # A touchpoint that sells nothing gets a soft invitation, not a buying call to action.
        text = self.say("cta_short" if self.facts.sells else "cta_soft") or self.brief.product
        return clip(self.finish(text), 60)

    def title(self, path: str, limit: int) -> str:
        text = self.finish(self.say(path) or self.brief.product)
        text = text[:1].upper() + text[1:] if self.voice.en else text
        if len(text) > limit:  # the product alone, as people say it ("Allergy Relief", not its dose)
            text = clip(self.short_name, limit)
        return text.rstrip("。.")

    # -- content types ------------------------------------------------------------------------
    def push(self) -> PushContent:
        ch, loc = self.brief.channel, self.brief.locale
        title_limit = limit_of(ch, "title", loc, 60)
        body_limit = limit_of(ch, "body", loc, 1000)
        path = f"kinds.{self.plan.name}.title" if self.facts.kind else f"push_title.{self.plan.name}"
        title = self.title(path, title_limit) if title_limit else ""
        parts = self.parts()
        if self.channel.compose.form == "announcement":  # the announcement label stands on its own line
            parts.insert(0, Part("product", str(self.b["group_prefix"]) + "\n"))
        # On a short channel a required statement may take at most 40%: the library's shorter accepted
        # wording leaves room for the product and the offer.
        room = max(len(self.voice.sms_sender(s)) for s in ("", ":"))
        body = self.fit(parts, body_limit - room, self.tail(body_limit * 2 // 5 if self.short else None))
        body = self.voice.sms_sender(body) + body
        start, end = self.send_window()
        return PushContent(
            title=title, body=body,
            deeplink=f"app://campaign/{self.brief.key()}/v{self.variant}" if self.channel.deeplink else None,
            send_window=SendWindow(start=start, end=end),
        )

    def send_window(self) -> tuple[str, str]:
        # Evening/morning preferences move the window; otherwise a polite daytime slot.
        prefs = " ".join(self.brief.preferred_times).lower()
        if any(w in prefs for w in ("evening", "晚", "夜", "night")):
            return "19:00", "21:00"
        if any(w in prefs for w in ("morning", "早", "朝")):
            return "08:30", "10:00"
        return ("12:00", "13:30") if self.variant % 2 else ("10:00", "11:30")

    def copy(self) -> CopyContent:
        from contentgen.providers.offline_article import article

        ch, loc = self.brief.channel, self.brief.locale
        headline_path = f"kinds.{self.plan.name}.title" if self.facts.kind else f"headline.{self.plan.name}"
        headline = self.title(headline_path, limit_of(ch, "headline", loc, 120))
        body_limit = limit_of(ch, "body", loc, 20000)
        if self.channel.compose.form == "article":
            body = article(self)
        else:
            parts = self.parts()
            if self.channel.compose.form == "announcement":
                parts.insert(0, Part("product", str(self.b["group_prefix"]) + "\n"))
            body = self.fit(parts, body_limit, self.tail())
        tags = list(self.b["hashtags"].get(self.kind) or self.b["hashtags"][self.brief.industry])
        first = (self.variant - 1) % len(tags)
        # The product's own tag first (what customers search for), then the brand's, else one of the
        # industry's (a different one per variant).
        own = [t for t in (product_tag(self.short_name, self.brief.locale),
                           product_tag(self.brief.brand or "", self.brief.locale)) if t]
        pool = own + tags[first:] + tags[:first]
        # A 1:1 chat carries no hashtags: they are for posts that are found, not messages that are sent.
        hashtags = [] if self.facts.personal else [clip(t, 30) for t in pool if not self.avoid.hits(t)][:2]
        images = self.channel.images_for(self.variant)
        return CopyContent(headline=headline, body=body, cta=self.cta_field(), hashtags=hashtags, images=images)

    def compose(self, content_type: str) -> BaseModel:
        from contentgen.providers.offline_article import video

        builders: dict[str, Callable[[], BaseModel]] = {
            "push": self.push, "copy": self.copy, "short_video_script": lambda: video(self)}
        return builders[content_type]()


def _names_product(option: str) -> bool:
    return any(slot in option for slot in ("{product}", "{the_product}", "{product_mid}"))
