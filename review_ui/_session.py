"""Per-session state the pages share: settings, the library, the signed-in user, the language."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import streamlit as st

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ContentgenError
from review_ui._errors import error_text as error_text  # pages take it from here too
from review_ui._i18n import DEFAULT_LANG, label, name


@dataclass(frozen=True)
class SessionUser:
    name: str
    role: str


def settings() -> Settings:
    return Settings.load()


def library() -> Any:
    """The library for this script run; reopened when Streamlit runs the script on a new thread.

    sqlite3 connections belong to the thread that made them, and Streamlit may rerun a
    session's script on a fresh thread, so the handle is cached with its thread id.
    """
    from contentgen import usecases

    path = str(settings().db_path)
    if usecases.library_access.pooled(path):  # PostgreSQL: one handle and its pool for every session
        return _pooled_library(path, usecases.open_library)
    cached = st.session_state.get("_library")
    me = threading.get_ident()
    if cached and cached[0] == path and cached[1] == me:
        return cached[2]
    if cached and hasattr(cached[2], "close"):
        cached[2].close()  # this session's connections from an earlier run's thread
    lib = usecases.open_library(path)
    st.session_state["_library"] = (path, me, lib)
    return lib


@st.cache_resource(show_spinner=False)
def _pooled_library(target: str, _open: Callable[[str], Any]) -> Any:
    """One handle per process and target (`_open` is left out of the cache key)."""
    return _open(target)


def may(role: str, action: str) -> bool:
    """Whether the library's workflow lets this role take this step (to hide what it may not)."""
    from library.workflow import STEPS

    step = STEPS.get(action)
    return step is not None and role in step.roles


def lang() -> str:
    return str(st.session_state.get("ui_lang", DEFAULT_LANG))


def t(key: str, **fmt: object) -> str:
    """The label for key in the session's language."""
    return label(key, lang(), **fmt)


def n(kind: str, value: object) -> str:
    """The human name of a vocabulary identifier in the session's language (see _i18n.name)."""
    return name(kind, value, lang())


def current_user() -> SessionUser | None:
    user = st.session_state.get("user")
    return SessionUser(**user) if isinstance(user, dict) else None


def require_user() -> SessionUser:
    """The signed-in user; a page reached without login stops here (app.py never routes there)."""
    user = current_user()
    if user is None:
        st.warning(t("login_hint"))
        st.stop()
    assert user is not None
    return user


def client_key() -> str | None:
    """Who is trying to log in, for the library's per-client throttle: the IP when Streamlit
    knows it (it does not on localhost), else this browser session (hashed: not a secret)."""
    ip = getattr(st.context, "ip_address", None)
    if isinstance(ip, str) and ip:
        return f"ip:{ip}"
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    return "session:" + hashlib.sha256(ctx.session_id.encode()).hexdigest()[:16]


def sign_in(name: str, password: str) -> SessionUser:
    """Authenticate against the library (throttled there); PermissionDenied on bad credentials."""
    u = library().users.authenticate(name, password, client=client_key())
    user = SessionUser(name=u.name, role=u.role)
    st.session_state["user"] = {"name": user.name, "role": user.role}
    return user


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        if key not in ("ui_lang",):
            del st.session_state[key]


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a library or engine error as a sentence in the user's language instead of a
    traceback (see _errors: escaped, because messages quote input)."""
    try:
        yield
    except ContentgenError as e:
        st.error(error_text(e))


def offline_badge(model: Any) -> None:
    """Say plainly when a draft came from the embedded offline model."""
    offline = model.get("offline") if isinstance(model, dict) else getattr(model, "offline", False)
    if offline:
        st.caption(f":orange-background[**{t('offline_model')}**]")
