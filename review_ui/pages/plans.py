"""Plans: create a service-cycle plan; read it as a unit in send order and approve it from there;
see its calendar; decide or edit one touchpoint."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from contentgen.kernel.errors import ContentgenError
from contentgen.plan_templates import load_templates
from contentgen.plans import PlanRequest, plans_dir
from contentgen.usecases import plans as plan_cases
from contentgen.usecases.review import may_approve
from review_ui._errors import error_text
from review_ui._plan_views import (
    calendar,
    in_send_order,
    purpose_text,
    status_text,
    unit_view,
)
from review_ui._safe import code, md
from review_ui._session import (
    lang,
    library,
    may,
    n,
    offline_badge,
    require_user,
    settings,
    t,
    user_errors,
)
from review_ui._views import content_view, findings_list, history_view, verdict_badge

user = require_user()
lib = library()
st.title(t("page_plans"))


def _notice() -> None:
    for key, show in (("p_error", st.error), ("p_notice", st.success)):
        if st.session_state.get(key):
            show(st.session_state.pop(key))


def _create_form() -> None:
    templates = load_templates(plans_dir(settings()))
    locale = "zh-CN" if lang() == "zh" else "en-US"
    with st.expander(t("plan_create"), expanded=not plan_cases.list_plans(lib, limit=1)), \
            st.form("p_create_form"):
        c1, c2, c3 = st.columns(3)
        c1.selectbox(t("plan_objective"), sorted(templates), key="p_objective",
                     format_func=lambda o: templates[o].title_in(locale))
        c1.selectbox(t("plan_segment"), vocab.SEGMENTS, index=vocab.SEGMENTS.index("dormant.mass"),
                     key="p_segment", format_func=lambda v: n("segment", v))
        c1.radio(t("plan_days"), [7, 15], horizontal=True, key="p_days")
        c2.selectbox(t("industry"), vocab.INDUSTRIES, key="p_industry",
                     format_func=lambda v: n("industry", v))
        c2.selectbox(t("persona"), vocab.PERSONAS, key="p_persona",
                     format_func=lambda v: n("persona", v))
        c2.selectbox(t("plan_locale"), vocab.LOCALES, key="p_locale",
                     format_func=lambda v: n("locale", v))
        c3.date_input(t("plan_start"), value=date.today() + timedelta(days=1), key="p_start")
        c3.text_input(t("plan_product"), key="p_product")
        c3.text_input(t("plan_offer"), key="p_offer")
        st.multiselect(t("plan_channels"), vocab.CHANNELS, default=list(vocab.CHANNELS),
                       key="p_channels", format_func=lambda v: n("channel", v))
        c4, c5 = st.columns(2)
        c4.text_input(t("plan_interests"), key="p_interests")
        c5.text_input(t("plan_times"), key="p_times")
        st.form_submit_button(t("plan_generate"), on_click=_create, type="primary")


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").replace("，", ",").split(",") if x.strip()]


def _create() -> None:
    ss = st.session_state
    try:
        req = PlanRequest.parse(
            segment=ss["p_segment"], objective=ss["p_objective"], days=int(ss["p_days"]),
            industry=ss["p_industry"], persona=ss["p_persona"], locale=ss["p_locale"],
            channels=list(ss["p_channels"]), start=ss["p_start"],
            product=(ss.get("p_product") or "").strip() or None,
            offer=(ss.get("p_offer") or "").strip() or None,
            interests=_split(ss.get("p_interests")), preferred_times=_split(ss.get("p_times")),
        )
        bar = st.progress(0.0, text=t("plan_generate"))

        def _progress(done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=f"{done}/{total}")

        created = plan_cases.create_plan(req, settings=settings(), lib=lib, as_user=user.name,
                                         on_progress=_progress)
        bar.empty()
        stored = created.stored
        assert stored is not None  # a library was given
    except ContentgenError as e:
        ss["p_error"] = error_text(e)
        return
    ss["p_select"] = stored.id  # open the new plan
    ss["p_notice"] = f"{t('plan_created')}: {code(stored.id)} ({len(stored.touchpoints)})"


def _unit(action: str, plan_id: str) -> None:
    try:
        out = plan_cases.act_on_plan(lib, plan_id, action, actor=user.name)
    except ContentgenError as e:
        st.session_state["p_error"] = error_text(e)
        return
    lines = [f"{t('plan_action_' + action)}: {len(out.done)} {t('plan_done')}, "
             f"{len(out.skipped)} {t('plan_held')} → {md(n('status', out.status))}"]
    lines += [f"\\#{seq}: {md(why)}" for seq, _, why in out.skipped]
    st.session_state["p_notice"] = "  \n".join(lines)
    st.session_state.pop("p_read_all", None)  # the next unit approval is read afresh


def _unit_actions(plan: Any) -> None:
    """Approve-as-unit lives under the unit view: the reviewer confirms having read it all."""
    summary = plan_cases.unit_approval_summary(plan)
    if may(user.role, "approve"):
        if summary["in_review"]:
            st.info(t("plan_unit_summary", **summary))
            read = st.checkbox(t("plan_read_all", n=len(plan.touchpoints)), key="p_read_all")
            st.button(t("plan_approve_all"), key="p_approve_all", on_click=_unit,
                      args=("approve", plan.id), type="primary", disabled=not read,
                      help=None if read else t("plan_read_first"))
        else:
            st.caption(t("plan_nothing_to_approve"))
    a1, a2 = st.columns(2)
    if may(user.role, "submit"):
        a1.button(t("plan_submit_all"), key="p_submit_all", on_click=_unit, args=("submit", plan.id),
                  width="stretch")
    if may(user.role, "release"):
        a2.button(t("plan_release_all"), key="p_release_all", on_click=_unit,
                  args=("release", plan.id), width="stretch")


def _decide(action: str, plan_id: str, seq: int) -> None:
    reason = (st.session_state.get("p_tp_reason") or "").strip() or None
    try:
        plan_cases.review_touchpoint(lib, plan_id, seq, action, actor=user.name, reason=reason)
    except ContentgenError as e:
        st.session_state["p_error"] = error_text(e)
    else:
        st.session_state["p_notice"] = f"\\#{seq} → {md(n('action', action))}"
        st.session_state["p_tp_reason"] = ""


def _edit(plan_id: str, seq: int, field: str) -> None:
    tp = plan_cases.touchpoint(lib, plan_id, seq)
    content = dict(lib.get_version(tp.material_id, tp.current_version).content)
    content[field] = st.session_state.get(f"p_tp_edit_{plan_id}_{seq}", "")
    try:
        mv = plan_cases.edit_touchpoint(lib, plan_id, seq, content=content, actor=user.name)
    except ContentgenError as e:
        st.session_state["p_error"] = error_text(e)
    else:
        st.session_state["p_notice"] = (f"\\#{seq} v{mv.version}: {md(n('status', mv.status))} "
                                        f"({md(n('verdict', mv.verdict))})")


def _touchpoint(plan: Any) -> None:
    by_seq = {tp.seq: tp for tp in plan.touchpoints}
    seq = st.selectbox(t("plan_open"), [tp.seq for tp in in_send_order(plan)], key="p_touchpoint",
                       format_func=lambda s: f"#{s} · {by_seq[s].local_date} {by_seq[s].local_time} · "
                       f"{n('channel', by_seq[s].channel)} · {n('status', by_seq[s].status)}")
    if seq is None:
        return
    tp = by_seq[seq]
    v = lib.get_version(tp.material_id, tp.current_version)
    st.markdown(f"**{t('plan_purpose')}:** {md(purpose_text(tp, v))}  \n{code(tp.material_id)} · "
                f"v{v.version} · **{status_text(v.status)}** · {md(n('channel', tp.channel))} / "
                f"{md(n('content_type', tp.content_type))} · {md(tp.send_at)}")
    offline_badge(v.model)
    left, right = st.columns([3, 2])
    with left:
        verdict_badge(v.compliance)
        content_view(v.content, v.compliance)
    with right:
        findings_list(v.compliance)
        with st.expander(t("history")):
            history_view(lib.history(tp.material_id))
    if tp.status == "in_review" and may(user.role, "approve"):
        reason = st.text_input(t("plan_reason"), key="p_tp_reason")
        no_reason = not (reason or "").strip()
        b1, b2, b3 = st.columns(3)
        if may_approve(lib, tp.material_id, tp.current_version, user.name) is None:
            b1.button(t("plan_approve"), key="p_tp_approve", on_click=_decide,
                      args=("approve", plan.id, seq), width="stretch")
        b2.button(t("plan_changes"), key="p_tp_request_changes", on_click=_decide,
                  args=("request_changes", plan.id, seq), disabled=no_reason, width="stretch")
        b3.button(t("plan_reject"), key="p_tp_reject", on_click=_decide,
                  args=("reject", plan.id, seq), disabled=no_reason, width="stretch")
        if no_reason:
            st.caption(t("plan_reason_needed"))
    if may(user.role, "edit") and tp.status not in ("retired",):
        field = "hook" if tp.content_type == "short_video_script" else "body"
        st.text_area(t("plan_edit"), value=str(v.content.get(field, "")),
                     key=f"p_tp_edit_{plan.id}_{seq}", height=160)
        st.button(t("plan_save_edit"), key="p_tp_save", on_click=_edit, args=(plan.id, seq, field))


def _header(plan: Any) -> None:
    counts = " · ".join(f"{status_text(k)} {c}" for k, c in sorted(plan.counts.items()))
    st.markdown(f"**{t('plan_status')}: {md(n('status', plan.status))}** — {counts}  \n"
                f"{md(n('segment', plan.segment))} · {md(n('industry', plan.industry))} · "
                f"{md(n('locale', plan.locale))} · {md(t('plan_days_short', n=plan.days))} · "
                f"{md(plan.start_date)} ({md(plan.timezone)}) · {md(plan.author)}")


with user_errors():
    _notice()
    if may(user.role, "create"):
        _create_form()
    plans = plan_cases.list_plans(lib, limit=200)
    if not plans:
        st.info(t("plan_none"))
        st.stop()
    ids = [p.id for p in plans]
    names = {p.id: f"{n('objective', p.objective)} · {n('segment', p.segment)} · "
                   f"{t('plan_days_short', n=p.days)} · {p.start_date} · {n('status', p.status)} · {p.id}"
             for p in plans}
    if st.session_state.get("p_select") not in ids:
        st.session_state["p_select"] = ids[0]
    plan_id = st.selectbox(t("plan_pick"), ids, format_func=names.__getitem__, key="p_select")
    plan = plan_cases.get_plan(lib, plan_id)  # read after the callbacks: statuses are current
    _header(plan)
    unit_tab, calendar_tab, single_tab = st.tabs([t("plan_unit"), t("plan_calendar"),
                                                  t("plan_single")])
    with unit_tab:
        unit_view(lib, plan)
        _unit_actions(plan)
    with calendar_tab:
        calendar(plan)
    with single_tab:
        _touchpoint(plan)
