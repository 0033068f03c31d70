"""Rules: the compliance packs in force, and a box where anyone pastes text to see findings live."""

from __future__ import annotations

from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from review_ui._highlight import highlight_html
from review_ui._queue import ANY
from review_ui._session import require_user, settings, t, user_errors
from review_ui._views import findings_list, verdict_badge

require_user()
st.title(t("page_rules"))


def _packs() -> list[Any]:
    from contentgen.compliance import load_packs

    return list(load_packs(settings().rules_dir))


with user_errors():
    packs = _packs()
    st.subheader(t("packs"))
    st.dataframe(
        [
            {
                "id": p.id,
                "version": p.version,
                "title": p.title,
                "locales": ", ".join(p.locales),
                "industries": ", ".join(p.scope.industries or ["*"]),
                "rules": len(p.rules),
            }
            for p in packs
        ],
        hide_index=True,
        width="stretch",
    )
    chosen = st.selectbox(t("packs"), [p.id for p in packs], key="rules_pack")
    pack = next((p for p in packs if p.id == chosen), None)
    if pack is not None:
        with st.expander(f"{pack.id}: {len(pack.rules)}"):
            st.dataframe(
                [
                    {"rule": r.id, "kind": r.kind, "level": r.level, "message": r.message,
                     "reference": r.reference}
                    for r in pack.rules
                ],
                hide_index=True,
                width="stretch",
            )

    st.subheader(t("paste_text"))
    c1, c2, c3, c4 = st.columns(4)
    locale = c1.selectbox(t("locale"), vocab.LOCALES, key="rules_locale")
    industry = c2.selectbox(t("industry"), (ANY, *vocab.INDUSTRIES), key="rules_industry")
    channel = c3.selectbox(t("channel"), (ANY, *vocab.CHANNELS), key="rules_channel")
    content_type = c4.selectbox(t("content_type"), (ANY, *vocab.CONTENT_TYPES), key="rules_content_type")
    text = st.text_area(t("paste_text"), key="rules_text", height=140)
    if text.strip():
        from contentgen.compliance import check_text

        report = check_text(
            text,
            locale=locale,
            industry=None if industry == ANY else industry,
            channel=None if channel == ANY else channel,
            content_type=None if content_type == ANY else content_type,
        )
        verdict_badge(report)
        st.markdown(highlight_html(text, report.findings), unsafe_allow_html=True)
        findings_list(report)
