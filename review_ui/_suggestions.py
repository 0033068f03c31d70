"""Rules page: rules suggested by reviewers' edits, for compliance officers to accept or dismiss.

Mining reads every approved edit and checks each term against the packs (seconds on a big
library), so it runs when asked and its list is kept for the session; accepting or dismissing
goes through contentgen.usecases.feedback and clears the list.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from contentgen.kernel.errors import ContentgenError
from contentgen.usecases import feedback
from review_ui._errors import error_text
from review_ui._safe import code, md
from review_ui._session import library, settings, t

KEY = "rules_suggestions"


def _find() -> None:
    st.session_state.pop("sug_notice", None)
    try:  # a callback runs outside the page's user_errors(): its errors are said here
        st.session_state[KEY] = feedback.suggestions(library(), settings().rules_dir)
    except ContentgenError as e:
        st.session_state["sug_notice"] = ("error", error_text(e))


def _decide(action: str, suggestion_id: str, actor: str) -> None:
    try:
        if action == "accept":
            done = feedback.accept(library(), suggestion_id, actor=actor, rules_dir=settings().rules_dir)
            st.session_state["sug_notice"] = ("success", t("sug_accepted", rule=done.suggestion.rule_id,
                                                           path=str(done.path), rescan=done.rescan.summary()))
        else:
            note = (st.session_state.get(f"sug_note_{suggestion_id}") or "").strip() or None
            s = feedback.dismiss(library(), suggestion_id, actor=actor, note=note, rules_dir=settings().rules_dir)
            st.session_state["sug_notice"] = ("success", t("sug_dismissed", term=s.term))
    except ContentgenError as e:
        st.session_state["sug_notice"] = ("error", error_text(e))
    except OSError as e:  # the rules folder cannot be written: say which file and why
        st.session_state["sug_notice"] = ("error", md(f"{e.filename or ''}: {e.strerror or e}"))
    st.session_state.pop(KEY, None)


def _one(s: Any, actor: str) -> None:
    with st.container(border=True):
        change = t("sug_replaced", rep=md(s.replacement)) if s.replacement else t("sug_removed")
        st.markdown(f"**{md(s.term)}** {change} · {t('sug_support', n=s.support)} · {code(s.id)}")
        st.dataframe([{t("sug_before"): b, t("sug_after"): a} for b, a in s.examples],
                     hide_index=True, width="stretch")
        st.code(s.yaml(), language="yaml")  # shown as code, never rendered
        left, mid, right = st.columns([1, 1, 2])
        left.button(t("sug_accept"), key=f"sug_accept_{s.id}", type="primary", on_click=_decide,
                    args=("accept", s.id, actor))
        right.text_input(t("sug_note"), key=f"sug_note_{s.id}", label_visibility="collapsed",
                         placeholder=t("sug_note"))
        mid.button(t("sug_dismiss"), key=f"sug_dismiss_{s.id}", on_click=_decide, args=("dismiss", s.id, actor))


def section(actor: str) -> None:
    """The suggestions, with their examples and YAML, and a decision for each."""
    st.subheader(t("sug_title"))
    st.caption(t("sug_help"))
    if notice := st.session_state.get("sug_notice"):
        (st.success if notice[0] == "success" else st.error)(md(notice[1]) if notice[0] == "success" else notice[1])
    st.button(t("sug_find"), key="sug_find", on_click=_find)
    found = st.session_state.get(KEY)
    if found is None:
        return
    if not found:
        st.info(t("sug_none"))
    for s in found:
        _one(s, actor)
