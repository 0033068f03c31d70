"""A plan's calendar grid, its table and its unit view: every touchpoint on one page in send order."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

import streamlit as st

from contentgen.plan_templates import parse_touchpoint_note
from review_ui._safe import md
from review_ui._session import lang, n, t
from review_ui._views import content_view, findings_list, verdict_badge

STATUS_MARK = {"draft": ":material/edit_note:", "in_review": ":material/visibility:",
               "approved": ":material/check_circle:", "released": ":material/send:",
               "rejected": ":material/block:", "changes_requested": ":material/edit:",
               "retired": ":material/archive:"}


def in_send_order(plan: Any) -> list[Any]:
    return sorted(plan.touchpoints, key=lambda tp: (tp.send_at, tp.seq))


def status_text(status: str) -> str:
    return f"{STATUS_MARK.get(status, '')} {md(n('status', status))}".strip()


def calendar(plan: Any) -> None:
    """A week grid (Mon..Sun) of the plan's touchpoints with their time, channel and status."""
    by_date: dict[str, list[Any]] = {}
    for tp in in_send_order(plan):
        by_date.setdefault(tp.local_date, []).append(tp)
    first = datetime.fromisoformat(plan.start_date).date()
    monday = first - timedelta(days=first.weekday())
    last = first + timedelta(days=plan.days - 1)
    rows = ["| " + " | ".join(t("plan_weekdays").split(",")) + " |", "|" + "---|" * 7]
    day = monday
    while day <= last:
        cells = []
        for _ in range(7):
            inside = first <= day <= last
            cell = f"**{day:%m-%d}**" if inside else f"{day:%m-%d}"
            for tp in by_date.get(day.isoformat(), []):
                cell += ("<br>" + html.escape(f"#{tp.seq} {tp.local_time} {n('channel', tp.channel)} ")
                         + STATUS_MARK.get(tp.status, ""))
            cells.append(cell)
            day += timedelta(days=1)
        rows.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(rows), unsafe_allow_html=True)  # only <br>: every value is escaped
    st.dataframe(
        [{t("plan_col_seq"): tp.seq, t("plan_col_day"): tp.day + 1, t("plan_col_date"): tp.local_date,
          t("plan_col_time"): tp.local_time, t("plan_col_channel"): n("channel", tp.channel),
          t("plan_col_type"): n("content_type", tp.content_type),
          t("plan_col_status"): n("status", tp.status), t("plan_col_verdict"): n("verdict", tp.verdict),
          t("plan_col_title"): tp.title} for tp in in_send_order(plan)],
        hide_index=True, width="stretch",
    )


def purpose_text(tp: Any, version: Any) -> str:
    """What the touchpoint does in the plan, in the user's language: the step's kind (written
    into the brief's notes by the plan) by name; the template's own sentence, which is
    English, only in the English UI."""
    kind, deadline = parse_touchpoint_note((version.brief or {}).get("notes"))
    named = n("purpose", kind) if kind else ""
    if deadline is not None:
        named += f" ({deadline.isoformat()})"
    if lang() == "en" or not named:
        return f"{named} — {tp.purpose}" if named else str(tp.purpose)
    return named


def unit_view(lib: Any, plan: Any) -> None:
    """Every touchpoint in send order: when, where, why, the full text, its findings and status."""
    for tp in in_send_order(plan):
        v = lib.get_version(tp.material_id, tp.current_version)
        with st.container(border=True, key=f"p_unit_{tp.seq}"):
            st.markdown(
                f"**#{tp.seq} · {md(t('plan_day', n=tp.day + 1))} · {md(tp.local_date)} "
                f"{md(tp.local_time)}** · {md(n('channel', tp.channel))} · "
                f"{md(n('content_type', tp.content_type))} · {status_text(tp.status)} · v{v.version}"
            )
            st.caption(f"{t('plan_purpose')}: {md(purpose_text(tp, v))}")
            text, findings = st.columns([3, 2])
            with text:
                verdict_badge(v.compliance, v.model)
                content_view(v.content, v.compliance)
            with findings:
                findings_list(v.compliance)
