"""UI test fixtures: a library file with one user per role and drafts built directly."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contentgen.compliance.report import ComplianceReport, Finding
from contentgen.schemas import Brief, Draft, ModelInfo, PushContent, SendWindow

APP = str(Path(__file__).resolve().parents[2] / "review_ui" / "app.py")
PASSWORD = "secret-pass"
USERS = {"olivia": "operator", "rui": "reviewer", "chen": "compliance", "root": "admin",
         "rita": "reviewer"}
_keys = itertools.count(1)


@pytest.fixture
def lib(isolated_env: Path) -> Iterator[Any]:
    from library import Library

    library = Library.open(isolated_env / "contentgen.db")
    for name, role in USERS.items():
        library.users.add(name, role, password=PASSWORD)
    yield library
    library.close()


def _draft(body: str, findings: list[Finding], *, industry: str = "retail",
           channel: str = "app_push") -> Draft:
    brief = Brief(industry=industry, segment="dormant.mass", content_type="push", channel=channel,
                  product="周末野餐篮")
    content = PushContent(title="周末好去处", body=body, send_window=SendWindow(start="10:00", end="20:00"))
    return Draft(
        key=f"ui-test-{next(_keys)}",
        variant=1,
        brief=brief,
        content=content,
        text=f"周末好去处\n{body}",
        prompt_ref="push/reactivation@1+abc",
        model=ModelInfo(provider="offline", name="offline-test", offline=True),
        compliance=ComplianceReport(verdict=ComplianceReport.verdict_for(findings), findings=findings,
                                    locale="zh-CN", industry=industry, channel=channel),
    )


@pytest.fixture
def many_drafts() -> Callable[[int], Iterator[Draft]]:
    """n distinct clean push drafts, made lazily (for the 10,000-item paging test)."""

    def make(n: int) -> Iterator[Draft]:
        for i in range(n):
            yield _draft(f"野餐篮第{i}号上新，点击查看。", [])

    return make


@pytest.fixture
def make_material(lib: Any) -> Callable[..., Any]:
    """Save a push draft as olivia and take it to `status` through the real workflow."""

    def make(status: str = "in_review", *, body: str = "好久不见，野餐篮本周上新，点击查看。",
             error: bool = False, warning: bool = False, author: str = "olivia",
             **kw: Any) -> Any:
        findings = []
        if warning:
            findings = [Finding(rule="pii.phone", severity="warning", start=0, end=2,
                                match=body[:2], message="个人信息", field="body")]
        if error:
            start = body.index("最")
            findings = [Finding(rule="ad_law.superlative", severity="error", start=start,
                                end=start + 2, match=body[start:start + 2], message="绝对化用语",
                                suggestion="更", reference="《广告法》第九条", field="body")]
        mv = lib.save_draft(_draft(body, findings, **kw), author=author)
        if status in ("in_review", "approved", "released"):
            lib.submit(mv.material_id, 1, actor=author)
        if status in ("approved", "released"):
            lib.approve(mv.material_id, 1, actor="rui")
        if status == "released":
            lib.release(mv.material_id, 1, actor="rui")
        return lib.get(mv.material_id)

    return make


def app_as(user: str | None, page: str | None = None) -> Any:
    """An AppTest of the review UI signed in as user (None: nobody), on page (e.g. 'review')."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state["user"] = {"name": user, "role": USERS[user]}
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


@pytest.fixture
def app() -> Callable[..., Any]:
    return app_as
