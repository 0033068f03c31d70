"""Performance: which content moves which customers, and how each slot's variants compare.

library.performance_views computes every figure (over library.performance and library.slots);
this page only lays them out. Charts carry their values as text labels, groups come best first,
and a figure under the minimum sample says "not enough data yet" instead of a number.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import altair as alt
import streamlit as st

from library import performance_views as pv
from library.performance import RATES
from review_ui._safe import md
from review_ui._session import library, n, require_user, t, user_errors

BAR_ROW = 30  # px per group in the ranking chart: room for one line of label
NAMED = ("segment", "channel", "content_type", "industry", "persona")  # dimensions with names
HARMS = ("unsubscribed", "complained")

require_user()
st.title(t("page_performance"))
st.caption(t("perf_intro"))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _data(rows: list[dict[str, Any]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]  # altair's Data is untyped


def _group_name(view: pv.Overview, value: str | None) -> str:
    if value is None:
        return t("perf_none_value")
    if view.by in NAMED:
        return n(view.by, value)
    if view.by == "material":
        # Titles repeat across the variants of one brief: the id keeps the rows apart.
        return f"{view.titles.get(value) or t('perf_untitled')} · {pv.short_id(value)}"
    if view.by == "edited":
        return t("perf_edited_" + value.replace(" ", "_"))
    return value  # a prompt version, e.g. push/reactivation@3: its id is its name


def _overall(total: pv.Group, need: int) -> None:
    # Three figures a row at most: more cut values off at 1024 px with the sidebar open.
    st.subheader(t("perf_overall"))
    st.caption(t("perf_reached_total", n=total.reached, need=need))
    for row in (RATES[:3], RATES[3:]):
        for col, name in zip(st.columns(3), row, strict=True):
            r = total.rates[name]
            col.metric(t(f"perf_rate_{name}"), _pct(r.value), border=True)
            col.caption(t("perf_not_enough_detail", n=r.reached, need=need) if r.value is None else
                        t("perf_interval", low=_pct(r.low), high=_pct(r.high), count=r.count,
                          reached=r.reached))


def _ranking_chart(view: pv.Overview, rate_name: str) -> None:
    # Field names steer clear of vocabulary words ("name", "low", "high"): a chart's data is
    # read by the language walk as shown text.
    rows = [{"row_name": _group_name(view, g.value), "rate": r.value, "rate_low": r.low, "rate_high": r.high,
             "label": _pct(r.value), "reached": g.reached}
            for g in view.groups if (r := g.rates[view.metric]).value is not None]
    if not rows:
        st.caption(t("perf_only_thin"))
        return
    tip = [alt.Tooltip("row_name:N", title=t("perf_col_name")),
           alt.Tooltip("label:N", title=rate_name),
           alt.Tooltip("reached:Q", title=t("perf_col_reached"))]
    # sort=None keeps the library's order (best first) instead of A-Z.
    y = alt.Y("row_name:N", sort=None, title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False))
    x = alt.X("rate:Q", title=rate_name, axis=alt.Axis(format="%"), scale=alt.Scale(zero=True))
    base = alt.Chart(_data(rows))
    bars = base.mark_bar(color="#1565c0", opacity=0.75).encode(x=x, y=y, tooltip=tip)
    interval = base.mark_rule(color="#263238", strokeWidth=2).encode(x="rate_low:Q", x2="rate_high:Q", y=y)
    # The value sits past the interval's end so the line never runs through it.
    text = base.mark_text(align="left", dx=5, fontSize=11).encode(x="rate_high:Q", y=y, text="label:N")
    chart = (bars + interval + text).properties(height=alt.Step(BAR_ROW))
    st.altair_chart(chart, width="stretch")


def _ranking_table(view: pv.Overview, rate_name: str) -> None:
    # Column widths in px stay under 560, the main area's width at 1024 px with the sidebar open.
    table: list[dict[str, Any]] = []
    for g in view.groups:
        r = g.rates[view.metric]
        table.append({
            # In percent: the progress column's own "percent" format shows two decimals.
            "name": _group_name(view, g.value), "reached": g.reached,
            "rate": None if r.value is None else r.value * 100,
            "interval": t("perf_not_enough") if r.value is None else f"{_pct(r.low)}–{_pct(r.high)}",
            "count": r.count})
    top = max([(g.rates[view.metric].value or 0.0) * 100 for g in view.groups] + [1.0])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "name": st.column_config.TextColumn(t("perf_col_name"), width=170),
        "reached": st.column_config.NumberColumn(t("perf_col_reached"), format="%d", width=70),
        "rate": st.column_config.ProgressColumn(rate_name, format="%.1f%%", min_value=0.0,
                                                max_value=top, width=110),
        "interval": st.column_config.TextColumn(t("perf_col_interval"), width=130),
        "count": st.column_config.NumberColumn(n("event", view.metric), format="%d", width=70),
    })


def _all_rates(view: pv.Overview) -> None:
    with st.expander(t("perf_all_rates")):
        rows = [{"name": _group_name(view, g.value), "reached": g.reached,
                 **{name: _pct(g.rates[name].value) for name in RATES}} for g in view.groups]
        config: dict[str, Any] = {
            "name": st.column_config.TextColumn(t("perf_col_name"), width=140),
            "reached": st.column_config.NumberColumn(t("perf_col_reached"), format="%d", width=60)}
        config.update({name: st.column_config.TextColumn(t(f"perf_short_{name}"), width=58)
                       for name in RATES})
        st.dataframe(rows, hide_index=True, width="stretch", column_config=config)


def _groups(view: pv.Overview) -> None:
    rate_name = t(f"perf_rate_{view.metric}")
    st.subheader(t("perf_by_heading", group=t(f"perf_by_{view.by}"), rate=rate_name))
    st.caption(t("perf_sorted_note"))
    _ranking_chart(view, rate_name)
    _ranking_table(view, rate_name)
    _all_rates(view)


def _span(start: str, per: str) -> tuple[str, str]:
    end = date.fromisoformat(start) + timedelta(days=1 if per == "day" else 7)
    return f"{start}T00:00:00Z", f"{end.isoformat()}T00:00:00Z"


def _x(field: str, per: str) -> alt.X:
    # Drawn in UTC: the days are UTC days already, and the browser must not shift them.
    return alt.X(f"{field}:T", title=t(f"perf_axis_{per}"), scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format="%m-%d", labelAngle=0, labelOverlap=True))


def _labelled(i: int, count: int) -> bool:
    # Every point up to two weeks of them; beyond, about twelve labels, the last one included:
    # more overlap at 1024 px.
    step = 1 if count <= 14 else -(-count // 12)
    return (count - 1 - i) % step == 0


def _trend(view: pv.Overview, per: str) -> None:
    rate_name = t(f"perf_rate_{view.metric}")
    st.markdown(f"**{t(f'perf_trend_rate_{per}', rate=rate_name)}**")
    points = view.trend
    shown = [p for p in points if p.rates[view.metric].value is not None]
    if len(shown) < len(points):
        st.caption(t("perf_trend_thin", n=len(points) - len(shown)))
    if shown:
        rows = []
        for i, p in enumerate(shown):
            r = p.rates[view.metric]
            rows.append({"at": _span(p.start, per)[0], "day": p.start, "rate": r.value,
                         "rate_low": r.low, "rate_high": r.high, "reached": p.reached,
                         "label": _pct(r.value) if _labelled(i, len(shown)) else ""})
        tip = [alt.Tooltip("day:N", title=t(f"perf_axis_{per}")),
               alt.Tooltip("rate:Q", title=rate_name, format=".1%"),
               alt.Tooltip("reached:Q", title=t("perf_col_reached"))]
        base = alt.Chart(_data(rows)).encode(x=_x("at", per))
        y = alt.Y("rate:Q", title=rate_name, axis=alt.Axis(format="%"))
        band = base.mark_area(opacity=0.18, color="#1565c0").encode(y="rate_low:Q", y2="rate_high:Q")
        line = base.mark_line(point=True, color="#1565c0").encode(y=y, tooltip=tip)
        text = base.mark_text(dy=-12, fontSize=11).encode(y="rate:Q", text="label:N")
        st.altair_chart((band + line + text).properties(height=240), width="stretch")
    st.markdown(f"**{t(f'perf_trend_reached_{per}')}**")
    bars: list[dict[str, Any]] = []
    for i, p in enumerate(points):
        start, end = _span(p.start, per)
        bars.append({"from": start, "to": end, "day": p.start, "reached": p.reached, "floor": 0,
                     "label": str(p.reached) if _labelled(i, len(points)) else ""})
    tip = [alt.Tooltip("day:N", title=t(f"perf_axis_{per}")),
           alt.Tooltip("reached:Q", title=t("perf_axis_reached"))]
    chart = alt.Chart(_data(bars))
    y = alt.Y("reached:Q", title=t("perf_axis_reached"), axis=alt.Axis(tickMinStep=1))
    bar = chart.mark_bar(color="#90a4ae", stroke="white", strokeWidth=1).encode(
        x=_x("from", per), x2="to:T", y=y, y2="floor:Q", tooltip=tip)
    # Labels at the bar's middle: the start would put them on the boundary with the one before.
    mids = [{**b, "mid": _mid(b["from"], b["to"])} for b in bars]
    text = alt.Chart(_data(mids)).mark_text(dy=-7, fontSize=10).encode(
        x=_x("mid", per), y="reached:Q", text="label:N")
    st.altair_chart((bar + text).properties(height=180), width="stretch")


def _mid(start: str, end: str) -> str:
    a, b = (datetime.fromisoformat(s.replace("Z", "+00:00")) for s in (start, end))
    return (a + (b - a) / 2).strftime("%Y-%m-%dT%H:%M:%SZ")


def _variant_rows(view: pv.SlotView) -> list[dict[str, Any]]:
    ordered = sorted(view.variants, key=lambda v: (v.rate.value is None, -(v.rate.value or 0.0)))
    return [{
        "variant": f"{v.title or t('perf_untitled')} · {pv.short_id(v.material_id)}",
        "served": t("perf_not_served") if v.released_version is None
        else t("perf_served_version", v=v.released_version),
        "picked": v.picked, "outcomes": v.outcomes,
        "rate": t("perf_not_enough") if v.rate.value is None else t(
            "perf_rate_with_interval", rate=_pct(v.rate.value), low=_pct(v.rate.low),
            high=_pct(v.rate.high)),
        "lift": "—" if v.lift is None else f"{v.lift:+.0%}",
    } for v in ordered]


def _slots(found: list[pv.SlotView]) -> None:
    st.subheader(t("perf_slots"))
    st.caption(t("perf_slots_note"))
    if not found:
        st.caption(t("perf_no_slots"))
        return
    for view in found:
        s = view.slot
        # The slot's name is what an operator typed: escaped, never Markdown.
        head = t("perf_slot_head", name=s.name or t("perf_slot_unnamed"), channel=n("channel", s.channel),
                 metric=t(f"perf_rate_{s.metric}"), holdout=f"{s.holdout:.0%}")
        st.markdown(f"**{md(head)}**")
        st.caption(md(t("perf_slot_id", id=s.id, need=view.min_picked)))
        st.dataframe(_variant_rows(view), hide_index=True, width="stretch", column_config={
            "variant": st.column_config.TextColumn(t("perf_col_variant"), width=200),
            "served": st.column_config.TextColumn(t("perf_col_served"), width=75),
            "picked": st.column_config.NumberColumn(t("perf_col_picked"), format="%d", width=50),
            "outcomes": st.column_config.NumberColumn(n("event", s.metric), format="%d", width=60),
            "rate": st.column_config.TextColumn(t("perf_col_rate_interval"), width=125),
            "lift": st.column_config.TextColumn(t("perf_col_lift"), width=50),
        })


# Option names are looked up now, not inside format_func: that may run outside this session.
PERIOD_NAMES = {d: t("perf_last_days", n=d) if d else t("perf_all_time") for d in pv.PERIODS}
GROUP_NAMES = {g: t(f"perf_by_{g}") for g in pv.GROUPS}
RATE_NAMES = {r: t(f"perf_rate_{r}") for r in RATES}
PER_NAMES = {p: t(f"perf_per_{p}") for p in pv.TRENDS}
f1, f2, f3 = st.columns(3)
period: int = f1.selectbox(t("perf_period"), pv.PERIODS, index=1, key="perf_period",
                           format_func=PERIOD_NAMES.__getitem__)
by: str = f2.selectbox(t("perf_group_by"), pv.GROUPS, key="perf_by", format_func=GROUP_NAMES.__getitem__)
metric: str = f3.selectbox(t("perf_rate_choice"), RATES, index=RATES.index("clicked"), key="perf_rate",
                           format_func=RATE_NAMES.__getitem__)
with user_errors():
    per: str = st.session_state.get("perf_trend", "day")
    view = pv.overview(library(), by=by, metric=metric, since=pv.window(period),
                       trend=per if per in pv.TRENDS else "day")
    if view.total.reached == 0:
        st.info(t("perf_no_events"))
    else:
        _overall(view.total, view.min_reached)
        st.divider()
        _groups(view)
        st.divider()
        st.subheader(t("perf_trend"))
        # Drawn after the figures but read before them: the trend's grain is the radio's value.
        st.radio(t("perf_trend_by"), pv.TRENDS, horizontal=True, key="perf_trend",
                 format_func=PER_NAMES.__getitem__)
        _trend(view, per)
    st.divider()
    _slots(pv.slot_views(library()))
