"""Plans: create a service-cycle plan, see its calendar, review it as a unit or one touchpoint."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from contentgen.kernel.errors import ContentgenError
from contentgen.plan_templates import load_templates
from contentgen.plans import PlanRequest, plans_dir
from contentgen.usecases import plans as plan_cases
from contentgen.usecases.review import may_approve
from review_ui._safe import code, md
from review_ui._session import (
    lang,
    library,
    may,
    offline_badge,
    require_user,
    settings,
    t,
    user_errors,
)
from review_ui._views import content_view, findings_list, history_view, verdict_badge

L: dict[str, tuple[str, str]] = {  # (zh, en)
    "create": ("新建计划", "New plan"),
    "segment": ("客群", "Customer group"),
    "objective": ("目标", "Objective"),
    "days": ("周期（天）", "Cycle (days)"),
    "industry": ("行业", "Industry"),
    "persona": ("人设", "Persona"),
    "channels": ("渠道", "Channels"),
    "locale": ("语言", "Locale"),
    "start": ("开始日期", "Start date"),
    "product": ("产品（可选）", "Product (optional)"),
    "offer": ("优惠（活动计划必填）", "Offer (required for event plans)"),
    "interests": ("兴趣（逗号分隔）", "Interests (comma-separated)"),
    "times": ("时间偏好，如 weekend、fri 12:00", "Time preference, e.g. weekend, fri 12:00"),
    "generate": ("生成并保存计划", "Generate and save plan"),
    "created": ("已创建计划", "Plan created"),
    "pick": ("计划", "Plan"),
    "none": ("还没有计划。", "No plans yet."),
    "calendar": ("日历", "Calendar"),
    "submit_all": ("全部提交审核", "Submit all for review"),
    "approve_all": ("批准所有无问题的触点", "Approve everything clean"),
    "release_all": ("发布所有已批准的触点", "Release all approved"),
    "open": ("打开触点", "Open touchpoint"),
    "purpose": ("目的", "Purpose"),
    "reason": ("理由", "Reason"),
    "approve": ("批准", "Approve"),
    "reject": ("拒绝", "Reject"),
    "changes": ("要求修改", "Request changes"),
    "edit": ("修改正文（只有这一条会回到审核）", "Edit text (only this touchpoint goes back to review)"),
    "save_edit": ("保存修改并提交", "Save edit and submit"),
    "held": ("未处理", "held back"),
    "done": ("完成", "done"),
    "status": ("状态", "Status"),
}
WEEK = {"zh": ("一", "二", "三", "四", "五", "六", "日"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
STATUS_MARK = {"draft": ":material/edit_note:", "in_review": ":material/visibility:",
               "approved": ":material/check_circle:", "released": ":material/send:",
               "rejected": ":material/block:", "changes_requested": ":material/edit:",
               "retired": ":material/archive:"}


def s(key: str) -> str:
    zh, en = L[key]
    return zh if lang() == "zh" else en


user = require_user()
lib = library()
st.title(t("page_plans"))

def _notice() -> None:
    for key, show in (("p_error", st.error), ("p_notice", st.success)):
        if st.session_state.get(key):
            show(st.session_state.pop(key))


def _create_form() -> None:
    templates = load_templates(plans_dir(settings()))
    with st.expander(s("create"), expanded=not plan_cases.list_plans(lib, limit=1)), st.form("p_create_form"):
        c1, c2, c3 = st.columns(3)
        c1.selectbox(s("objective"), sorted(templates), key="p_objective",
                     format_func=lambda o: f"{o} · {templates[o].title_in('zh-CN' if lang() == 'zh' else 'en-US')}")
        c1.selectbox(s("segment"), vocab.SEGMENTS, index=vocab.SEGMENTS.index("dormant.mass"), key="p_segment")
        c1.radio(s("days"), [7, 15], horizontal=True, key="p_days")
        c2.selectbox(s("industry"), vocab.INDUSTRIES, key="p_industry")
        c2.selectbox(s("persona"), vocab.PERSONAS, key="p_persona")
        c2.selectbox(s("locale"), vocab.LOCALES, key="p_locale")
        c3.date_input(s("start"), value=date.today() + timedelta(days=1), key="p_start")
        c3.text_input(s("product"), key="p_product")
        c3.text_input(s("offer"), key="p_offer")
        st.multiselect(s("channels"), vocab.CHANNELS, default=list(vocab.CHANNELS), key="p_channels")
        c4, c5 = st.columns(2)
        c4.text_input(s("interests"), key="p_interests")
        c5.text_input(s("times"), key="p_times")
        st.form_submit_button(s("generate"), on_click=_create, type="primary")


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").replace("，", ",").split(",") if x.strip()]


def _create() -> None:
    ss = st.session_state
    try:
        req = PlanRequest.parse(
            segment=ss["p_segment"], objective=ss["p_objective"], days=int(ss["p_days"]),
            industry=ss["p_industry"], persona=ss["p_persona"], locale=ss["p_locale"],
            channels=list(ss["p_channels"]), start=ss["p_start"],
            product=(ss.get("p_product") or "").strip() or None, offer=(ss.get("p_offer") or "").strip() or None,
            interests=_split(ss.get("p_interests")), preferred_times=_split(ss.get("p_times")),
        )
        bar = st.progress(0.0, text=s("generate"))

        def _progress(done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=f"{done}/{total}")

        created = plan_cases.create_plan(req, settings=settings(), lib=lib, as_user=user.name,
                              on_progress=_progress)
        bar.empty()
        stored = created.stored
        assert stored is not None  # a library was given
    except ContentgenError as e:
        ss["p_error"] = md(e)
        return
    ss["p_select"] = stored.id  # open the new plan
    ss["p_notice"] = f"{s('created')}: {code(stored.id)} ({len(stored.touchpoints)})"


def _unit(action: str, plan_id: str) -> None:
    try:
        out = plan_cases.act_on_plan(lib, plan_id, action, actor=user.name)
    except ContentgenError as e:
        st.session_state["p_error"] = md(e)
        return
    lines = [f"{action}: {len(out.done)} {s('done')}, {len(out.skipped)} {s('held')} → {md(out.status)}"]
    lines += [f"\\#{seq}: {md(why)}" for seq, _, why in out.skipped]
    st.session_state["p_notice"] = "  \n".join(lines)


def _calendar(plan: Any) -> None:
    """A week grid (Mon..Sun) of the plan's touchpoints with their time, channel and status."""
    by_date: dict[str, list[Any]] = {}
    for tp in plan.touchpoints:
        by_date.setdefault(tp.local_date, []).append(tp)
    first = datetime.fromisoformat(plan.start_date).date()
    monday = first - timedelta(days=first.weekday())
    last = first + timedelta(days=plan.days - 1)
    head = WEEK["zh" if lang() == "zh" else "en"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * 7]
    day = monday
    while day <= last:
        cells = []
        for _ in range(7):
            inside = first <= day <= last
            items = by_date.get(day.isoformat(), [])
            cell = f"**{day:%m-%d}**" if inside else f"{day:%m-%d}"
            for tp in items:
                cell += "<br>" + html.escape(f"#{tp.seq} {tp.local_time} {tp.channel} ") + STATUS_MARK.get(tp.status, "")
            cells.append(cell)
            day += timedelta(days=1)
        rows.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(rows), unsafe_allow_html=True)  # only <br>: every value is escaped
    st.dataframe(
        [{"#": tp.seq, "day": tp.day, "date": tp.local_date, "time": tp.local_time, "channel": tp.channel,
          "type": tp.content_type, "status": tp.status, "compliance": tp.verdict, "title": tp.title,
          "purpose": tp.purpose} for tp in plan.touchpoints],
        hide_index=True, key="p_table",
    )


