"""Editing structured content by field name, validated for the UI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from contentgen.kernel.errors import UsageError
from contentgen.kernel.schemas import CONTENT_MODELS, set_field


def validate(content: dict[str, Any]) -> BaseModel:
    """The content model for a dict; a person-readable UsageError when it does not fit."""
    from contentgen.kernel.errors import validation_message

    model = CONTENT_MODELS.get(str(content.get("kind")))
    if model is None:
        raise UsageError(f"unknown content kind {content.get('kind')!r}")
    try:
        return model.model_validate(content)
    except ValidationError as e:
        raise UsageError(validation_message(e)) from None


def with_fields(content: dict[str, Any], edits: dict[str, str]) -> BaseModel:
    """Content with every edited field replaced, validated."""
    for key, value in edits.items():
        content = set_field(content, key, value)
    return validate(content)
