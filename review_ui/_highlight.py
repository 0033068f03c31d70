"""Findings shown in the text they were found in: HTML marks coloured by severity, text escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from review_ui._safe import html_text

SEVERITY_COLOURS: dict[str, str] = {"error": "#ffb3b3", "warning": "#ffe08a", "info": "#b8dcff"}
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


def _get(f: Any, name: str) -> Any:
    return f.get(name) if isinstance(f, Mapping) else getattr(f, name, None)


def tooltip(f: Any) -> str:
    """One line a reviewer reads on hover: rule, message, suggestion, reference."""
    parts = [f"[{_get(f, 'severity')}] {_get(f, 'rule')}: {_get(f, 'message')}"]
    if _get(f, "suggestion"):
        parts.append(f"→ {_get(f, 'suggestion')}")
    if _get(f, "reference"):
        parts.append(f"({_get(f, 'reference')})")
    return " ".join(parts)


def spans(text: str, findings: Iterable[Any]) -> list[tuple[int, int, Any]]:
    """Non-overlapping (start, end, finding) ranges inside text, worst severity winning overlaps."""
    usable = []
    for f in findings:
        start, end = int(_get(f, "start") or 0), int(_get(f, "end") or 0)
        if 0 <= start < end <= len(text):
            usable.append((start, end, f))
    # Worst first so that when two findings overlap, the more severe one keeps its colour.
    usable.sort(key=lambda s: (SEVERITY_RANK.get(_get(s[2], "severity"), 3), s[0], -s[1]))
    taken: list[tuple[int, int, Any]] = []
    for start, end, f in usable:
        if all(end <= a or start >= b for a, b, _ in taken):
            taken.append((start, end, f))
    return sorted(taken, key=lambda s: s[0])


def highlight_html(text: str, findings: Iterable[Any]) -> str:
    """text as one line of HTML, each finding's span in a <mark> coloured by severity.

    Everything from the content or the findings goes through html_text: HTML-escaped, Markdown
    punctuation as entities, line breaks as <br> (so the HTML block around it never ends).
    """
    out: list[str] = []
    pos = 0
    for start, end, f in spans(text, findings):
        out.append(html_text(text[pos:start]))
        severity = str(_get(f, "severity"))
        colour = SEVERITY_COLOURS.get(severity, "#dddddd")
        klass = severity if severity in SEVERITY_COLOURS else "other"
        out.append(
            f'<mark class="finding finding-{klass}" '
            f'style="background:{colour};padding:0 2px;border-radius:3px" '
            f'title="{html_text(tooltip(f), attribute=True)}">{html_text(text[start:end])}</mark>'
        )
        pos = end
    out.append(html_text(text[pos:]))
    return "".join(out)


def by_field(findings: Iterable[Any]) -> dict[str | None, list[Any]]:
    """Findings grouped by content field; None holds whole-content findings (a missing element)."""
    grouped: dict[str | None, list[Any]] = {}
    for f in findings:
        grouped.setdefault(_get(f, "field"), []).append(f)
    return grouped


def worst_severity(findings: Iterable[Any]) -> str | None:
    ranks = [SEVERITY_RANK.get(_get(f, "severity"), 3) for f in findings]
    if not ranks:
        return None
    best = min(ranks)
    return next((s for s, r in SEVERITY_RANK.items() if r == best), None)
