"""The pre-send score in review: one line beside the decision, the evidence in its own tab."""

from __future__ import annotations

from typing import Any

import streamlit as st

from library.performance_views import short_id
from library.presend import NO_HISTORY, PresendScore
from review_ui._safe import md
from review_ui._session import t

SHOWN = ("clicked", "replied", "converted", "unsubscribed")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def summary(score: PresendScore | str) -> None:
    """One caption: the expected click rate and its interval, or why there is none (a str: the
    error that stopped the score, already escaped)."""
    if isinstance(score, str):
        st.warning(f"{t('presend_failed')}: {score}")
        return
    if score.note == NO_HISTORY:
        st.caption(t("presend_no_history"))
        return
    clicked = score.estimates["clicked"]
    if clicked.rate is None:
        st.caption(t("presend_thin", n=len(score.evidence)))
        return
    st.caption(t("presend_line", rate=_pct(clicked.rate), low=_pct(clicked.low), high=_pct(clicked.high),
                 n=len(score.evidence)))


def details(score: PresendScore | str) -> None:
    """Every estimate with its interval, and the past versions it rests on, most similar first."""
    st.caption(t("presend_method"))
    if isinstance(score, str):
        st.warning(f"{t('presend_failed')}: {score}")
        return
    if score.note == NO_HISTORY:
        st.info(t("presend_no_history"))
        return
    rows: list[dict[str, Any]] = [
        {t("presend_col_metric"): t(f"perf_rate_{m}"), t("presend_col_expected"): _pct(e.rate),
         t("presend_col_interval"): "—" if e.low is None else f"{_pct(e.low)} – {_pct(e.high)}",
         t("presend_col_weight"): round(e.weighted_reached)}
        for m, e in ((m, score.estimates[m]) for m in SHOWN)]
    st.dataframe(rows, hide_index=True, width="stretch")
    rates = [n.counts["clicked"] / n.reached for n in score.evidence]
    # The interval is of the pooled sends; how far the neighbours differ is said beside it.
    st.caption(t("presend_spread", low=_pct(min(rates)), high=_pct(max(rates)), n=len(rates)))
    st.markdown(f"**{t('presend_evidence')}**")
    # Figures first, the title last: at 1024 px a long title pushed the figures out of sight.
    st.dataframe([
        {t("presend_col_similarity"): f"{n.similarity:.0%}", t("perf_rate_clicked"): _pct(n.counts["clicked"] / n.reached),
         t("presend_col_reached"): n.reached, t("presend_col_id"): f"{short_id(n.material_id)} v{n.version}",
         t("presend_col_title"): n.title or "—"}
        for n in score.evidence], hide_index=True, width="stretch")
    if score.note:
        st.caption(md(t("presend_thin", n=len(score.evidence))))
