"""Rules: the compliance packs in force, and a box where anyone pastes text to see findings live."""

from __future__ import annotations

from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from library.feedback import DECIDERS
from review_ui import _suggestions
from review_ui._highlight import highlight_html
from review_ui._queue import ANY
from review_ui._session import lang, n, require_user, settings, t, user_errors
from review_ui._views import findings_list, verdict_badge

user = require_user()
st.title(t("page_rules"))


def _packs() -> list[Any]:
    from contentgen.compliance import load_packs

    return list(load_packs(settings().rules_dir))


def _names(kind: str, values: list[str] | tuple[str, ...], every: str) -> str:
    return ("、" if lang() == "zh" else ", ").join(n(kind, v) for v in values) or t(every)


def _pick(column: Any, kind: str, options: tuple[str, ...], *, any_first: bool = True) -> str | None:
    """A selectbox over one dimension in human names; None for "any"."""
    choices = (ANY, *options) if any_first else options
    # Names are worked out in this run: AppTest calls format_func again outside the session.
    shown = {v: t("any") if v == ANY else n(kind, v) for v in choices}
    value = column.selectbox(t(kind), choices, key=f"rules_{kind}", format_func=shown.__getitem__)
    return None if value == ANY else str(value)


with user_errors():
    packs = _packs()
    st.subheader(t("packs"))
    st.dataframe(
        [
            {
                t("rules_col_pack"): p.id,
                t("version"): p.version,
                t("rules_col_title"): p.title,  # written in the pack's own language
                t("locale"): _names("locale", p.locales, "rules_all_locales"),
                t("industry"): _names("industry", p.scope.industries or [], "rules_all_industries"),
                t("rules_col_count"): len(p.rules),
            }
            for p in packs
        ],
        hide_index=True,
        width="stretch",
    )
    chosen = st.selectbox(t("packs"), [p.id for p in packs], key="rules_pack")
    pack = next((p for p in packs if p.id == chosen), None)
    if pack is not None:
        with st.expander(t("rules_pack_rules", pack=pack.id, n=len(pack.rules))):
            st.dataframe(
                [
                    {t("rules_col_rule"): r.id, t("rules_col_kind"): n("rule_kind", r.kind),
                     t("rules_col_level"): n("severity", r.level),
                     t("rules_col_message"): r.message, t("reference"): r.reference}
                    for r in pack.rules
                ],
                hide_index=True,
                width="stretch",
            )

    st.subheader(t("paste_text"))
    c1, c2, c3, c4 = st.columns(4)
    locale = _pick(c1, "locale", vocab.LOCALES, any_first=False) or vocab.LOCALES[0]
    industry = _pick(c2, "industry", vocab.INDUSTRIES)
    channel = _pick(c3, "channel", vocab.CHANNELS)
    content_type = _pick(c4, "content_type", vocab.CONTENT_TYPES)
    text = st.text_area(t("paste_text"), key="rules_text", height=140)
    if text.strip():
        from contentgen.compliance import check_text

        report = check_text(text, locale=locale, industry=industry, channel=channel,
                            content_type=content_type)
        verdict_badge(report)
        st.markdown(highlight_html(text, report.findings), unsafe_allow_html=True)
        findings_list(report)

if user.role in DECIDERS:
    with user_errors():
        _suggestions.section(user.name)
