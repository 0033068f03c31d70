"""My work: an operator's items sent back (the reviewer's reason first), blocked by compliance,
and drafts; open one, edit it with a live re-check, save it or resubmit it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.schemas import content_fields
from contentgen.usecases import my_work as work
from review_ui._content import validate, with_fields
from review_ui._errors import field_name
from review_ui._safe import code, md
from review_ui._session import error_text, lang, library, n, require_user, t, user_errors
from review_ui._views import as_dict, content_view, findings_list, history_view, verdict_badge

user = require_user()
lib = library()
st.title(t("page_my_work"))


def _key(material_id: str, field: str) -> str:
    return f"w_edit_{material_id}_{field}"


def _edited_content(item: work.WorkItem) -> dict[str, Any]:
    """The current version's content with whatever the operator typed in the boxes."""
    fields = content_fields(validate(dict(item.version.content)))
    edits = {name: st.session_state[_key(item.material.id, name)] for name in fields
             if _key(item.material.id, name) in st.session_state}
    return with_fields(dict(item.version.content), edits).model_dump(mode="json")


def _save(item: work.WorkItem, submit: bool) -> None:
    mid = item.material.id
    try:
        content = _edited_content(item)
        if submit:
            mv = work.resubmit(lib, mid, item.version.version, content, actor=user.name)
            st.session_state["w_notice"] = f"{t('resubmitted')}: {code(mid)} v{mv.version}"
        else:
            mv = lib.edit(mid, base_version=item.version.version, content=content, actor=user.name)
            st.session_state["w_notice"] = f"{t('saved')}: {code(mid)} v{mv.version}"
    except ContentgenError as e:
        st.session_state["w_error"] = error_text(e)
        return
    for k in [k for k in st.session_state if str(k).startswith(f"w_edit_{mid}_")]:
        del st.session_state[k]  # the boxes show the saved version next time


def _open(item: work.WorkItem) -> None:
    m, v = item.material, item.version
    st.markdown(f"### {md(m.title or m.id)}\n{code(m.id)} · **{md(n('status', m.status))}**"
                f" · v{v.version} · {md(n('channel', m.channel))} · {md(n('industry', m.industry))}")
    if item.reason or item.decided_by:
        # What the reviewer asked for comes first: it is why the item is here.
        st.warning(f"{t('sent_back_by')} {md(item.decided_by or '?')}: {md(item.reason or t('no_reason'))}")
    try:
        content = _edited_content(item)
        report: Any = work.recheck(lib, m.id, content)
    except ContentgenError as e:
        st.error(error_text(e))
        content, report = dict(v.content), v.compliance
    changed = content != dict(v.content)
    verdict_badge(report, v.model)
    if changed:
        st.caption(t("live_recheck"))
    left, right = st.columns([3, 2])
    with left:
        content_view(content, report)
        with st.expander(t("edit"), expanded=True):
            for name, text in content_fields(validate(dict(v.content))).items():
                st.session_state.setdefault(_key(m.id, name), text)
                st.text_area(field_name(name, lang(), one_based=True), key=_key(m.id, name),
                             height=68 if len(text) < 60 else 160)
    with right:
        findings_list(report)
        with st.expander(t("history")):
            history_view(lib.history(m.id))
    blocked = as_dict(report).get("verdict") == "block"
    if blocked:
        st.caption(t("blocked_hint"))
    b1, b2 = st.columns(2)
    b1.button(t("save_new_version"), key="w_save", on_click=_save, args=(item, False), disabled=not changed,
              width="stretch")
    b2.button(t("resubmit"), key="w_resubmit", on_click=_save, args=(item, True), type="primary",
              disabled=blocked, width="stretch")


with user_errors():
    if st.session_state.get("w_notice"):
        st.success(st.session_state.pop("w_notice"))
    if st.session_state.get("w_error"):
        st.error(st.session_state.pop("w_error"))
    mine = work.my_work(lib, user.name)
    if not mine.total:
        st.info(t("no_work"))
        st.stop()
    groups = (("sent_back", mine.sent_back), ("blocked", mine.blocked), ("drafts", mine.drafts))
    m1, m2, m3 = st.columns(3)
    for col, (name, _items) in zip((m1, m2, m3), groups, strict=True):
        col.metric(t("work_" + name), mine.counts.get(name, 0))
    options: dict[str, work.WorkItem] = {}
    labels: dict[str, str] = {}
    for name, items in groups:
        for it in items:
            options[it.material.id] = it
            labels[it.material.id] = f"{t('work_' + name)} · {it.material.title or it.material.id} · v{it.version.version}"
    if st.session_state.get("w_pick") not in options:
        st.session_state["w_pick"] = next(iter(options))
    picked = st.selectbox(t("open_item"), list(options), format_func=labels.__getitem__, key="w_pick")
    _open(options[picked])
