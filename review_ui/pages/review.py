"""Review queue: one pending item at a time; compliance officers override blocking findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from contentgen.kernel.errors import ContentgenError
from contentgen.usecases.review import (
    approve_clean,
    close_edited_send,
    edited_send_count,
    edited_sends,
    may_approve,
    presend_score,
)
from review_ui import _presend
from review_ui import _queue as queue
from review_ui._errors import error_text
from review_ui._preview import preview
from review_ui._safe import code, md
from review_ui._session import library, may, n, require_user, t, user_errors
from review_ui._views import (
    content_view,
    diff_view,
    findings_list,
    history_view,
    provenance_view,
    short_time,
    verdict_badge,
)

user = require_user()
lib = library()
st.title(t("page_review"))


def _decide(action: str, material_id: str, version: int) -> None:
    reason = (st.session_state.get("r_reason") or "").strip() or None
    try:
        getattr(lib, action)(material_id, version, actor=user.name, reason=reason)
    except ContentgenError as e:
        st.session_state["r_error"] = md(e)
    else:
        st.session_state["r_notice"] = (f"{t('decision_done')}: {code(material_id)} v{version} → "
                                        f"{md(n('action', action))}")
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


def _item(material: Any, actions: Callable[[Any], None] | None = None) -> Any:
    """The version as the channel shows it, its findings and the decision beside it; then the
    diff against the previous version, the provenance card and the history, full width."""
    v = lib.get_version(material.id, material.current_version)
    try:  # the score helps a decision; its failure must not hide the item
        score: Any = presend_score(lib, material, v)
    except ContentgenError as e:
        score = error_text(e)
    st.markdown(
        f"### {md(material.title or material.id)}\n{code(material.id)} · v{v.version} · "
        f"**{md(n('status', v.status))}** · {md(n('industry', material.industry))} · "
        f"{md(n('channel', material.channel))} · {md(n('segment', material.segment))} · "
        f"{md(n('locale', material.locale))}"
    )
    left, right = st.columns([3, 2])
    with left:
        seen, fields = st.tabs([t("view_preview"), t("view_fields")])
        with seen:
            preview(material, v)
        with fields:
            content_view(v.content, v.compliance)
    with right:
        verdict_badge(v.compliance, v.model)
        findings_list(v.compliance)
        _presend.summary(score)
        if v.override:
            st.info(f"{t('override')}: {md(v.override.by)}: {md(v.override.justification, inline=False)}")
        if actions is not None:
            actions(v)
    diff_tab, score_tab, prov_tab, hist_tab = st.tabs([t("diff"), t("presend_tab"), t("provenance"), t("history")])
    with diff_tab:
        if v.parent_version:
            diff_view(lib.get_version(material.id, v.parent_version), v)
        else:
            st.caption(t("no_previous"))
    with score_tab:
        _presend.details(score)
    with prov_tab:
        provenance_view(v, material)
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
    _item(material, _decisions if may(user.role, "approve") else None)


def _decisions(v: Any) -> None:
    """Approve; reject and request changes stay disabled until a reason is written (the library
    refuses them without one too: this spares the reviewer the round trip). One button per row,
    full width: the column is narrow at 1024 px."""
    if may_approve(lib, v.material_id, v.version, user.name) is None:
        st.button(t("approve"), key="r_approve", type="primary", on_click=_decide,
                  args=("approve", v.material_id, v.version), width="stretch")
    else:
        st.warning(t("own_version"))
    st.text_area(t("view_reason_label"), key="r_reason", height=80)
    missing = not (st.session_state.get("r_reason") or "").strip()
    why = t("view_reason_needed") if missing else None
    st.button(t("request_changes"), key="r_request_changes", on_click=_decide, disabled=missing,
              help=why, args=("request_changes", v.material_id, v.version), width="stretch")
    st.button(t("reject"), key="r_reject", on_click=_decide, disabled=missing, help=why,
              args=("reject", v.material_id, v.version), width="stretch")
    if missing:
        st.caption(t("view_reason_needed"))


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


def _close_sent(item_id: int) -> None:
    note = (st.session_state.get(f"s_note_{item_id}") or "").strip()
    try:
        close_edited_send(lib, item_id, actor=user.name, note=note)
    except ContentgenError as e:
        st.session_state["s_error"] = error_text(e)
    else:
        st.session_state["s_notice"] = t("sent_closed", id=item_id)


def edited_sends_queue() -> None:
    """Sends a salesperson edited before sending: the diff, the re-check, a note to close."""
    if msg := st.session_state.pop("s_notice", None):
        st.success(msg)
    if msg := st.session_state.pop("s_error", None):
        st.error(msg)
    items = edited_sends(lib)
    if not items:
        st.success(t("sent_none"), icon=":material/check_circle:")
        return
    for item in items:
        with st.container(border=True, key=f"s_item_{item['id']}"):
            st.markdown("**" + md(t(
                "sent_head", id=item["id"], material=item["material_id"], version=item["version"],
                channel=n("channel", item["channel"]), at=short_time(item["received_at"]),
                sender=item["sender"] or t("sent_unknown_sender"))) + "**")
            finding = item.get("finding") or {}
            if finding.get("message"):
                badge = "red" if finding.get("severity") == "error" else "orange"
                st.markdown(f":{badge}-badge[{md(n('severity', finding.get('severity')))}] "
                            f"{md(finding['message'])}")
            st.caption(t("sent_diff"))
            st.code(item["diff"] or "", language=None, wrap_lines=True)  # plain text, never markup
            with st.expander(t("sent_text", recipient="{recipient}")):
                st.text(item["sent_text"] or "")
            st.markdown(f"{t('sent_recheck')}: "
                        f"{md(n('verdict', item['recheck_verdict'])) if item['recheck_verdict'] else '—'}")
            if item.get("recheck_error"):
                st.caption(t("sent_not_rechecked", why=md(item["recheck_error"])))
            if item.get("recheck"):
                findings_list(item["recheck"])
            note = st.text_input(t("sent_note"), key=f"s_note_{item['id']}")
            st.button(t("sent_done"), key=f"s_done_{item['id']}", on_click=_close_sent,
                      args=(item["id"],), disabled=not (note or "").strip())


with user_errors():
    tabs = [t("page_review")]
    if may(user.role, "override"):
        tabs.append(t("override"))
    tabs.append(t("sent_tab", n=edited_send_count(lib)))
    shown = st.tabs(tabs)
    with shown[0]:
        review_queue()
    if may(user.role, "override"):
        with shown[1]:
            override_queue()
    with shown[-1]:
        edited_sends_queue()
