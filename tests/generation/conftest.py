"""Fixtures for the generation pipeline: a brief, and a Generator on a scripted fake model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contentgen.generate import Generator
from contentgen.kernel.config import Settings
from contentgen.kernel.schemas import Brief, ModelInfo
from contentgen.testing import FakeChatModel


@pytest.fixture
def brief() -> Brief:
    return Brief(
        industry="finance",
        segment="dormant.mass",
        persona="professional",
        content_type="copy",
        channel="moments",
        locale="zh-CN",
        product="稳健理财季享计划",
        selling_points=["申赎灵活", "专属顾问一对一"],
    )


@pytest.fixture
def make_generator() -> Callable[..., tuple[Generator, FakeChatModel]]:
    def make(responses: list[Any], **kw: Any) -> tuple[Generator, FakeChatModel]:
        from contentgen.providers import ModelHandle

        fake = FakeChatModel(responses=list(responses), **kw)
        handle = ModelHandle(chat=fake, info=ModelInfo(provider="fake", name="fake"))
        return Generator(Settings.load(), handle=handle), fake

    return make
