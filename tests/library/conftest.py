"""Fixtures for the library: a fresh library with one user per role, and Draft factories."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import (
    Brief,
    CopyContent,
    Draft,
    ModelInfo,
    PushContent,
    SendWindow,
    content_fields,
    content_text,
)
from library import Library

_counter = itertools.count(1)
BANNED = {"保本": "finance.guaranteed_return", "guaranteed": "finance.guaranteed_return"}
WARNED = {"最": "ad_law.superlative"}


def word_checker(content: BaseModel, *, locale: str, industry: str, channel: str,
                 content_type: str, segment: str | None = None) -> ComplianceReport:
    """A small real checker for library tests: error on a banned word, warning on a superlative."""
    findings = []
    for field, text in content_fields(content).items():
        for words, severity in ((BANNED, "error"), (WARNED, "warning")):
            for word, rule in words.items():
                at = text.find(word)
                if at >= 0:
                    findings.append(Finding(rule=rule, severity=severity, start=at,
                                            end=at + len(word), match=word, field=field,
                                            message=f"{word!r} is not allowed"))
    return ComplianceReport(verdict=ComplianceReport.verdict_for(findings), findings=findings,
                            locale=locale, industry=industry, channel=channel)


def make_draft(body: str = "好久不见，新品氨基酸洁面乳上市，回复1领取试用装。", *,
               blocked: bool = False, channel: str = "sms", industry: str = "cosmetics",
               segment: str = "dormant.mass", locale: str = "zh-CN", key: str | None = None,
               offline: bool = True) -> Draft:
    n = next(_counter)
    if channel in ("moments", "official_account"):
        content: BaseModel = CopyContent(headline=f"新品上市 {n}", body=body, cta="立即咨询")
        content_type = "copy"
    else:
        content = PushContent(title="", body=body, send_window=SendWindow(start="10:00", end="20:00"))
        content_type = "push"
    brief = Brief(industry=industry, segment=segment, content_type=content_type, channel=channel,
                  locale=locale, product="氨基酸洁面乳")
    findings = []
    if blocked:
        findings.append(Finding(rule="finance.guaranteed_return", severity="error", start=0, end=2,
                                match=body[:2], message="promises a guaranteed return",
                                field="body", suggestion="describe risks instead"))
    report = ComplianceReport(verdict=ComplianceReport.verdict_for(findings), findings=findings,
                              locale=locale, industry=industry, channel=channel)
    return Draft(
        key=key or f"{brief.key()}-{n}", variant=1, brief=brief, content=content,
        text=content_text(content), prompt_ref="push.reactivate@1+abc123",
        model=ModelInfo(provider="offline" if offline else "openai",
                        name="offline-v1" if offline else "gpt-4o-mini", offline=offline),
        parameters={"temperature": 0.7}, compliance=report,
    )


@pytest.fixture
def draft_factory() -> Callable[..., Draft]:
    return make_draft


@pytest.fixture
def lib_path(library_target: str | Path) -> str | Path:
    """The library's file, or its PostgreSQL URL (--backend postgresql)."""
    return library_target


@pytest.fixture
def lib(lib_path: str | Path) -> Any:
    """A library with alice (operator), bob (operator), rita (reviewer), ray (reviewer),
    carl (compliance) and ada (admin)."""
    library = Library.open(lib_path, checker=word_checker)
    for name, role in (("alice", "operator"), ("bob", "operator"), ("rita", "reviewer"),
                       ("ray", "reviewer"), ("carl", "compliance"), ("ada", "admin")):
        library.users.add(name, role)
    yield library
    library.close()
