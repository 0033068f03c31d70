"""Login: the only page a session without a user sees."""

from __future__ import annotations

import streamlit as st

from contentgen.kernel.errors import ContentgenError
from review_ui._nav import PAGE_FILES, PAGES_DIR, pages_for
from review_ui._session import current_user, error_text, sign_in, t

# A form as wide as the page (~930 px on a wide layout) reads as a banner: a fixed width,
# centred, keeps two short fields looking like a login at 1024 px and 1440 px alike.
FORM_WIDTH_PX = 420

signed_in = current_user()
if signed_in is not None:
    # Just logged in (or came back to /login): go to the first page the role has.
    first = pages_for(signed_in.role)
    if first:
        st.switch_page(str(PAGES_DIR / PAGE_FILES[first[0]]))
    st.stop()

with st.container(horizontal_alignment="center"), st.container(width=FORM_WIDTH_PX):
    st.title(t("app_title"))
    st.caption(t("login_hint"))
    with st.form("login_form"):
        name = st.text_input(t("username"), key="login_name")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login"), key="login_submit", type="primary",
                                          width="stretch")
    if submitted:
        try:
            sign_in(name.strip(), password)
        except ContentgenError as e:
            st.error(t("shell_login_failed", why=error_text(e)))  # escaped: it may quote the name
        else:
            st.rerun()
