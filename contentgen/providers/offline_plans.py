"""Rhetorical plans: the order of moves a draft makes, per channel group, plan touchpoint kind and variant.

A move is one sentence role (a question hook, a benefit, proof, the offer, a call to action...).
Variants of one brief take different plans — a question hook, a story, the benefit first, the news
first — so they differ in angle, not in the order of the same sentences. Inside a service-cycle
plan the touchpoint's kind decides the moves instead: a check-in greets, remembers and asks; a
benefit names the benefit and its deadline; neither borrows the other's sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from contentgen.kernel import vocab

# Moves realised from the phrase bank's top level; "k:slot" moves come from kinds.<kind>.<slot>.
# Detail and proof are spread over the plans rather than repeated in each (a variant that says
# what another said is a reshuffle, not an angle); a fitting interest and, for high-value
# customers, the exclusive service are part of every variant.
PLANS: dict[str, tuple[str, ...]] = {
    "question": ("greet", "opener", "hook_question", "benefit", "interest", "detail", "exclusive", "offer",
                 "deadline", "question_close"),
    "story": ("greet", "story", "story_link", "interest", "benefit", "exclusive", "offer", "deadline", "story_close"),
    "benefit": ("greet", "benefit", "proof", "interest", "exclusive", "offer", "deadline", "cta"),
    "news": ("news", "opener", "benefit", "interest", "exclusive", "offer", "deadline", "cta"),
}
# Short channels (SMS, app push) keep one idea and the offer.
SHORT_PLANS: dict[str, tuple[str, ...]] = {
    "benefit": ("benefit", "offer", "deadline", "cta"),
    "question": ("hook_question", "benefit", "offer", "deadline", "cta"),
    "news": ("opener", "news", "offer", "deadline", "cta"),
    "story": ("opener", "benefit", "offer", "deadline", "cta"),
}
ORDER: tuple[str, ...] = ("question", "story", "benefit", "news")
# Plans whose benefit move names every selling point in one sentence; story and news lead with one.
LISTING_PLANS = frozenset({"question", "benefit"})
SHORT_LISTING_PLANS = frozenset({"benefit"})  # an SMS has room for one list: the other plans take one angle
SHORT_ORDER: tuple[str, ...] = ("benefit", "question", "news", "story")

KIND_MOVES: dict[str, tuple[str, ...]] = {
    "re_presence": ("k:lead", "interest", "k:tip"),
    "welcome": ("greet", "intro_self", "k:help", "k:ask"),
    "intro": ("greet", "intro_self", "k:lead", "specialty", "k:close"),
    "check_in": ("greet", "k:remember", "interest_question", "k:ask"),
    "news": ("greet", "k:lead", "benefit", "detail", "k:close"),
    "teaser": ("k:lead", "interest", "k:close"),
    "community": ("k:lead", "interest", "k:what", "k:how"),
    "guide": ("k:lead", "benefit", "k:steps", "k:close"),
    "follow_up": ("greet", "k:lead", "k:answer", "k:ask"),
    "story": ("greet", "story", "story_link", "benefit", "k:close"),
    "behind_scenes": ("k:lead", "k:body", "k:close"),
    "benefit": ("greet", "k:lead", "offer_or_service", "deadline", "k:action"),
    "reminder": ("k:lead", "offer_or_service", "deadline", "k:action"),
    "social_proof": ("k:lead", "k:checklist", "k:close"),
    "recap": ("k:lead", "k:body", "k:next"),
    "preference_check": ("greet", "k:thanks", "k:ask", "k:respect"),
    "thank_you": ("greet", "k:thanks", "exclusive", "k:close"),
    "insight": ("k:lead", "benefit", "detail", "proof", "k:close"),
    "invitation": ("greet", "k:lead", "k:details", "deadline", "k:action"),
    "event_details": ("k:lead", "offer", "deadline", "k:terms", "k:action"),
    "upgrade": ("k:lead", "specialty", "benefit", "k:close"),
    "restock": ("k:lead", "k:tip", "offer", "k:action"),
}
# Kinds whose text is about the customer, not the product: no product line is forced in.
PERSONAL_KINDS = frozenset({"check_in", "preference_check", "thank_you", "recap", "follow_up"})

# When a text is too long, the lowest priority goes first; 9 is never dropped.
PRIORITY: dict[str, int] = {
    "offer": 9, "offer_or_service": 9, "deadline": 9, "product": 9, "sign_off": 8, "k:ask": 8, "k:action": 8,
    "cta": 7, "question_close": 7, "story_close": 7, "benefit": 6, "news": 6, "describe": 6, "k:lead": 7, "k:remember": 7, "k:thanks": 7,
    "exclusive": 5, "hook_question": 4, "story": 4, "story_link": 3, "opener": 3, "detail": 3,
    "intro_self": 6, "greet": 2, "proof": 2, "interest": 1, "interest_question": 5, "specialty": 3,
}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    name: str
    moves: tuple[str, ...]


def short_channel(channel: str) -> bool:
    """SMS-like channels (their registry file says compose.form: short)."""
    c = vocab.CHANNEL_REGISTRY.get(channel)
    return c is not None and c.compose.form == "short"


def plan_for(channel: str, kind: str | None, variant: int) -> Plan:
    """The moves of one draft: the touchpoint kind's inside a plan, else the variant's rhetorical plan."""
    if kind is not None:
        moves = KIND_MOVES[kind]
        if short_channel(channel):
            moves = tuple(m for m in moves if m not in ("greet", "interest", "detail", "proof", "intro_self"))
        return Plan(kind, moves)
    order, plans = (SHORT_ORDER, SHORT_PLANS) if short_channel(channel) else (ORDER, PLANS)
    name = order[(variant - 1) % len(order)]
    return Plan(name, plans[name])


def priority(move: str) -> int:
    return PRIORITY.get(move, 6 if move.startswith("k:") else 4)
