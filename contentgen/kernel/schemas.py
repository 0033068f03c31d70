"""Briefs in, drafts out: the pydantic models every interface shares."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from contentgen.kernel import vocab
from contentgen.kernel.report import ComplianceReport

MAX_FIELD = 2_000  # characters of one brief field: longer is a mistake, not a brief
Text = Annotated[str, Field(max_length=MAX_FIELD)]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def one_of(kind: str, allowed: tuple[str, ...]) -> AfterValidator:
    """A pydantic validator accepting only the vocabulary's identifiers, naming them on error."""

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {kind} {value!r}; choose one of: {', '.join(allowed)}")
        return value

    return AfterValidator(check)


# The identifiers of every interface (DESIGN.md), as field types.
Industry = Annotated[str, one_of("industry", vocab.INDUSTRIES)]
SegmentId = Annotated[str, one_of("segment", vocab.SEGMENTS)]
Persona = Annotated[str, one_of("persona", vocab.PERSONAS)]
ContentType = Annotated[str, one_of("content type", vocab.CONTENT_TYPES)]
Channel = Annotated[str, one_of("channel", vocab.CHANNELS)]
Locale = Annotated[str, one_of("locale", vocab.LOCALES)]
TouchModel = Annotated[str, one_of("touch model", vocab.TOUCH_MODELS)]
ProductType = Annotated[str, one_of("product type", vocab.PRODUCT_TYPES)]


class Brief(BaseModel):
    """What an operator asks for: who, where, what product, in whose voice."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    industry: Industry
    segment: SegmentId = Field(description="<lifecycle>.<value tier>, e.g. dormant.mass")
    persona: Persona = "approachable"
    content_type: ContentType
    channel: Channel
    locale: Locale = "zh-CN"
    product: Annotated[str, Field(min_length=1, max_length=200)]
    product_type: ProductType | None = Field(default=None, description="deposit, fund, insurance, drug, health_food...")
    selling_points: list[Text] = Field(default_factory=list, max_length=10)
    offer: Text | None = None
    interests: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=10)
    preferred_times: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=10)
    preferred_channels: list[Channel] = Field(default_factory=list)
    touch_model: TouchModel | None = None
    days_since_added: int | None = Field(default=None, ge=0, le=36500)
    persona_interests: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=10)
    specialty_products: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=10)
    brand_voice: Text | None = None
    # The name the customer knows the sender by: an SMS opens with it (【…】 in zh/ja, "…:" in en).
    brand: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    notes: Text | None = None
    objective: str | None = Field(
        default=None, description="reactivate, welcome, repurchase, vip_care, event... picks the prompt family"
    )
    prompt: str | None = Field(default=None, description="explicit prompt id; overrides resolution")
    previous_messages: list[Text] = Field(
        default_factory=list, max_length=30, description="what earlier touchpoints of a plan said"
    )

    @model_validator(mode="after")
    def _channel_fits(self) -> Brief:
        allowed = vocab.CHANNEL_CONTENT_TYPES[self.channel]
        if self.content_type not in allowed:
            raise ValueError(
                f"content type {self.content_type!r} does not go out on channel {self.channel!r}; "
                f"{self.channel} takes: {', '.join(allowed)}"
            )
        return self

    @property
    def lifecycle(self) -> str:
        return self.segment.split(".")[0]

    @property
    def value_tier(self) -> str:
        return self.segment.split(".")[1]

    def key(self) -> str:
        """A stable hash of the brief: with a variant number, the idempotency key of a draft."""
        data = self.model_dump()
        if data.get("brand") is None:  # added later: briefs without one keep the keys they had
            del data["brand"]
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# ---- structured content, one model per content type -------------------------------------


class CopyContent(BaseModel):
    """Marketing copy: moments post, official-account article, product copy."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["copy"] = "copy"
    headline: Annotated[str, Field(min_length=1, max_length=120)]
    body: Annotated[str, Field(min_length=1, max_length=20000)]
    cta: Annotated[str, Field(min_length=1, max_length=60)]
    hashtags: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        default_factory=list, max_length=10
    )
    images: int = Field(default=0, ge=0, le=50, description="number of images to attach")


