"""The login form goes through the library's throttle (issue 10, item 6)."""

from __future__ import annotations

from typing import Any


def _try(at: Any, name: str, password: str) -> Any:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def test_five_wrong_passwords_lock_the_form_even_for_the_right_one(lib: Any, app: Any) -> None:
    at = app(None)
    for _ in range(5):
        _try(at, "olivia", "wrong-pass")
    _try(at, "olivia", "secret-pass")
    assert not at.exception
    assert "user" not in at.session_state
    assert any("“olivia”登录失败次数过多，请 15 分钟后再试" in e.value for e in at.error)
    # The lock is the library's: every face sees it, and it is audited.
    actions = [e.action for e in lib.audit_log(limit=20)]
    assert actions.count("login_failed") == 5 and "login_locked" in actions


def test_one_session_guessing_many_names_is_locked(lib: Any, app: Any) -> None:
    at = app(None)
    for name in ("olivia", "rui", "chen", "root", "rita"):
        _try(at, name, "wrong-pass")
    _try(at, "olivia", "secret-pass")
    assert "user" not in at.session_state
    assert any("此设备登录失败次数过多" in e.value for e in at.error)
