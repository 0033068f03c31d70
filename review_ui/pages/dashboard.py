"""Dashboard: what waits and for how long, what gets through, what blocks and why.

library.metrics computes every figure; this page only lays them out. Charts carry their values
as text labels (a bare bar chart does not show them) and tables use progress columns, so the
numbers can be read without hovering.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from library import metrics
from review_ui._session import library, n, require_user, t, user_errors

CHART_HEIGHT = 240
OUTCOME_COLOURS = {"approve": "#2e7d32", "request_changes": "#ef6c00", "reject": "#c62828",
                   "release": "#1565c0"}

require_user()
st.title(t("page_dashboard"))


def _utc_offset() -> int:
    """Minutes east of UTC of the viewer's browser (Streamlit reports the JavaScript sign)."""
    offset = getattr(st.context, "timezone_offset", None)
    return -int(offset) if isinstance(offset, int | float) else 0


def _number(x: float) -> str:
    return f"{round(x, 1):g}"


def _duration(seconds: float | None) -> str:
    # Below a minute says so in words: "0 s" read as if reviews took no time at all.
    if seconds is None:
        return "—"
    if seconds < 60:
        return t("dash_under_minute")
    if seconds < 3600:
        return t("dash_minutes", n=round(seconds / 60))
    if seconds < 2 * 86400:
        return t("dash_hours", n=_number(seconds / 3600))
    return t("dash_days", n=_number(seconds / 86400))


def _median_note(samples: int, empty_key: str) -> None:
    if samples == 0:
        st.caption(t(empty_key))
    elif samples < metrics.MIN_SAMPLES:
        st.caption(t("dash_too_little", n=samples, need=metrics.MIN_SAMPLES))
    else:
        st.caption(t("dash_timed_detail", n=samples))


def _rate(col: Any, label_key: str, help_key: str, rate: metrics.Rate) -> None:
    value = rate.value
    col.metric(t(label_key), "—" if value is None else f"{value:.0%}", help=t(help_key), border=True)
    col.caption(t("dash_no_decisions") if value is None
                else t("dash_rate_detail", part=rate.part, whole=rate.whole))


