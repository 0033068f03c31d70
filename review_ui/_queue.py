"""A queue read from the library one item at a time: filters, position, the current item."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from review_ui._session import n, t

ANY = "—"


AGES = {"1d": 1, "3d": 3, "7d": 7}  # waiting at least this many days


def filters(prefix: str, *, findings_filter: bool = True) -> dict[str, Any]:
    """Filter widgets; returns keyword arguments for Library.list (None means any)."""
    # Two rows: seven filters side by side clip their labels and options at 1024 px.
    c1, c2, c3, c4 = st.columns(4)
    c5, c6, c7, _ = st.columns(4)

    # Names looked up now, not when an option is drawn: a format function must not depend on
    # state read later (AppTest calls it outside the script run).
    def named(kind: str, values: tuple[str, ...]) -> Callable[[str], str]:
        return {ANY: t("any"), **{v: n(kind, v) for v in values}}.__getitem__

    chosen: dict[str, Any] = {
        "industry": c1.selectbox(t("industry"), (ANY, *vocab.INDUSTRIES), key=f"{prefix}_f_industry",
                                 format_func=named("industry", vocab.INDUSTRIES)),
        "channel": c2.selectbox(t("channel"), (ANY, *vocab.CHANNELS), key=f"{prefix}_f_channel",
                                format_func=named("channel", vocab.CHANNELS)),
        "segment": c3.selectbox(t("segment"), (ANY, *vocab.SEGMENTS), key=f"{prefix}_f_segment",
                                format_func=named("segment", vocab.SEGMENTS)),
        "locale": c4.selectbox(t("locale"), (ANY, *vocab.LOCALES), key=f"{prefix}_f_locale",
                               format_func=named("locale", vocab.LOCALES)),
    }
    yes_no = {ANY: t("any"), "yes": t("queue_yes"), "no": t("queue_no")}
    findings = (
        c5.selectbox(t("has_findings"), (ANY, "yes", "no"), key=f"{prefix}_f_findings",
                     format_func=yes_no.__getitem__)
        if findings_filter
        else ANY
    )
    ages = {ANY: t("any"), **{k: t("queue_days", n=d) for k, d in AGES.items()}}
    age = c6.selectbox(t("waiting_at_least"), (ANY, *AGES), key=f"{prefix}_f_age",
                       format_func=ages.__getitem__)
    oldest = c7.toggle(t("oldest_first"), value=True, key=f"{prefix}_f_oldest")
    args = {k: v for k, v in chosen.items() if v != ANY}
    if age != ANY:
        since = datetime.now(UTC) - timedelta(days=AGES[age])
        args["updated_before"] = since.isoformat()
    if findings != ANY:
        args["has_findings"] = findings == "yes"
    # Age: the oldest waiting item first is how a queue is worked; newest first on demand.
    args["order"] = "updated_asc" if oldest else "updated_desc"
    return args


def current(lib: Any, prefix: str, query: dict[str, Any]) -> tuple[Any | None, int, int]:
    """(material or None, position, total): one row from the database, never the whole queue."""
    key = f"{prefix}_pos"
    pos = int(st.session_state.get(key, 0))
    page = lib.list(**query, limit=1, offset=pos)
    if not page.items and page.total and pos >= page.total:
        # The last item left the queue (decided elsewhere): step back to the new last one.
        pos = page.total - 1
        page = lib.list(**query, limit=1, offset=pos)
    st.session_state[key] = pos
    return (page.items[0] if page.items else None), pos, page.total


def navigator(prefix: str, pos: int, total: int) -> None:
    def move(step: int) -> None:
        st.session_state[f"{prefix}_pos"] = max(0, min(total - 1, pos + step))

    c1, c2, c3 = st.columns([1, 2, 1])
    c1.button(t("previous"), key=f"{prefix}_prev", on_click=move, args=(-1,), disabled=pos <= 0)
    c2.markdown(f"**{t('item_of', i=pos + 1, n=total)}**")
    c3.button(t("next"), key=f"{prefix}_next", on_click=move, args=(1,), disabled=pos + 1 >= total)
