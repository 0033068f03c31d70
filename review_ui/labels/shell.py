"""The app shell (app.py) and the login page: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "shell_login_failed": ("登录失败：{why}", "Login failed: {why}"),
    "shell_signed_in": ("当前用户：**{name}** · {role}", "Signed in as **{name}** · {role}"),
}
