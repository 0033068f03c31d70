"""Rendering shared by pages: content with highlighted findings, provenance, history, diff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from contentgen.kernel.schemas import CONTENT_MODELS, content_fields
from review_ui._diff import field_diff, table_html
from review_ui._highlight import by_field, highlight_html
from review_ui._i18n import LABELS
from review_ui._safe import code, html_text, md
from review_ui._session import n, offline_badge, t

# Badge colours, not emoji: the colour must show on machines without an emoji font.
SEVERITY_COLOURS = {"error": "red", "warning": "orange", "info": "blue"}
VERDICT_COLOURS = {"block": "red", "warn": "orange", "pass": "green"}
_SCENE_PARTS = {"visual": "view_visual", "voice_over": "view_voice_over", "caption": "view_caption"}
# Brief fields whose values are vocabulary identifiers, by the kind their names are filed under.
_BRIEF_KINDS = {"industry": "industry", "segment": "segment", "persona": "persona",
                "content_type": "content_type", "channel": "channel", "locale": "locale",
                "touch_model": "touch_model", "product_type": "product_type",
                "objective": "objective", "preferred_channels": "channel"}


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


def _known(key: str, fallback: object) -> str:
    """The label for key when the catalogue has it, else the value as it is."""
    return t(key) if key in LABELS else str(fallback)


def field_label(name: str) -> str:
    """A content field's name for people: "scenes.2.voice_over" -> "镜头 2 · 口播"."""
    if name.startswith("scenes."):
        _, index, part = (name.split(".", 2) + ["", ""])[:3]
        return t("view_field_scene", i=index, part=_known(_SCENE_PARTS.get(part, ""), part))
    return n("field", name)


def short_time(value: object) -> str:
    """An ISO-8601 UTC time as "2025-05-01 09:30 UTC" (the library stores UTC)."""
    s = str(value or "")
    if len(s) < 16 or s[10] != "T":
        return s
    return f"{s[:10]} {s[11:16]} UTC" if s.endswith(("Z", "+00:00")) else f"{s[:10]} {s[11:16]}"


def verdict_badge(report: Any, model: Any = None) -> None:
    """The verdict, and the offline marker when the draft came from the offline model."""
    if model is not None:
        offline_badge(model)
    verdict = str(as_dict(report).get("verdict", "pass"))
    colour = VERDICT_COLOURS.get(verdict, "gray")
    st.markdown(f"{t('verdict')}: :{colour}-badge[{md(n('verdict', verdict))}]")


