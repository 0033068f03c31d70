"""Shapes of the delivery API's requests and responses (they also make /openapi.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contentgen.kernel import vocab


class ErrorDetail(BaseModel):
    code: str = Field(description="unauthorized, forbidden, not_found, invalid_request, invalid_cursor, conflict…")
    message: str = Field(description="what went wrong and how to fix it")


class ErrorBody(BaseModel):
    error: ErrorDetail


class Payload(BaseModel):
    format: Literal["text", "markdown", "json"]
    body: str | dict[str, Any] = Field(description="the channel rendering from templates/<channel>.*.j2")
    offline: bool = Field(default=False, description="true when contentgen's offline model (no LLM) wrote the text")


class MaterialItem(BaseModel):
    """One released material version, as the delivery system sends it."""

    id: str
    version: int
    channel: str
    industry: str
    segment: str | None
    persona: str | None
    content_type: str
    locale: str
    tags: list[str]
    plan_id: str | None
    send_at: str | None
    title: str
    payload: Payload


class MaterialPage(BaseModel):
    items: list[MaterialItem]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class Tombstone(BaseModel):
    id: str
    version: int = Field(description="the version that was served and must no longer be sent")


class SyncPage(BaseModel):
    items: list[MaterialItem] = Field(description="released now: add or replace by id")
    deleted: list[Tombstone] = Field(description="retired: stop sending these")
    next_cursor: str = Field(description="keep it; the next call returns only what changed since")
    has_more: bool = Field(description="true: call again at once with next_cursor")


class DeliveryAck(BaseModel):
    """What the delivery system sent: which released version, on which channel, to how many."""

    model_config = ConfigDict(extra="forbid")
    material_id: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1, le=2**63 - 1)  # bounded: SQLite integers are 64-bit
    channel: str
    recipients: int = Field(ge=0, le=1_000_000_000)
    sent_at: datetime | None = Field(default=None, description="ISO-8601 time of sending")
    # Checked by library.sent_text (a 422 over 20,000 characters), not here: a schema limit
    # would be a 400 like any malformed body.
    sent_text: str | None = Field(default=None, description=(
        "the text actually sent, when the sender could edit it (WeCom): compared with the "
        "approved payload; a material edit is queued for review. At most 20,000 characters"))
    recipient_name: str | None = Field(default=None, description=(
        "the recipient's name as greeted in sent_text: ignored in the comparison, never stored"))
    sender: str | None = Field(default=None, description="who sent it (e.g. the salesperson's WeCom user id)")

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if v not in vocab.CHANNELS:
            raise ValueError(f"unknown channel {v!r}; choose one of: {', '.join(vocab.CHANNELS)}")
        return v


class DeliveryReceipt(BaseModel):
    id: int
    material_id: str
    version: int
    channel: str
    recipients: int
    sent_at: str | None
    received_at: str
    edited_after_approval: bool | None = Field(
        default=None, description="true: sent_text differs from the approved text (queued for a "
        "reviewer); false: it matches; null: no sent_text was reported")
