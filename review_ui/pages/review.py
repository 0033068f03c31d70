"""Review queue: one pending item at a time; compliance officers override blocking findings."""

from __future__ import annotations

from typing import Any

import streamlit as st

from contentgen.kernel.errors import ContentgenError
from contentgen.usecases.review import approve_clean, may_approve
from review_ui import _queue as queue
from review_ui._safe import code, md
from review_ui._session import library, may, require_user, t, user_errors
from review_ui._views import (
    content_view,
    findings_list,
    history_view,
    provenance_view,
    verdict_badge,
)

user = require_user()
lib = library()
st.title(t("page_review"))


def _decide(action: str, material_id: str, version: int) -> None:
    reason = st.session_state.get("r_reason") or None
    try:
        getattr(lib, action)(material_id, version, actor=user.name, reason=reason)
    except ContentgenError as e:
        st.session_state["r_error"] = md(e)
    else:
        st.session_state["r_notice"] = f"{t('decision_done')}: {code(material_id)} v{version} → {action}"
        st.session_state["r_reason"] = ""


def _bulk(query: dict[str, Any]) -> None:
    """Approve items without findings, page by page; items this user wrote are skipped."""
    out = approve_clean(lib, user.name, query)
    st.session_state["r_notice"] = t("bulk_done", n=out.approved, s=out.skipped)


def _override(material_id: str, version: int) -> None:
    text = (st.session_state.get("o_justification") or "").strip()
    try:
        lib.override(material_id, version, actor=user.name, justification=text)
    except ContentgenError as e:
        st.session_state["r_error"] = md(e)
    else:
        st.session_state["r_notice"] = f"{t('override_done')}: {code(material_id)} v{version}"
        st.session_state["o_justification"] = ""


def _item(material: Any) -> Any:
    """Content, findings, diff, provenance, history of the material's current version."""
    v = lib.get_version(material.id, material.current_version)
    st.markdown(
        f"### {md(material.title or material.id)}\n{code(material.id)} · v{v.version} · "
        f"**{md(v.status)}** · {md(material.industry)} · {md(material.channel)} · "
        f"{md(material.segment)} · {md(material.locale)}"
    )
    left, right = st.columns([3, 2])
    with left:
        verdict_badge(v.compliance, v.model)
        content_view(v.content, v.compliance)
        findings_list(v.compliance)
        if v.override:
            st.info(f"{t('override')}: {md(v.override.by)}: {md(v.override.justification, inline=False)}")
    with right:
        diff_tab, prov_tab, hist_tab = st.tabs([t("diff"), t("provenance"), t("history")])
        with diff_tab:
            if v.parent_version:
                st.code(lib.diff(material.id, v.parent_version, v.version) or "=", language="diff")
            else:
                st.caption(t("no_previous"))
        with prov_tab:
            provenance_view(v)
        with hist_tab:
            history_view(lib.history(material.id))
    return v


def _notices() -> None:
    # Both hold Markdown made safe when they were set (content escaped with md()).
    if msg := st.session_state.pop("r_notice", None):
        st.success(msg)
    if msg := st.session_state.pop("r_error", None):
        st.error(msg)


def review_queue() -> None:
    query = {"status": "in_review", **queue.filters("r")}
    _notices()
    material, pos, total = queue.current(lib, "r", query)
    st.caption(f"{t('pending')}: {total}")
    if may(user.role, "approve"):
        st.button(t("bulk_approve"), key="r_bulk_approve", on_click=_bulk, args=(query,))
    if material is None:
        st.info(t("queue_empty"))
        return
    queue.navigator("r", pos, total)
    v = _item(material)
    if not may(user.role, "approve"):
        return
    own = may_approve(lib, material.id, v.version, user.name) is not None
    st.text_area(t("reason"), key="r_reason", height=68)
    c1, c2, c3 = st.columns(3)
    if own:
        c1.warning(t("own_version"))
    else:
        c1.button(t("approve"), key="r_approve", type="primary", on_click=_decide,
                  args=("approve", material.id, v.version))
    c2.button(t("request_changes"), key="r_request_changes", on_click=_decide,
              args=("request_changes", material.id, v.version))
    c3.button(t("reject"), key="r_reject", on_click=_decide, args=("reject", material.id, v.version))


def override_queue() -> None:
    """Drafts held back by error-level findings, and versions a rule rescan withdrew from
    delivery, for a compliance decision (the library's compliance queue)."""
    query = {**queue.filters("o", findings_filter=False), "compliance_queue": True}
    _notices()
    material, pos, total = queue.current(lib, "o", query)
    st.caption(f"{t('compliance_queue')}: {total}")
    if material is None:
        st.info(t("queue_empty"))
        return
    queue.navigator("o", pos, total)
    v = _item(material)
    withdrawn = lib.withdrawn_versions(material.id)
    if withdrawn:  # reinstating puts the version back where it was (released: served again)
        st.warning(f"{t('withdrawn_by_rescan')}: v{withdrawn[0]}")
        st.text_area(t("justification"), key="o_justification", height=80)
        st.button(t("override"), key="o_override", type="primary", on_click=_override,
                  args=(material.id, withdrawn[0]))
    elif v.override is None and v.verdict == "block":
        st.text_area(t("justification"), key="o_justification", height=80)
        st.button(t("override"), key="o_override", type="primary", on_click=_override,
                  args=(material.id, v.version))


with user_errors():
    if may(user.role, "override"):
        tab_review, tab_override = st.tabs([t("page_review"), t("override")])
        with tab_review:
            review_queue()
        with tab_override:
            override_queue()
    else:
        review_queue()