def _decide(action: str, plan_id: str, seq: int) -> None:
    reason = (st.session_state.get("p_tp_reason") or "").strip() or None
    try:
        plan_cases.review_touchpoint(lib, plan_id, seq, action, actor=user.name, reason=reason)
    except ContentgenError as e:
        st.session_state["p_error"] = md(e)
    else:
        st.session_state["p_notice"] = f"\\#{seq} → {action}"


def _edit(plan_id: str, seq: int, field: str) -> None:
    tp = plan_cases.touchpoint(lib, plan_id, seq)
    content = dict(lib.get_version(tp.material_id, tp.current_version).content)
    content[field] = st.session_state.get(f"p_tp_edit_{plan_id}_{seq}", "")
    try:
        mv = plan_cases.edit_touchpoint(lib, plan_id, seq, content=content, actor=user.name)
    except ContentgenError as e:
        st.session_state["p_error"] = md(e)
    else:
        st.session_state["p_notice"] = f"\\#{seq} v{mv.version}: {md(mv.status)} ({md(mv.verdict)})"


def _touchpoint(plan: Any) -> None:
    seqs = [tp.seq for tp in plan.touchpoints]
    by_seq = {tp.seq: tp for tp in plan.touchpoints}
    seq = st.selectbox(s("open"), seqs, key="p_touchpoint",
                       format_func=lambda n: f"#{n} · {by_seq[n].local_date} {by_seq[n].local_time} · "
                       f"{by_seq[n].channel} · {by_seq[n].status}")
    if seq is None:
        return
    tp = by_seq[seq]
    v = lib.get_version(tp.material_id, tp.current_version)
    st.markdown(f"**{s('purpose')}:** {md(tp.purpose)}  \n{code(tp.material_id)} · v{v.version} · "
                f"**{md(v.status)}** · {md(tp.channel)}/{md(tp.content_type)} · {md(tp.send_at)}")
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
        st.text_input(s("reason"), key="p_tp_reason")
        b1, b2, b3 = st.columns(3)
        if may_approve(lib, tp.material_id, tp.current_version, user.name) is None:
            b1.button(s("approve"), key="p_tp_approve", on_click=_decide, args=("approve", plan.id, seq))
        b2.button(s("changes"), key="p_tp_request_changes", on_click=_decide, args=("request_changes", plan.id, seq))
        b3.button(s("reject"), key="p_tp_reject", on_click=_decide, args=("reject", plan.id, seq))
    if may(user.role, "edit") and tp.status not in ("retired",):
        field = "hook" if tp.content_type == "short_video_script" else "body"
        st.text_area(s("edit"), value=str(v.content.get(field, "")), key=f"p_tp_edit_{plan.id}_{seq}", height=160)
        st.button(s("save_edit"), key="p_tp_save", on_click=_edit, args=(plan.id, seq, field))


