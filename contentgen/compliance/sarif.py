"""SARIF 2.1.0 output, so code-scanning tools can show findings next to the text."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from contentgen.compliance import kinds
from contentgen.kernel.report import ComplianceReport, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _region(text: str, f: Finding) -> dict[str, Any]:
    sl, sc = line_col(text, f.start)
    el, ec = line_col(text, f.end)
    return {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec,
            "charOffset": f.start, "charLength": f.end - f.start}


def to_sarif(results: list[tuple[str, str, ComplianceReport]]) -> dict[str, Any]:
    """One SARIF log with one run: results for (path, original text, report) triples."""
    rules: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for path, text, report in results:
        for f in report.findings:
            if f.rule not in rules:
                rules[f.rule] = {
                    "id": f.rule,
                    "shortDescription": {"text": f.message},
                    "defaultConfiguration": {"level": _LEVEL[f.severity]},
                    "properties": {"reference": f.reference, "kind": f.kind},
                }
            message = f.message + (f" ({f.suggestion})" if f.suggestion else "")
            if f.reference:
                message += f" [{f.reference}]"
            result: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": list(rules).index(f.rule),
                "level": _LEVEL[f.severity],
                "message": {"text": message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": path},
                    "region": _region(text, f),
                }}],
            }
            kind = kinds.find(f.kind)
            if kind is not None and kind.repair == "replace" and f.suggestion is not None:
                result["fixes"] = [{
                    "description": {"text": f"Replace with {f.suggestion!r}"},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": path},
                        "replacements": [{"deletedRegion": _region(text, f),
                                          "insertedContent": {"text": f.suggestion}}],
                    }],
                }]
            out.append(result)
    try:
        tool_version = version("contentgen")
    except PackageNotFoundError:
        tool_version = "0"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "contentgen", "version": tool_version,
                                "rules": list(rules.values())}},
            "columnKind": "unicodeCodePoints",
            "artifacts": [{"location": {"uri": path}, "encoding": "utf-8"} for path, _, _ in results],
            "results": out,
        }],
    }