def _headline(d: metrics.Dashboard, days: int) -> None:
    # Three figures a row at most: four cut values off ("13.6…") at 1024 px with the sidebar open.
    st.subheader(t("dash_now"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("dash_waiting"), str(d.waiting.samples), help=t("dash_help_waiting"), border=True)
    c2.metric(t("dash_oldest"), _duration(d.waiting.max_seconds), help=t("dash_help_oldest"),
              border=True)
    c3.metric(t("dash_median_wait"), _duration(d.waiting.median_seconds), border=True)
    with c3:
        _median_note(d.waiting.samples, "dash_nothing_waiting")
    st.subheader(t("dash_in_period", n=days))
    c1, c2, c3 = st.columns(3)
    _rate(c1, "dash_approval_rate", "dash_help_approval", d.approval)
    _rate(c2, "dash_first_pass", "dash_help_first_pass", d.first_pass)
    c3.metric(t("dash_review_time"), _duration(d.review_time.median_seconds),
              help=t("dash_help_review_time"), border=True)
    with c3:
        _median_note(d.review_time.samples, "dash_no_decisions")


def _plans(p: metrics.PlanSummary) -> None:
    st.subheader(t("dash_plans"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("dash_plans_waiting"), str(p.waiting), help=t("dash_help_plans_waiting"), border=True)
    c2.metric(t("dash_touchpoints_waiting"), str(p.touchpoints_waiting), border=True)
    c3.metric(t("dash_plans_created"), str(p.created), border=True)


def _utc(day: str, hours: float = 0) -> str:
    """A local calendar day as a UTC instant for the chart: the axis is drawn in UTC so the
    browser never moves a day to its neighbour (the days are local already)."""
    whole = int(hours)
    return f"{day}T{whole:02d}:{int((hours - whole) * 60):02d}:00Z"


def _data(rows: list[dict[str, Any]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]  # altair's Data is untyped


def _x(field: str) -> alt.X:
    return alt.X(f"{field}:T", title=t("dash_day"), scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format="%m-%d", labelAngle=0, labelOverlap=True))


def _y() -> alt.Y:
    return alt.Y("count:Q", title=t("dash_count"), axis=alt.Axis(tickMinStep=1))


def _waiting_chart(series: list[metrics.DayValue], size: int) -> None:
    st.markdown(f"**{t('dash_waiting_per_day')}**")
    rows, last = [], None
    for i, p in enumerate(series):
        # Labelled where the count changes (daily views) or at each week's end (90 days), and
        # on the last day: a label on every one of 90 points would be unreadable.
        show = (p.value != last if size == 1 else (len(series) - 1 - i) % size == 0)
        show = show or i == len(series) - 1
        rows.append({"at": _utc(p.day, 12), "day": p.day, "count": p.value,
                     "label": str(p.value) if show else ""})
        last = p.value
    tip = [alt.Tooltip("day:N", title=t("dash_day")), alt.Tooltip("count:Q", title=t("dash_count"))]
    base = alt.Chart(_data(rows)).encode(x=_x("at"), y=_y(), tooltip=tip)
    chart = base.mark_line(point=True) + base.mark_text(dy=-10, fontSize=11).encode(text="label:N")
    st.altair_chart(chart.properties(height=CHART_HEIGHT), width="stretch")
    st.caption(t("dash_waiting_today_note"))


def _throughput_chart(counts: list[metrics.DayCount], runs: list[metrics.Bucket], size: int) -> None:
    st.markdown(f"**{t('dash_throughput' if size == 1 else 'dash_throughput_weekly')}**")
    if not any(c.count for c in counts):
        st.caption(t("dash_no_activity"))
    names = {a: t(f"dash_out_{a}") for a in metrics.THROUGHPUT}
    per_day = {(c.day, c.action): c.count for c in counts}
    sums = [{a: sum(per_day.get((day, a), 0) for day in run.days) for a in metrics.THROUGHPUT}
            for run in runs]
    # A segment too thin for its digits is left unlabelled (the total above and the tooltip
    # still give it); ~1/12 of the tallest bar is about one line of 10 px text.
    thin = max([sum(s.values()) for s in sums] + [1]) / 12
    rows, totals = [], []
    for run, got in zip(runs, sums, strict=True):
        y0 = 0
        mid_at = _utc(run.days[len(run.days) // 2], 0 if len(run.days) % 2 == 0 else 12)
        span = run.start if len(run.days) == 1 else f"{run.start} – {run.days[-1]}"
        for action in metrics.THROUGHPUT:  # stacked in this order, labelled at the middle
            k = got[action]
            rows.append({"bar_from": _utc(run.start), "bar_to": _utc(run.end), "mid": mid_at,
                         "day": span, "outcome": names[action], "count": k, "y0": y0,
                         "y1": y0 + k, "ymid": y0 + k / 2, "label": str(k) if k >= thin else ""})
            y0 += k
        totals.append({"mid": mid_at, "total": y0, "label": str(y0) if y0 else ""})
    colour = alt.Color("outcome:N", title=t("dash_outcome"), sort=list(names.values()),
                       scale=alt.Scale(domain=list(names.values()),
                                       range=[OUTCOME_COLOURS[a] for a in names]),
                       legend=alt.Legend(orient="top"))
    tip = [alt.Tooltip("day:N", title=t("dash_day")), alt.Tooltip("outcome:N", title=t("dash_outcome")),
           alt.Tooltip("count:Q", title=t("dash_count"))]
    chart = alt.Chart(_data(rows))
    bars = chart.mark_bar(stroke="white", strokeWidth=1).encode(
        x=_x("bar_from"), x2="bar_to:T", y=alt.Y("y0:Q", title=t("dash_count"), axis=alt.Axis(tickMinStep=1)),
        y2="y1:Q", color=colour, tooltip=tip)
    inside = chart.mark_text(color="white", fontSize=10, fontWeight="bold").encode(
        x=_x("mid"), y="ymid:Q", text="label:N")
    above = alt.Chart(_data(totals)).mark_text(dy=-7, fontSize=10).encode(
        x=_x("mid"), y="total:Q", text="label:N")
    st.altair_chart((bars + inside + above).properties(height=CHART_HEIGHT), width="stretch")


# Column widths in px sum to under 560, the main area's width at 1024 px with the sidebar open:
# wider, the last column falls off the right edge.
def _progress(label: str, values: list[int], width: int = 115) -> Any:
    return st.column_config.ProgressColumn(label, format="%d", min_value=0, width=width,
                                           max_value=max([1, *values]))


def _number_col(label: str, width: int = 85) -> Any:
    return st.column_config.NumberColumn(label, format="%d", width=width)


def _blocking(rules: list[metrics.RuleCount]) -> None:
    st.markdown(f"**{t('dash_blocking')}**")
    st.caption(t("dash_blocking_note"))
    if not rules:
        st.caption(t("dash_no_blocking"))
        return
    # Dataframe cells are plain text: rule messages and ids need no escaping.
    st.dataframe(
        [{"message": r.message, "materials": r.materials, "rule": r.rule} for r in rules],
        hide_index=True, width="stretch",
        column_config={"message": st.column_config.TextColumn(t("dash_rule_message")),
                       "materials": _progress(t("dash_materials_col"), [r.materials for r in rules]),
                       "rule": st.column_config.TextColumn(t("dash_rule"))},
    )


def _reasons(found: list[metrics.ReasonCount]) -> None:
    st.markdown(f"**{t('dash_reasons')}**")
    st.caption(t("dash_reasons_note"))
    if not found:
        st.caption(t("dash_no_reasons"))
        return
    # Reasons are what reviewers typed: dataframe cells show them as plain text.
    st.dataframe(
        [{"reason": r.reason or t("dash_no_reason"), "total": r.total,
          "request_changes": r.request_changes, "reject": r.reject} for r in found],
        hide_index=True, width="stretch",
        column_config={
            "reason": st.column_config.TextColumn(t("dash_reason"), width=190),
            "total": _progress(t("dash_total"), [r.total for r in found]),
            "request_changes": _number_col(t("dash_out_request_changes"), 140),
            "reject": _number_col(t("dash_out_reject"), 90),
        },
    )


def _breakdown(kind: str, rows: list[metrics.Breakdown]) -> None:
    if not rows:
        st.caption(t("dash_no_data"))
        return
    st.dataframe(
        [{"name": t("dash_no_segment") if b.value is None else n(kind, b.value),
          "created": b.created, "waiting": b.waiting, "approved": b.approved,
          "sent_back": b.sent_back} for b in rows],
        hide_index=True, width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t(f"dash_col_{kind}"), width=150),
            "created": _progress(t("dash_col_created"), [b.created for b in rows]),
            "waiting": _progress(t("dash_col_waiting"), [b.waiting for b in rows]),
            "approved": _number_col(t("dash_col_approved")),
            "sent_back": _number_col(t("dash_col_sent_back")),
        },
    )


# Option names are looked up now, not inside format_func: that may run outside this session.
PERIOD_NAMES = {d: t("dash_last_days", n=d) for d in metrics.PERIODS}
SCOPE_NAMES = {s: t(f"dash_scope_{s}") for s in metrics.SCOPES}
f1, f2 = st.columns(2)
period: int = f1.radio(t("dash_period"), metrics.PERIODS, index=1, horizontal=True, key="d_period",
                       format_func=PERIOD_NAMES.__getitem__)
scope: str = f2.radio(t("dash_scope"), metrics.SCOPES, horizontal=True, key="d_scope",
                      format_func=SCOPE_NAMES.__getitem__)
with user_errors():
    offset = _utc_offset()
    d = metrics.dashboard(library(), metrics.window(period, utc_offset_minutes=offset), scope=scope)
    sign = "+" if offset >= 0 else "-"
    st.caption(" ".join((
        t(f"dash_scope_note_{scope}"), t("dash_scope_count", n=d.materials),
        t("dash_days_note", offset=f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"))))
    _headline(d, period)
    _plans(d.plans)
    st.divider()
    # Daily up to a month; a 90-day view groups by week so every bar keeps a readable label.
    size = 1 if period <= 31 else 7
    _waiting_chart(d.waiting_per_day, size)
    _throughput_chart(d.throughput, metrics.buckets(d.window, size), size)
    st.divider()
    # Full width, one under the other: side by side, the count columns were cut off at 1024 px.
    _blocking(d.blocking_rules)
    _reasons(d.reasons)
    st.subheader(t("dash_breakdown"))
    st.caption(t("dash_breakdown_note"))
    tabs = st.tabs([t(f"dash_by_{k}") for k in metrics.DIMENSIONS])
    for tab, kind in zip(tabs, metrics.DIMENSIONS, strict=True):
        with tab:
            _breakdown(kind, d.by[kind])
