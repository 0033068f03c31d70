"""Batches: where each queued generation batch stands, read from the library, so every host
shows the same; the drafts that failed with their reasons, and a retry for the batch's author.

The page refreshes itself while the batch it shows is still running. Everything in it that
people or the model wrote (sources, products, error messages quoting input) is shown as table
cells or escaped text, never rendered.
"""

from __future__ import annotations

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

user = require_user()
lib = library()
st.title(t("page_batches"))
st.caption(t("bat_intro"))


def _state(p: batches.Progress) -> str:
    if not p.complete:
        return "running" if p.running or p.finished else "queued"
    return "failed" if p.failed else "done"


def _overview(rows: list[tuple[batches.Batch, batches.Progress]]) -> None:
    table = [{
        t("bat_col_batch"): b.id,
        t("bat_col_created"): short_time(b.created_at),
        t("bat_col_author"): b.author,
        t("bat_col_source"): b.source,
        t("bat_col_state"): n("batch_state", _state(p)),
        t("bat_col_progress"): p.finished / p.total if p.total else 1.0,
        t("bat_col_done"): p.done,
        t("bat_col_blocked"): p.blocked,
        t("bat_col_failed"): p.failed,
        t("bat_col_running"): p.running,
        t("bat_col_queued"): p.queued,
    } for b, p in rows]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t("bat_col_progress"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})


def _retry(batch_id: str) -> None:
    try:
        done = batch_queue.retry_failed(lib, batch_id, as_user=user.name)
    except ContentgenError as e:
        st.session_state["bat_error"] = error_text(e)
        return
    st.session_state["bat_notice"] = t("bat_retried", n=done.queued + done.waiting)


def _brief(it: batches.Item) -> str:
    b = it.brief
    return " · ".join(str(x) for x in (b.get("product"), n("channel", b.get("channel")),
                                        n("locale", b.get("locale"))) if x)


def _items(batch_id: str, p: batches.Progress) -> None:
    shown = [s for s in batches.STATUSES if getattr(p, s)]
    if not shown:
        return
    default = "failed" if p.failed else shown[0]
    names = {s: f"{n('batch_status', s)} ({getattr(p, s)})" for s in shown}
    pick = st.segmented_control(t("bat_show"), shown, default=default, key=f"bat_filter_{batch_id}",
                                format_func=names.__getitem__)
    status = pick or default
    rows = batches.items(lib, batch_id, status, limit=ITEM_ROWS)
    table: list[dict[str, Any]] = [{
        t("bat_col_item"): it.key,
        t("bat_col_line"): it.source,
        t("bat_col_brief"): _brief(it),
        t("bat_col_variant"): f"{it.variant}/{it.variants}",
        t("bat_col_starts"): it.starts,
        t("bat_col_material"): f"{it.material_id} v{it.version}" if it.material_id else "",
        t("bat_col_verdict"): n("verdict", it.verdict) if it.verdict else "",
        t("bat_col_error"): it.error or "",
        t("bat_col_worker"): it.worker or "",
        t("bat_col_updated"): short_time(it.updated_at),
    } for it in rows]
    st.dataframe(table, hide_index=True, width="stretch")
    if getattr(p, status) > len(rows):
        st.caption(t("bat_first_rows", n=len(rows), total=getattr(p, status)))


def _detail(batch_id: str, was_complete: bool) -> None:
    b, p = batches.get(lib, batch_id), batches.progress(lib, batch_id)
    if p.complete and not was_complete:
        st.rerun(scope="app")  # finished while shown: the list changes and the refresh stops
    st.progress(p.finished / p.total if p.total else 1.0,
                text=t("bat_progress_text", finished=p.finished, total=p.total))
    cols = st.columns(5)
    for col, key, value in zip(cols, ("done", "blocked", "failed", "running", "queued"),
                               (p.done, p.blocked, p.failed, p.running, p.queued), strict=True):
        col.metric(t(f"bat_col_{key}"), str(value), help=t(f"bat_help_{key}"), border=True)
    st.caption(t("bat_meta", author=md(b.author), created=short_time(b.created_at),
                 updated=short_time(p.updated_at), source=md(b.source)))
    if not p.complete and p.running == 0 and p.finished == 0:
        st.warning(t("bat_no_worker"))
    elif not p.complete:
        st.caption(t("bat_refreshing", s=f"{REFRESH_S:g}"))
    if p.failed and p.complete:
        may = user.name == b.author or user.role == "admin"
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
