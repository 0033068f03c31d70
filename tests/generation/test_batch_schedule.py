"""Batch scheduling: requests go out as soon as their own draft is ready, never in convoys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contentgen.generate import jobs_for
from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.schemas import Brief

OK = json.dumps(
    {"headline": "好久不见，来看看新变化", "body": "申赎灵活，专属顾问一对一为您答疑。理财有风险，投资需谨慎。",
     "cta": "点击了解", "hashtags": ["理财"]},
    ensure_ascii=False,
)


class RecordingCatalog:
    """The real catalog; notes each prompt resolution, and can refuse one variant's prompt."""

    def __init__(self, catalog: Any, events: list[str], refuse_variant: int | None = None) -> None:
        self.catalog, self.events, self.refuse_variant = catalog, events, refuse_variant
        self.variant = 0

    def resolve(self, brief: Brief) -> Any:
        self.variant += 1
        self.events.append("render")
        if self.variant == self.refuse_variant:
            raise ContentgenError("prompt refused for this test")
        return self.catalog.resolve(brief)


def record_requests(fake: Any, events: list[str]) -> None:
    inner = fake._agenerate

    async def starting(*a: Any, **kw: Any) -> Any:
        events.append("request")
        return await inner(*a, **kw)

    object.__setattr__(fake, "_agenerate", starting)


def test_each_request_starts_before_the_next_draft_renders(make_generator: Any, brief: Brief) -> None:
    gen, fake = make_generator([], default=OK, latency=0.02)
    events: list[str] = []
    gen.catalog = RecordingCatalog(gen.catalog, events)
    record_requests(fake, events)
    result = gen.run_sync(jobs_for(brief, 4), concurrency=4)
    assert len(result.drafts) == 4
    assert events == ["render", "request"] * 4, "renders and requests alternate: no convoy"


@pytest.mark.timeout(20)
def test_a_draft_failing_before_its_request_does_not_hold_up_the_batch(
    make_generator: Any, brief: Brief
) -> None:
    gen, fake = make_generator([], default=OK, latency=0.01)
    events: list[str] = []
    gen.catalog = RecordingCatalog(gen.catalog, events, refuse_variant=2)
    record_requests(fake, events)
    seen: list[Any] = []
    result = gen.run_sync(jobs_for(brief, 5), concurrency=2, on_done=seen.append)
    assert [d.variant for d in result.drafts] == [1, 3, 4, 5]
    assert [f.variant for f in result.failures] == [2] and "refused" in result.failures[0].error
    assert len(seen) == 5 and events.count("request") == 4