def content_view(content: Mapping[str, Any], report: Any) -> None:
    """Every text field of the content with its findings marked where they were found."""
    model = CONTENT_MODELS[str(content["kind"])].model_validate(dict(content))
    grouped = by_field(findings_of(report))
    for name, text in content_fields(model).items():
        if not text:
            continue
        # The only HTML built from content: highlight_html escapes all of it (see _safe).
        st.markdown(
            f'<div class="cg-field"><small><b>{html_text(field_label(name))}</b></small><br>'
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
            where = f" · {md(field_label(str(f['field'])))}" if f.get("field") else ""
            match = f" «{md(f['match'])}»" if f.get("match") else ""
            severity = str(f.get("severity", ""))
            badge = f":{SEVERITY_COLOURS.get(severity, 'gray')}-badge[{md(n('severity', severity))}]"
            lines = [f"{badge} **{md(f.get('rule'))}**{where}{match}: {md(f.get('message'))}"]
            if f.get("suggestion"):
                lines.append(f"{t('suggestion')}: {md(f['suggestion'])}")
            if f.get("reference"):
                lines.append(f"{t('reference')}: _{md(f['reference'])}_")
            st.markdown("  \n".join(lines))


def _prompt(ref: object) -> str:
    """prompt_ref "id@version+sha256" as the id@version a person recognises, hash shortened."""
    if not ref:
        return t("view_none")
    head, _, digest = str(ref).partition("+")
    return code(head) + (f" · {code(digest[:12])}" if digest else "")


def _brief_rows(brief: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the operator asked for, field by field, identifiers by their names."""
    rows = []
    for key, value in brief.items():
        if value in (None, "", [], {}):
            continue
        kind = _BRIEF_KINDS.get(key)
        values = value if isinstance(value, list) else [value]
        shown = [n(kind, v) if kind else str(v) for v in values]
        rows.append((n("field", key), md(" · ".join(shown))))
    return rows


def _parameters(params: Mapping[str, Any]) -> str:
    return " · ".join(f"{_known(f'view_param_{k}', k)} {v}" for k, v in params.items()
                      if k != "learned_from") or t("view_none")


def _learned(params: Mapping[str, Any]) -> str:
    """Which proven and weak versions the model was shown (usecases.learning), or none."""
    found = as_dict(params.get("learned_from"))
    if not found:
        return t("view_learned_none")

    def refs(items: Any) -> str:
        return ", ".join(f"{code(as_dict(e).get('material_id'))} v{md(as_dict(e).get('version'))} "
                         f"({float(as_dict(e).get('rate') or 0):.1%})" for e in items or []) or t("view_none")
    return t("view_learned", metric=t(f"perf_rate_{found.get('metric')}"), examples=refs(found.get("examples")),
             avoid=refs(found.get("avoid")))


def provenance_view(version: Any, material: Any = None) -> None:
    """Prompt, model (offline marked), rule packs, rewrites, author, times: a card to read; the
    brief and the model parameters below it, in words too (no raw JSON: it names identifiers)."""
    v = as_dict(version)
    prov = as_dict(v.get("provenance")) or v
    model = as_dict(prov.get("model"))
    generation = as_dict(v.get("generation"))
    attempts = [as_dict(a) for a in generation.get("attempts") or []]
    packs = as_dict(v.get("compliance")).get("packs") or []
    m = as_dict(material)
    offline_badge(model)
    kind = t("view_model_offline") if model.get("offline") else t("view_model_online")
    # The provider is a proper name ("openai"); for the offline model the kind says it all.
    provider = "" if model.get("offline") or not model.get("provider") else f" · {md(model['provider'])}"
    name = f"{code(model.get('name'))}{provider} · {kind}" if model else t("view_none")
    source = str(prov.get("source") or "")
    rows = [
        (t("view_prov_prompt"), _prompt(prov.get("prompt_ref"))),
        (t("view_prov_model"), name),
        (t("view_prov_source"), md(n("source", source)) if source else t("view_none")),
        (t("view_prov_packs"), ", ".join(f"{code(as_dict(p).get('id'))} v{md(as_dict(p).get('version'))}"
                                         for p in packs) or t("view_none")),
        (t("view_prov_rewrites"), t("view_prov_rounds",
                                    r=sum(a.get("purpose") == "rewrite" for a in attempts),
                                    p=sum(a.get("purpose") == "repair" for a in attempts))),
        (t("view_prov_learned"), _learned(as_dict(prov.get("parameters")))),
        (t("view_prov_author"), md(v.get("author") or m.get("created_by") or t("view_none"))),
        (t("view_prov_created"), md(short_time(v.get("created_at")))),
    ]
    if generation.get("variant"):
        rows.insert(2, (t("view_prov_variant"), md(generation["variant"])))
    if m.get("updated_at"):
        rows.append((t("view_prov_updated"), md(short_time(m["updated_at"]))))
    with st.container(border=True):
        st.markdown("  \n".join(f"**{label}**: {value}" for label, value in rows))
    brief = as_dict(prov.get("brief"))
    with st.expander(t("view_prov_brief"), expanded=False):
        lines = [f"**{label}**: {value}" for label, value in _brief_rows(brief)]
        lines.append(f"**{t('view_prov_parameters')}**: {md(_parameters(as_dict(prov.get('parameters'))))}")
        st.markdown("  \n".join(lines))


def diff_view(old: Any, new: Any) -> None:
    """The previous version beside this one, field by field, changes marked; the table wraps."""
    o, c = as_dict(old), as_dict(new)
    rows, same = field_diff(o["content"], c["content"])
    if not rows:
        st.caption(t("view_diff_none"))
        return
    st.markdown(table_html(rows, label=field_label,
                           old=t("view_diff_old", v=o.get("version")),
                           new=t("view_diff_new", v=c.get("version"))), unsafe_allow_html=True)
    if same:
        st.caption(t("view_diff_same", n=same))


def history_view(events: list[Any]) -> None:
    """Events as a table: dataframe cells are plain text, so reasons need no escaping."""
    rows = []
    for e in events:
        d = as_dict(e)
        status_from, status_to = d.get("from_status"), d.get("to_status")
        rows.append(
            {
                t("view_hist_at"): short_time(d.get("at") or d.get("created_at")),
                t("view_hist_who"): d.get("actor") or d.get("who") or "",
                t("view_hist_role"): n("role", d["role"]) if d.get("role") else "",
                t("view_hist_action"): n("action", d["action"]) if d.get("action") else "",
                t("view_hist_from"): n("status", status_from) if status_from else "",
                t("view_hist_to"): n("status", status_to) if status_to else "",
                t("view_hist_version"): d.get("version"),
                t("view_hist_reason"): d.get("reason") or "",  # an empty cell, not "None"
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
