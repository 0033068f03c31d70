"""Dashboard: the library's aggregate figures as metrics and charts (one query each)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from review_ui._session import library, require_user, t, user_errors

require_user()
st.title(t("page_dashboard"))


def _bars(title: str, counts: dict[str, int]) -> None:
    st.markdown(f"**{title}**")
    if not counts:
        st.caption(t("no_data"))
        return
    st.bar_chart({"count": counts}, horizontal=True, height=220)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


with user_errors():
    stats: dict[str, Any] = library().stats()
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("materials"), stats.get("total", 0), border=True)
    rate = stats.get("approval_rate")
    m2.metric(t("approval_rate"), "—" if rate is None else f"{rate:.0%}", border=True)
    m3.metric(t("median_time"), _duration(stats.get("median_seconds_to_approval")), border=True)
    m4.metric(t("pending"), stats.get("by_status", {}).get("in_review", 0), border=True)
    c1, c2 = st.columns(2)
    with c1:
        _bars(t("by_status"), stats.get("by_status", {}))
        _bars(t("by_channel"), stats.get("by_channel", {}))
    with c2:
        _bars(t("by_industry"), stats.get("by_industry", {}))
        top = {r["rule"]: r["count"] for r in stats.get("top_rules", [])}
        _bars(t("top_rules"), top)