class Scene(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duration_s: float = Field(gt=0, le=60)
    visual: Annotated[str, Field(min_length=1, max_length=300)]
    voice_over: Annotated[str, Field(max_length=300)] = ""
    caption: Annotated[str, Field(max_length=60)] = ""


class VideoScriptContent(BaseModel):
    """Short-video script: hook, timed scenes, call to action."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["short_video_script"] = "short_video_script"
    title: Annotated[str, Field(min_length=1, max_length=60)]
    hook: Annotated[str, Field(min_length=1, max_length=120)]
    scenes: list[Scene] = Field(min_length=1, max_length=20)
    cta: Annotated[str, Field(min_length=1, max_length=60)]
    total_duration_s: float = Field(gt=0, le=600)

    @model_validator(mode="after")
    def _durations_add_up(self) -> VideoScriptContent:
        total = round(sum(s.duration_s for s in self.scenes), 1)
        if abs(total - self.total_duration_s) > 0.5:
            raise ValueError(
                f"scene durations add up to {total}s but total_duration_s is {self.total_duration_s}s"
            )
        return self


class SendWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(description="HH:MM local time")
    end: str = Field(description="HH:MM local time")

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError(f"{v!r} is not a time of day as HH:MM")
        return v


class PushContent(BaseModel):
    """Push message: app push, SMS, 1:1 message, group announcement, welcome message."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["push"] = "push"
    title: Annotated[str, Field(max_length=60)] = ""
    body: Annotated[str, Field(min_length=1, max_length=1000)]
    deeplink: str | None = None
    send_window: SendWindow

    @field_validator("deeplink")
    @classmethod
    def _link(cls, v: str | None) -> str | None:
        if v and not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", v):
            raise ValueError(f"deeplink {v!r} is not a URL (scheme://...)")
        return v or None


Content = Annotated[CopyContent | VideoScriptContent | PushContent, Field(discriminator="kind")]
CONTENT_MODELS: dict[str, type[BaseModel]] = {
    "copy": CopyContent,
    "short_video_script": VideoScriptContent,
    "push": PushContent,
}


def content_fields(content: BaseModel) -> dict[str, str]:
    """The text fields of a content object, by name, as compliance and search see them."""
    if isinstance(content, CopyContent):
        return {
            "headline": content.headline,
            "body": content.body,
            "cta": content.cta,
            "hashtags": " ".join(f"#{h}" for h in content.hashtags),
        }
    if isinstance(content, VideoScriptContent):
        fields = {"title": content.title, "hook": content.hook}
        for i, s in enumerate(content.scenes, 1):
            fields[f"scenes.{i}.visual"] = s.visual
            fields[f"scenes.{i}.voice_over"] = s.voice_over
            fields[f"scenes.{i}.caption"] = s.caption
        fields["cta"] = content.cta
        return fields
    if isinstance(content, PushContent):
        return {"title": content.title, "body": content.body}
    raise TypeError(f"not a content model: {type(content).__name__}")


def set_field(content: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    """A copy of content (as a dict) with the text field `key`, named as content_fields names it, set."""
    out = copy.deepcopy(content)
    if key == "hashtags":
        out["hashtags"] = [t.lstrip("#") for t in value.split() if t.lstrip("#")]
    elif key.startswith("scenes."):
        _, index, attr = key.split(".", 2)
        out["scenes"][int(index) - 1][attr] = value
    else:
        out[key] = value
    return out


def content_text(content: BaseModel) -> str:
    """All text of a content object as one plain string (non-empty fields, one per line)."""
    return "\n".join(v for v in content_fields(content).values() if v)


def channel_problems(content: BaseModel, channel: str, locale: str) -> list[str]:
    """What in this content breaks the channel's limits; empty when it fits."""
    problems: list[str] = []

    def over(field: str, value: int) -> None:
        limit = vocab.channel_limit(channel, field, locale)
        if limit is not None and value > limit:
            problems.append(f"{field} is {value} on {channel} ({locale}); the limit is {limit}")

    if isinstance(content, CopyContent):
        over("headline", len(content.headline))
        over("body", len(content.body))
        over("images", content.images)
    elif isinstance(content, PushContent):
        over("title", len(content.title))
        over("body", len(content.body))
    elif isinstance(content, VideoScriptContent):
        over("total_duration_s", int(content.total_duration_s))
        over("scenes", len(content.scenes))
    return problems


class ModelInfo(BaseModel):
    provider: str  # "offline" | "openai" | "fake"
    name: str
    offline: bool = False


class Attempt(BaseModel):
    """One round trip to the model for a draft: first answer, repair, or compliance rewrite."""

    purpose: Literal["generate", "repair", "rewrite"]
    ok: bool
    elapsed_ms: float
    error: str | None = None
    findings: list[str] = Field(default_factory=list)


class Draft(BaseModel):
    """One generated variant with everything a reviewer needs to trust or reject it."""

    key: str = Field(description="idempotency key: brief hash + variant")
    variant: int
    brief: Brief
    content: Content
    text: str
    prompt_ref: str = Field(description="id@version+sha256 of the prompt file")
    model: ModelInfo
    parameters: dict[str, Any] = Field(default_factory=dict)
    timing: dict[str, float] = Field(default_factory=dict)
    attempts: list[Attempt] = Field(default_factory=list)
    compliance: ComplianceReport
    material_id: str | None = None
    version: int | None = None
