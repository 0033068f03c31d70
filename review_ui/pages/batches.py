"""Batches: where each queued generation batch stands, read from the library, so every host
shows the same; the drafts that failed with their reasons, and a retry for the batch's author.

The page refreshes itself while the batch it shows is still running. Everything in it that
people or the model wrote (sources, products, error messages quoting input) is shown as table
cells or escaped text, never rendered.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import streamlit as st

from contentgen.kernel.errors import ContentgenError
from contentgen.usecases import batch_queue
from library import batches
from review_ui._safe import code, md
from review_ui._session import error_text, library, n, require_user, t, user_errors
from review_ui._views import short_time

RECENT = 50  # batches in the list
ITEM_ROWS = 500  # items in the table at once (a filter narrows a big batch)
REFRESH_S = 2.0
_COLUMNS = {"failed": ("starts", "error"), "done": ("material", "verdict"),
            "running": ("worker", "starts", "updated"), "queued": ("starts", "error", "updated")}

user = require_user()
lib = library()
st.title(t("page_batches"))
st.caption(t("bat_intro"))


def _overview(rows: list[tuple[batches.Batch, batches.Progress]]) -> None:
    # Four columns fit 1024 px beside the sidebar; the counts are in the detail below.
    table = [{
        t("bat_col_batch"): b.id,
        t("bat_col_source"): b.source,
        t("bat_col_state"): n("batch_state", p.state),
        t("bat_col_progress"): p.finished / p.total if p.total else 1.0,
    } for b, p in rows]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t("bat_col_progress"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1,
                                                               width="small")})


def _retry(batch_id: str) -> None:
    try:
        done = batch_queue.retry_failed(lib, batch_id, as_user=user.name)
    except ContentgenError as e:
        st.session_state["bat_error"] = error_text(e)
        return
    except sqlite3.Error as e:  # the database busy or unreachable: say so, the batch is unchanged
        st.session_state["bat_error"] = t("bat_retry_failed", error=md(e))
        return
    st.session_state["bat_notice"] = t("bat_retried", n=done.queued + done.waiting)


def _brief(it: batches.Item) -> str:
    b = it.brief
    parts = [str(b["product"]) if b.get("product") else None,
             n("channel", b["channel"]) if b.get("channel") else None,
             n("locale", b["locale"]) if b.get("locale") else None]
    return " · ".join(p for p in parts if p)


def _items(batch_id: str, p: batches.Progress) -> None:
    shown = [s for s in batches.STATUSES if getattr(p, s)]
    if not shown:
        return
    default = "failed" if p.failed else shown[0]
    names = {s: f"{n('batch_status', s)} ({getattr(p, s)})" for s in shown}
    pick = st.segmented_control(t("bat_show"), shown, default=default, key=f"bat_filter_{batch_id}",
                                format_func=names.__getitem__)
    status = pick or default
    rows = batches.items(lib, batch_id, status, limit=ITEM_ROWS, by_line=True)
    # The columns that matter for this status (ten at once scroll sideways at 1024 px).
    extra = _COLUMNS[status]
    table: list[dict[str, Any]] = []
    for it in rows:
        cells = {
            "line": it.source, "brief": _brief(it), "variant": f"{it.variant}/{it.variants}",
            "starts": it.starts, "error": it.error or "", "worker": it.worker or "",
            "updated": short_time(it.updated_at), "item": it.key,
            "material": f"{it.material_id} v{it.version}" if it.material_id else "",
            "verdict": n("verdict", it.verdict) if it.verdict else "",
        }
        table.append({t(f"bat_col_{c}"): cells[c] for c in ("line", *extra, "brief", "variant", "item")})
    empty = [name for name in (table[0] if table else {}) if all(row[name] == "" for row in table)]
    for row in table:  # e.g. no reason yet for drafts queued the first time
        for name in empty:
            del row[name]
    small = {t(f"bat_col_{c}"): st.column_config.Column(width="small") for c in ("line", "variant", "starts")}
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        **small, t("bat_col_brief"): st.column_config.Column(width="medium"),
        t("bat_col_error"): st.column_config.Column(width="large")})
    if getattr(p, status) > len(rows):
        st.caption(t("bat_first_rows", n=len(rows), total=getattr(p, status)))


def _detail(batch_id: str, was_complete: bool) -> None:
    b, p = batches.get(lib, batch_id), batches.progress(lib, batch_id)
    if p.complete and not was_complete:
        st.rerun(scope="app")  # finished while shown: the list changes and the refresh stops
    st.progress(p.finished / p.total if p.total else 1.0,
                text=t("bat_progress_text", finished=p.finished, total=p.total))
    # Three figures a row: five cut their labels off at 1024 px.
    done, failed, waiting = st.columns(3)
    done.metric(t("bat_col_done"), str(p.done), help=t("bat_help_done"), border=True)
    done.caption(t("bat_blocked_detail", n=p.blocked))
    failed.metric(t("bat_col_failed"), str(p.failed), help=t("bat_help_failed"), border=True)
    waiting.metric(t("bat_col_waiting"), str(p.running + p.queued), help=t("bat_help_waiting"), border=True)
    waiting.caption(t("bat_waiting_detail", running=p.running, queued=p.queued))
    st.caption(t("bat_meta", author=md(b.author), created=short_time(b.created_at),
                 updated=short_time(p.updated_at), source=md(b.source)))
    if not p.complete and p.running == 0 and p.finished == 0:
        st.warning(t("bat_no_worker"))
    elif not p.complete:
        st.caption(t("bat_refreshing", s=f"{REFRESH_S:g}"))
    if p.failed and p.complete:
        may = batch_queue.may_retry(b, user.name, user.role)
        if st.button(t("bat_retry", n=p.failed), key=f"bat_retry_{batch_id}", type="primary", disabled=not may,
                     help=None if may else t("bat_retry_not_yours", author=md(b.author))):
            _retry(batch_id)
            st.rerun(scope="app")  # the notice and the list are outside this fragment
    _items(batch_id, p)


with user_errors():
    if st.session_state.get("bat_notice"):
        st.success(st.session_state.pop("bat_notice"))
    if st.session_state.get("bat_error"):
        st.error(st.session_state.pop("bat_error"))
    recent = batches.recent(lib, RECENT)
    if not recent:
        st.info(t("bat_none") if batch_queue.on_postgres(lib) else t("bat_sqlite"))
        st.stop()
    _overview(recent)
    by_id = {b.id: (b, p) for b, p in recent}
    if st.session_state.get("bat_pick") not in by_id:
        st.session_state["bat_pick"] = recent[0][0].id
    picked = st.selectbox(t("bat_open"), list(by_id), key="bat_pick", format_func=lambda i: (
        f"{i} · {by_id[i][0].source} · {by_id[i][1].finished}/{by_id[i][1].total}"))
    st.subheader(t("bat_heading", id=code(picked)))
    complete = by_id[picked][1].complete
    st.fragment(_detail, run_every=None if complete else REFRESH_S)(picked, complete)
