"""The operator's bench for generated variants: fix, edit, re-check, save, submit.

A variant is a plain dict kept in session state:
    {"draft": Draft json, "content": current content json, "report": current report json,
     "source": "generated"|"edited"|"auto_fixed", "material_id": str|None,
     "version": int|None, "saved_content": content json last written to the library,
     "status": str|None}
Saving writes the generated draft first and then the operator's change as a new version, so
the library's history shows what the model wrote and what a person changed.
"""

from __future__ import annotations

from typing import Any

from contentgen.compliance import fix_content
from contentgen.kernel.schemas import Brief, Draft
from contentgen.usecases.drafts import save_variant
from review_ui._content import validate, with_fields


def new_variant(draft: Draft) -> dict[str, Any]:
    data = draft.model_dump(mode="json")
    return {
        "draft": data,
        "content": data["content"],
        "report": data["compliance"],
        "source": "generated",
        "material_id": draft.material_id,
        "version": draft.version,
        "saved_content": data["content"] if draft.material_id else None,
        "status": None,
    }


def recheck(content: Any, brief: dict[str, Any]) -> dict[str, Any]:
    """The compliance report for content in the brief's context, as JSON."""
    from contentgen.compliance import check_brief

    model = content if hasattr(content, "model_dump") else validate(content)
    return dict(check_brief(model, Brief.model_validate(brief)).model_dump(mode="json"))


def apply_fixes(variant: dict[str, Any]) -> int:
    """Apply the report's substitution suggestions; returns how many were applied."""
    from contentgen.kernel.report import ComplianceReport

    report = ComplianceReport.model_validate(variant["report"])
    content, fixed = fix_content(validate(variant["content"]), report)
    n = len(fixed)
    if n:
        variant["content"] = content.model_dump(mode="json")
        variant["report"] = recheck(content, variant["draft"]["brief"])
        variant["source"] = "auto_fixed" if variant["source"] == "generated" else "edited"
    return n


def edit(variant: dict[str, Any], edits: dict[str, str]) -> None:
    """Replace edited fields (UsageError when the result does not fit the schema) and re-check."""
    content = with_fields(variant["content"], edits)
    variant["content"] = content.model_dump(mode="json")
    variant["report"] = recheck(content, variant["draft"]["brief"])
    variant["source"] = "edited"


def save(lib: Any, variant: dict[str, Any], author: str) -> None:
    """Write the draft (idempotent) and, when the operator changed it, the change as a new version."""
    saved = (variant["material_id"], variant["version"]) if variant["material_id"] else None
    mv = save_variant(lib, Draft.model_validate(variant["draft"]), variant["content"], saved=saved,
                      saved_content=variant["saved_content"], author=author, source=variant["source"])
    if mv is not None:
        variant["material_id"], variant["version"] = mv.material_id, mv.version
        variant["saved_content"] = variant["content"]
        variant["status"] = mv.status


def submit(lib: Any, variant: dict[str, Any], actor: str) -> None:
    save(lib, variant, actor)
    lib.submit(variant["material_id"], variant["version"], actor=actor)
    variant["status"] = "in_review"
