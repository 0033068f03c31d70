"""Login: a session without a user sees only the login form; the page set follows the role."""

from __future__ import annotations

from typing import Any

import pytest


def test_no_login_sees_only_the_login_form(lib: Any, app: Any) -> None:
    at = app(None)
    assert not at.exception
    assert at.text_input(key="login_name") is not None
    assert at.text_input(key="login_password") is not None
    keys = {b.key for b in at.button}
    assert "g_generate" not in keys and "r_approve" not in keys and "logout" not in keys


def test_good_password_signs_in(lib: Any, app: Any) -> None:
    at = app(None)
    at.text_input(key="login_name").input("olivia")
    at.text_input(key="login_password").input("secret-pass")
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert at.session_state["user"] == {"name": "olivia", "role": "operator"}
    # Straight onto the operator's first page.
    assert [b.key for b in at.main.button] == ["g_generate"]


@pytest.mark.parametrize("name,password", [("olivia", "wrong-pass"), ("nobody", "secret-pass")])
def test_bad_credentials_say_so_and_stay_out(lib: Any, app: Any, name: str, password: str) -> None:
    at = app(None)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert "user" not in at.session_state
    assert any("用户名或密码错误" in e.value for e in at.error)  # said in the UI's language


def test_the_login_form_is_a_narrow_centred_column(lib: Any, app: Any) -> None:
    """Not ~930 px wide on the wide layout (issue 12, problem 6): a fixed width, centred."""
    at = app(None)
    outer = next(iter(at.main.children.values()))
    inner = next(iter(outer.children.values()))
    assert outer.proto.flex_container.align == outer.proto.flex_container.ALIGN_CENTER
    assert inner.proto.width_config.pixel_width == 420
    assert any(child.type == "form" for child in inner.children.values())
