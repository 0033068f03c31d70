"""Library: full-text search and filters, paged from the database; versions, audit, release/retire."""

from __future__ import annotations

from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from contentgen.kernel.errors import ContentgenError
from review_ui._queue import ANY
from review_ui._safe import code, md
from review_ui._session import error_text, library, may, n, require_user, t, user_errors
from review_ui._views import (
    content_view,
    diff_view,
    findings_list,
    history_view,
    provenance_view,
    verdict_badge,
)

PAGE_SIZE = 25
STATUSES = ("draft", "in_review", "approved", "changes_requested", "rejected", "released", "retired",
            "withdrawn")

user = require_user()
lib = library()
st.title(t("page_library"))



def _filter(column: Any, kind: str, options: tuple[str, ...]) -> str:
    """A filter over one dimension: human names shown, the identifier kept as the value."""
    # Names are worked out in this run: AppTest calls format_func again after the run, outside
    # the session, where a lookup would fall back to the default language.
    shown = {v: t("any") if v == ANY else n(kind, v) for v in (ANY, *options)}
    return str(column.selectbox(t(kind), tuple(shown), key=f"l_{kind}", format_func=shown.__getitem__))


q = st.text_input(t("search"), key="l_q", placeholder="…")
c1, c2, c3, c4, c5 = st.columns(5)
query: dict[str, Any] = {
    "status": _filter(c1, "status", STATUSES),
    "industry": _filter(c2, "industry", vocab.INDUSTRIES),
    "channel": _filter(c3, "channel", vocab.CHANNELS),
    "segment": _filter(c4, "segment", vocab.SEGMENTS),
    "locale": _filter(c5, "locale", vocab.LOCALES),
}
query = {k: v for k, v in query.items() if v != ANY}
if q.strip():
    query["q"] = q.strip()


def _act(action: str, material_id: str, version: int) -> None:
    reason = st.session_state.get("l_reason") or None
    try:
        if action == "release":
            lib.release(material_id, version, actor=user.name)
        else:
            lib.retire(material_id, actor=user.name, reason=reason)
    except ContentgenError as e:
        st.session_state["l_error"] = error_text(e)
    else:
        st.session_state["l_notice"] = f"{n('action', action)}: {code(material_id)} v{version}"


def _material(material_id: str) -> None:
    m = lib.get(material_id)
    st.markdown(
        f"### {md(m.title or m.id)}\n{code(m.id)} · **{md(n('status', m.status))}** · v{m.current_version}"
        + (f" · {t('released')} v{m.released_version}" if m.released_version else "")
    )
    versions = list(range(m.current_version, 0, -1))
    shown = {i: t("lib_version_n", n=i) for i in versions}
    number = st.selectbox(t("version"), versions, key=f"l_version_{m.id}", format_func=shown.__getitem__)
    v = lib.get_version(m.id, number)
    left, right = st.columns([3, 2])
    with left:
        verdict_badge(v.compliance, v.model)
        content_view(v.content, v.compliance)
        findings_list(v.compliance)
    with right:
        prov, hist, diff = st.tabs([t("provenance"), t("history"), t("diff")])
        with prov:
            provenance_view(v)
        with hist:
            history_view(lib.history(m.id))
        with diff:
            if v.parent_version:
                diff_view(lib.get_version(m.id, v.parent_version), v)
            else:
                st.caption(t("no_previous"))
    if m.status == "approved" and may(user.role, "release"):
        st.button(t("release"), key="l_release", type="primary", on_click=_act,
                  args=("release", m.id, m.current_version))
    if m.status == "released" and may(user.role, "retire"):
        st.text_input(t("reason"), key="l_reason")
        st.button(t("retire"), key="l_retire", on_click=_act, args=("retire", m.id, m.current_version))


with user_errors():
    if msg := st.session_state.pop("l_notice", None):
        st.success(msg)
    if msg := st.session_state.pop("l_error", None):
        st.error(msg)
    total = lib.list(**query, limit=1, offset=0).total
    pages = max(1, -(-total // PAGE_SIZE))
    cpage, ctotal = st.columns([1, 4])
    page_no = int(cpage.number_input(t("page"), 1, pages, 1, key="l_page"))
    ctotal.caption(t("total", n=total))
    page = lib.list(**query, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    if not page.items:
        st.info(t("nothing_found"))
    else:
        # Headers and identifiers in words; the table's cells are plain text, never Markdown.
        rows = [
            {
                t("lib_col_id"): m.id,
                t("lib_col_title"): m.title,
                t("status"): n("status", m.status),
                t("version"): m.current_version,
                t("channel"): n("channel", m.channel),
                t("industry"): n("industry", m.industry),
                t("segment"): n("segment", m.segment) if m.segment else "",
                t("locale"): n("locale", m.locale),
                t("verdict"): n("verdict", m.verdict),
                t("lib_col_updated"): m.updated_at,
            }
            for m in page.items
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
        chosen = st.selectbox(
            t("select_material"),
            [m.id for m in page.items],
            format_func=lambda i: next(f"{m.id} · {m.title}" for m in page.items if m.id == i),
            key="l_select",
        )
        if chosen:
            _material(chosen)
    if may(user.role, "approve") or user.role in ("compliance", "admin"):
        with st.expander(t("audit")):
            history_view(lib.audit_log(limit=100))
