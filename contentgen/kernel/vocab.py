"""The identifiers every interface uses (CLI flags, API, files), from shared/DESIGN.md."""

from __future__ import annotations

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
CHANNELS: tuple[str, ...] = (
    "sms",
    "app_push",
    "wecom_1v1",
    "group",
    "moments",
    "official_account",
    "video_account",
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

# Which content types make sense on which channel.
CHANNEL_CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    "sms": ("push",),
    "app_push": ("push",),
    "wecom_1v1": ("push", "copy"),
    "group": ("push", "copy"),
    "moments": ("copy",),
    "official_account": ("copy",),
    "video_account": ("short_video_script",),
}

# Intensity, strongest first (seeds: 1:1 > video = official account = group > moments).
# Stronger disturbs more: plans use strong channels sparingly.
CHANNEL_INTENSITY: dict[str, int] = {
    "wecom_1v1": 3,
    "video_account": 2,
    "official_account": 2,
    "group": 2,
    "moments": 1,
    "sms": 2,
    "app_push": 1,
}

# Character limits per channel and field; a locale key overrides "*".
# SMS: one segment is 70 CJK characters or 160 GSM characters.
CHANNEL_LIMITS: dict[str, dict[str, dict[str, int]]] = {
    "sms": {"body": {"*": 70, "en-US": 160}, "title": {"*": 0}},
    "app_push": {"title": {"*": 20, "en-US": 50}, "body": {"*": 60, "en-US": 120}},
    "wecom_1v1": {"title": {"*": 30, "en-US": 60}, "body": {"*": 300, "en-US": 600}},
    "group": {"title": {"*": 30, "en-US": 60}, "body": {"*": 500, "en-US": 1000}},
    "moments": {"headline": {"*": 40, "en-US": 80}, "body": {"*": 2000}, "images": {"*": 9}},
    "official_account": {"headline": {"*": 64, "en-US": 120}, "body": {"*": 20000}},
    "video_account": {"total_duration_s": {"*": 180}, "scenes": {"*": 12}},
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
