"""The review UI entry point: language switch, login, and the page set the user's role allows.

    streamlit run review_ui/app.py
"""

from __future__ import annotations

import streamlit as st

from review_ui._i18n import LANGS, label
from review_ui._nav import PAGE_FILES, PAGE_ICONS, PAGES_DIR, pages_for
from review_ui._safe import md
from review_ui._session import current_user, lang, n, sign_out, t


def _set_lang() -> None:
    st.session_state["ui_lang"] = st.session_state["ui_lang_choice"]


def main() -> None:
    st.set_page_config(page_title="contentgen", page_icon=":material/fact_check:", layout="wide")
    with st.sidebar:
        # The choice lives in a plain state key: widget state is dropped on runs that do not
        # draw the widget, and the language must survive every page switch and the login.
        st.radio(
            label("language", "zh") + " / " + label("language", "en"),
            options=list(LANGS),
            index=list(LANGS).index(lang()),
            format_func=LANGS.__getitem__,
            horizontal=True,
            key="ui_lang_choice",
            on_change=_set_lang,
        )
    user = current_user()
    login = st.Page(
        str(PAGES_DIR / "login.py"),
        title=t("page_login"),
        url_path="login",
        visibility="visible" if user is None else "hidden",
    )
    if user is None:
        st.navigation([login], position="hidden").run()
        return
    with st.sidebar:
        st.markdown(t("shell_signed_in", name=md(user.name), role=md(n("role", user.role))))
        if st.button(t("logout"), key="logout", width="stretch"):
            sign_out()
            st.rerun()
    pages = [
        st.Page(
            str(PAGES_DIR / PAGE_FILES[name]),
            title=t(f"page_{name}"),
            icon=PAGE_ICONS[name],
            url_path=name,
        )
        for name in pages_for(user.role)
    ]
    # The login page stays registered (hidden) so the run right after login finds the page it
    # was on; login.py then moves the user to their first page.
    st.navigation([*pages, login]).run()


main()