with user_errors():
    _notice()
    if may(user.role, "create"):
        _create_form()
    plans = plan_cases.list_plans(lib, limit=200)
    if not plans:
        st.info(s("none"))
        st.stop()
    ids = [p.id for p in plans]
    names = {p.id: f"{p.name} · {p.status} · {p.id}" for p in plans}
    if st.session_state.get("p_select") not in ids:
        st.session_state["p_select"] = ids[0]
    plan_id = st.selectbox(s("pick"), ids, format_func=names.__getitem__, key="p_select")
    plan = plan_cases.get_plan(lib, plan_id)
    counts = " · ".join(f"{STATUS_MARK.get(k, '')} {k} {n}" for k, n in sorted(plan.counts.items()))
    st.markdown(f"**{s('status')}: {md(plan.status)}** — {counts}  \n{md(plan.segment)} · "
                f"{md(plan.industry)} · {md(plan.locale)} · {plan.days}d · {md(plan.start_date)} "
                f"({md(plan.timezone)}) · {md(plan.author)}")
    a1, a2, a3 = st.columns(3)
    if may(user.role, "submit"):
        a1.button(s("submit_all"), key="p_submit_all", on_click=_unit, args=("submit", plan.id))
    if may(user.role, "approve"):
        a2.button(s("approve_all"), key="p_approve_all", on_click=_unit, args=("approve", plan.id), type="primary")
    if may(user.role, "release"):
        a3.button(s("release_all"), key="p_release_all", on_click=_unit, args=("release", plan.id))
    st.subheader(s("calendar"))
    _calendar(plan)
    _touchpoint(plan)
