"""The front matter of a prompt file: its schema, validated with pydantic."""

from __future__ import annotations

import fnmatch
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contentgen.kernel import vocab
from contentgen.kernel.schemas import CONTENT_MODELS, Brief


class ModelSpec(BaseModel):
    """Model parameters; keys beyond these pass through to the provider."""

    model_config = ConfigDict(extra="allow")
    temperature: float = Field(default=0.8, ge=0, le=2)
    max_tokens: int = Field(default=800, gt=0, le=32000)


class InputSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    required: list[str] = Field(default_factory=lambda: ["product"])
    used: list[str] = Field(default_factory=list)

    @field_validator("required", "used")
    @classmethod
    def _brief_fields(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in Brief.model_fields]
        if unknown:
            raise ValueError(f"not brief fields: {', '.join(unknown)}; see contentgen/kernel/schemas.py Brief")
        return v


class ExampleSpec(BaseModel):
    """A few-shot pair: brief fields (merged over the file's sample brief) and the answer."""

    model_config = ConfigDict(extra="forbid")
    brief: dict[str, Any] = Field(default_factory=dict)
    answer: dict[str, Any]


class CaseSpec(BaseModel):
    """A `prompts test` case: render with these brief fields and look for strings."""

    model_config = ConfigDict(extra="forbid")
    name: str
    brief: dict[str, Any] = Field(default_factory=dict)
    variant: int = 1
    variants: int = 1
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)


class EvalSpec(BaseModel):
    """A `prompts eval` brief: brief fields laid over the file's sample brief, drafted N times."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    brief: dict[str, Any] = Field(default_factory=dict)
    variants: int = Field(default=3, ge=1, le=5)
    # Claims the eval may find that the brief's own facts do not spell out (e.g. a house style line).
    allowed_claims: list[str] = Field(default_factory=list)


# draft: being written; candidate: up for promotion; production: what generation resolves;
# retired: a former production version, kept for comparison and rollback.
PROMPT_STATUSES = ("draft", "candidate", "production", "retired")


def _scope(value: Any, allowed: tuple[str, ...], kind: str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    bad = [i for i in items if i != "*" and i not in allowed]
    if bad:
        raise ValueError(f"unknown {kind} {', '.join(map(repr, bad))}; choose from: *, {', '.join(allowed)}")
    return items


class PromptMeta(BaseModel):
    """The front matter; prompts/README.md documents every key."""

    model_config = ConfigDict(extra="forbid")
    id: str
    version: str
    description: str = Field(min_length=1)
    content_type: str
    industries: list[str] = Field(default_factory=lambda: ["*"])
    segments: list[str] = Field(default_factory=lambda: ["*"])
    channels: list[str] = Field(default_factory=lambda: ["*"])
    locales: list[str] = Field(default_factory=lambda: ["*"])
    inputs: InputSpec = Field(default_factory=InputSpec)
    output_schema: str
    model: ModelSpec = Field(default_factory=ModelSpec)
    examples: list[ExampleSpec] = Field(default_factory=list)
    tests: list[CaseSpec] = Field(default_factory=list)
    status: Literal["draft", "candidate", "production", "retired"] = "production"
    evals: list[EvalSpec] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> str:
        return str(v)

    @field_validator("content_type")
    @classmethod
    def _ct(cls, v: str) -> str:
        return _scope(v, vocab.CONTENT_TYPES, "content type")[0]

    @field_validator("industries", mode="before")
    @classmethod
    def _ind(cls, v: Any) -> list[str]:
        return _scope(v, vocab.INDUSTRIES, "industry")

    @field_validator("locales", mode="before")
    @classmethod
    def _loc(cls, v: Any) -> list[str]:
        return _scope(v, vocab.LOCALES, "locale")

    @field_validator("channels", mode="before")
    @classmethod
    def _ch(cls, v: Any) -> list[str]:
        return _scope(v, vocab.CHANNELS, "channel")

    @field_validator("segments", mode="before")
    @classmethod
    def _seg(cls, v: Any) -> list[str]:
        items = [v] if isinstance(v, str) else list(v or [])
        bad = [p for p in items if not fnmatch.filter(vocab.SEGMENTS, p)]
        if bad:
            raise ValueError(
                f"segment pattern(s) {', '.join(map(repr, bad))} match no segment; "
                "use <lifecycle>.<value tier>, dormant.*, *.high_value or *"
            )
        return items

    @field_validator("output_schema")
    @classmethod
    def _schema(cls, v: str) -> str:
        if v not in CONTENT_MODELS:
            raise ValueError(f"unknown output schema {v!r}; choose one of: {', '.join(CONTENT_MODELS)}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> PromptMeta:
        if self.output_schema != self.content_type:
            raise ValueError(f"output_schema {self.output_schema!r} must equal content_type {self.content_type!r}")
        if not self.id.startswith(self.content_type + "/"):
            raise ValueError(f"id {self.id!r} must start with its content type: {self.content_type}/...")
        fits = [c for c in vocab.CHANNELS if self.content_type in vocab.CHANNEL_CONTENT_TYPES[c]]
        wrong = [c for c in self.channels if c != "*" and c not in fits]
        if wrong:
            raise ValueError(f"channels {', '.join(wrong)} do not carry {self.content_type}; use: {', '.join(fits)}")
        return self
