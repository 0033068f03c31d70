"""Rendering shared by pages: content with highlighted findings, provenance, history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from contentgen.kernel.schemas import CONTENT_MODELS, content_fields
from review_ui._highlight import by_field, highlight_html
from review_ui._safe import code, html_text, md
from review_ui._session import offline_badge, t

# Badges, not emoji: the colour must show on machines without an emoji font.
SEVERITY_BADGES = {"error": ":red-badge[error]", "warning": ":orange-badge[warning]",
                   "info": ":blue-badge[info]"}
VERDICT_COLOURS = {"block": "red", "warn": "orange", "pass": "green"}


def as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump(mode="json"))
    return dict(vars(obj))


def findings_of(report: Any) -> list[dict[str, Any]]:
    return [as_dict(f) for f in as_dict(report).get("findings", [])]


def verdict_badge(report: Any, model: Any = None) -> None:
    """The verdict, and the offline marker when the draft came from the offline model."""
    if model is not None:
        offline_badge(model)
    verdict = str(as_dict(report).get("verdict", "pass"))
    st.markdown(f"{t('verdict')}: :{VERDICT_COLOURS.get(verdict, 'gray')}-badge[{md(verdict)}]")


def content_view(content: Mapping[str, Any], report: Any) -> None:
    """Every text field of the content with its findings marked where they were found."""
    model = CONTENT_MODELS[str(content["kind"])].model_validate(dict(content))
    grouped = by_field(findings_of(report))
    for name, text in content_fields(model).items():
        if not text:
            continue
        # The only HTML built from content: highlight_html escapes all of it (see _safe).
        st.markdown(
            f'<div class="cg-field"><small><b>{html_text(name)}</b></small><br>'
            f"{highlight_html(text, grouped.get(name, []))}</div>",
            unsafe_allow_html=True,
        )


def findings_list(report: Any) -> None:
    """Each finding with its message, suggestion and legal reference."""
    findings = findings_of(report)
    if not findings:
        st.success(t("no_findings"), icon=":material/check_circle:")
        return
    with st.expander(f"{t('findings')} ({len(findings)})", expanded=True):
        for f in findings:
            # Match, message, suggestion and reference may quote content or the model judge.
            where = f" · {code(f['field'])}" if f.get("field") else ""
            match = f" «{md(f['match'])}»" if f.get("match") else ""
            severity = str(f.get("severity", ""))
            lines = [
                f"{SEVERITY_BADGES.get(severity, md(severity))} "
                f"**{md(f.get('rule'))}**{where}{match}: "
                f"{md(f.get('message'))}"
            ]
            if f.get("suggestion"):
                lines.append(f"{t('suggestion')}: {md(f['suggestion'])}")
            if f.get("reference"):
                lines.append(f"{t('reference')}: _{md(f['reference'])}_")
            st.markdown("  \n".join(lines))


def provenance_view(version: Any) -> None:
    """Prompt, model (offline marked), parameters, brief: what a reviewer needs to trust a draft."""
    v = as_dict(version)
    prov = as_dict(v.get("provenance")) or v
    model = prov.get("model") or {}
    offline_badge(model)
    st.json(
        {
            "prompt_ref": prov.get("prompt_ref"),
            "model": model,
            "source": prov.get("source"),
            "parameters": prov.get("parameters"),
            "brief": prov.get("brief"),
            "author": v.get("author"),
            "created_at": v.get("created_at"),
        },
        expanded=False,
    )


def history_view(events: list[Any]) -> None:
    """Events as a table: dataframe cells are plain text, so reasons need no escaping."""
    rows = []
    for e in events:
        d = as_dict(e)
        rows.append(
            {
                "at": d.get("at") or d.get("created_at"),
                "who": d.get("actor") or d.get("who"),
                "role": d.get("role"),
                "action": d.get("action"),
                "from": d.get("from_status"),
                "to": d.get("to_status"),
                "version": d.get("version"),
                "reason": d.get("reason"),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
