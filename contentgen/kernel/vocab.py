"""The identifiers every interface uses (CLI flags, API, files), from shared/DESIGN.md."""

from __future__ import annotations

from contentgen.kernel.channels import ChannelRegistry, load_channels
from contentgen.kernel.config import Settings

LOCALES: tuple[str, ...] = ("zh-CN", "ja-JP", "en-US")
INDUSTRIES: tuple[str, ...] = (
    "finance",
    "health",
    "cosmetics",
    "food",
    "education",
    "manufacturing",
    "retail",
)
CONTENT_TYPES: tuple[str, ...] = ("copy", "short_video_script", "push")
LIFECYCLES: tuple[str, ...] = (
    "new",
    "onboarding",
    "active",
    "dormant",
    "churn_risk",
    "repurchase",
    "loyal",
)
VALUE_TIERS: tuple[str, ...] = ("high_value", "mass", "price_sensitive")
PERSONAS: tuple[str, ...] = ("approachable", "professional")
TOUCH_MODELS: tuple[str, ...] = ("high", "low", "tech")

# Every channel fact comes from the registry, one file per channel (channels/<id>.yaml, or
# $CONTENTGEN_CHANNELS_DIR). It is read once, when the vocabulary is first imported: these names
# are views of it, kept so that every reader of the vocabulary stays as it was.
CHANNEL_REGISTRY: ChannelRegistry = load_channels(
    Settings.load().channels_dir, locales=LOCALES, content_types=CONTENT_TYPES
)
CHANNELS: tuple[str, ...] = CHANNEL_REGISTRY.ids

# Which content types make sense on which channel.
CHANNEL_CONTENT_TYPES: dict[str, tuple[str, ...]] = {c.id: c.content_types for c in CHANNEL_REGISTRY}

# Intensity weight (seeds: 1:1 > video = official account = group > moments); the registry's
# rank orders them, strongest first. Stronger disturbs more: plans use strong channels sparingly.
CHANNEL_INTENSITY: dict[str, int] = {c.id: c.intensity.weight for c in CHANNEL_REGISTRY}

# Character limits per channel and field; a locale key overrides "*".
CHANNEL_LIMITS: dict[str, dict[str, dict[str, int]]] = {
    c.id: {name: dict(per_locale) for name, per_locale in c.limits.items()} for c in CHANNEL_REGISTRY
}


def channel_limit(channel: str, field: str, locale: str) -> int | None:
    """The limit for one field on one channel in one locale, or None when unlimited."""
    per_field = CHANNEL_LIMITS.get(channel, {}).get(field)
    if per_field is None:
        return None
    return per_field.get(locale, per_field.get("*"))


def segment_id(lifecycle: str, value_tier: str) -> str:
    return f"{lifecycle}.{value_tier}"


SEGMENTS: tuple[str, ...] = tuple(segment_id(lc, vt) for lc in LIFECYCLES for vt in VALUE_TIERS)

# Where the product type changes the law (finance and health); the compliance filter infers one
# from the text when a brief or `check --product-type` gives none.
PRODUCT_TYPES: tuple[str, ...] = (
    "deposit", "wealth_management", "fund", "securities", "bond", "insurance", "loan",
    "drug", "medical_device", "health_food", "special_medical_food", "cosmetic", "special_cosmetic",
    "quasi_drug",
)  # fmt: skip
