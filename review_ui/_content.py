"""Editing structured content by field name, and applying suggested fixes field by field."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ValidationError

from contentgen.errors import UsageError
from contentgen.schemas import CONTENT_MODELS, content_fields


def set_field(content: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    """A copy of content with the text field `key` (as content_fields names it) set to value."""
    out = copy.deepcopy(content)
    if key == "hashtags":
        out["hashtags"] = [t.lstrip("#") for t in value.split() if t.lstrip("#")]
    elif key.startswith("scenes."):
        _, index, attr = key.split(".", 2)
        out["scenes"][int(index) - 1][attr] = value
    else:
        out[key] = value
    return out


def validate(content: dict[str, Any]) -> BaseModel:
    """The content model for a dict; a person-readable UsageError when it does not fit."""
    from contentgen.errors import validation_message

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


def fix_content(content: BaseModel, report: Any) -> tuple[BaseModel, int]:
    """Apply every substitution suggestion of report to its own field; (new content, fixes applied)."""
    from contentgen.compliance import apply_fixes

    fields = content_fields(content)
    data = content.model_dump(mode="json")
    applied_total = 0
    for key, text in fields.items():
        if not any(f.field == key for f in report.findings):
            continue
        # Offsets are into this field's text; scene fields included (engine's own
        # fix_content covers top-level fields only).
        fixed, applied = apply_fixes(text, report, field=key)
        if applied and fixed != text:
            data = set_field(data, key, fixed)
            applied_total += len(applied)
    return validate(data), applied_total
