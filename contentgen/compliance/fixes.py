"""Automatic fixes (substitutions) and rewrite instructions for the model."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from contentgen.compliance import kinds
from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import content_fields, set_field


def _repair(f: Finding) -> str | None:
    """How the finding's rule kind repairs it ('replace', 'append'), None for a person to fix."""
    kind = kinds.find(f.kind)
    return kind.repair if kind is not None else None


def _fixable(f: Finding) -> bool:
    return _repair(f) == "replace" and f.suggestion is not None and f.end > f.start


def apply_fixes(text: str, report: ComplianceReport, *, field: str | None = None) -> tuple[str, list[Finding]]:
    """Apply substitution suggestions right to left; overlapping ones after the first are skipped.

    `field` picks the findings of one content field (None: findings without a field).
    """
    chosen = [f for f in report.findings if _fixable(f) and f.field == field]
    chosen.sort(key=lambda f: (f.start, -f.end))
    applied: list[Finding] = []
    last_end = -1
    for f in chosen:
        if f.start < last_end or text[f.start:f.end] != f.match:
            continue  # overlaps one already taken, or the report is not about this text
        applied.append(f)
        last_end = f.end
    for f in reversed(applied):
        text = text[: f.start] + (f.suggestion or "") + text[f.end :]
    if field is None or field == _STATEMENT_FIELD:
        for f in _statements(report):
            text = text.rstrip() + _joiner(text) + (f.fix or "")
            applied.append(f)
    return text, applied


# A missing required statement (from the disclosures library) is appended to the body.
_STATEMENT_FIELD = "body"


def _statements(report: ComplianceReport) -> list[Finding]:
    """Findings of missing required statements that the disclosures library can supply, once each."""
    out: list[Finding] = []
    for f in report.findings:
        if f.fix and _repair(f) == "append" and all(o.fix != f.fix for o in out):
            out.append(f)
    return out


def _joiner(text: str) -> str:
    last = text.rstrip()[-1:] if text.strip() else ""
    if not last:
        return ""
    return "" if "\u3000" <= last <= "\u9fff" or last in "。！？" else " "


def fix_content(content: BaseModel, report: ComplianceReport) -> tuple[BaseModel, list[Finding]]:
    """Apply substitutions field by field (scene fields and hashtags included); re-validated."""
    fields = content_fields(content)
    data = content.model_dump(mode="json")
    applied: list[Finding] = []
    names = {f.field for f in report.findings if _fixable(f) and f.field}
    if _statements(report) and _STATEMENT_FIELD in fields:
        names.add(_STATEMENT_FIELD)
    for name in sorted(n for n in names if n):
        text = fields.get(name)
        if text is None:
            continue
        fixed, done = apply_fixes(text, report, field=name)
        if done and fixed != text:
            data = set_field(data, name, fixed)
            applied += done
    return type(content).model_validate(data), applied


def rewrite_instructions(report: ComplianceReport) -> list[dict[str, Any]]:
    """Error findings as plain instructions the pipeline sends back to the model.

    Each item keeps the finding's `message` and `suggestion` as context for a model that reads
    advice; the text a model may put into the draft is only ever in `replacement` (a
    substitution rule's replacement) or `statement` (a required statement from the disclosures
    library, the finding's `fix`). Advice is never content: pasting "删去…" into a post is how a
    rewrite corrupts a draft.
    """
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for f in report.findings:
        if f.severity != "error" or (f.rule, f.match) in seen:
            continue
        seen.add((f.rule, f.match))
        item: dict[str, Any] = {"rule": f.rule, "field": f.field, "kind": f.kind, "match": f.match,
                                "message": f.message, "suggestion": f.suggestion}
        if _repair(f) == "append":
            instruction = f"Add this required element: {f.suggestion}" if f.suggestion else f.message
            if f.fix:
                item["statement"] = f.fix
                instruction += "" if f.fix == f.suggestion else f" (write it word for word: {f.fix})"
        elif _fixable(f):
            item["replacement"] = f.suggestion
            instruction = f"Replace {f.match!r} with {f.suggestion!r}"
        else:
            instruction = (f"Rewrite the sentence holding {f.match!r} without that claim, or drop the sentence"
                           + (f"; advice, not text to copy: {f.suggestion}" if f.suggestion else ""))
        item["instruction"] = instruction
        out.append(item)
    return out


def unified_diff(before: str, after: str, path: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
