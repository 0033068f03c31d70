"""Pacing to a provider's limit: the arithmetic, and real requests to a limited loopback server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from contentgen.kernel.config import Settings
from contentgen.kernel.rate import Limits, RateState, reserve, settled, throttled
from contentgen.kernel.schemas import CopyContent
from contentgen.providers import get_model
from contentgen.providers.rate_limit import RateLimiter
from contentgen.providers.structured import ainvoke_structured
from contentgen.testing_provider import LimitedProvider


def test_requests_are_spaced_at_the_limit_and_tokens_count_too() -> None:
    limits, state = Limits(rpm=600, tpm=60_000), RateState()
    waits = []
    for _ in range(4):
        state, wait = reserve(state, limits, 100.0, tokens=100)
        waits.append(round(wait, 3))
    assert waits == [0.0, 0.1, 0.2, 0.3]  # 600 rpm: one every 0.1 s (100 tokens at 60k tpm: also 0.1 s)
    state, wait = reserve(state, limits, 100.0, tokens=5_000)  # a big request holds the next one back
    assert wait == pytest.approx(0.4)
    assert reserve(state, limits, 100.0)[1] == pytest.approx(0.4 + 5.0)
    # The answer used 3,000 tokens fewer than booked: the next request may go sooner.
    assert reserve(settled(state, limits, -3_000), limits, 100.0)[1] == pytest.approx(0.4 + 2.0)


def test_a_429_pauses_halves_the_pace_once_per_burst_then_it_recovers() -> None:
    limits = Limits(rpm=600, recover_s=30)
    state = throttled(RateState(), limits, 100.0, retry_after=2.0)
    state = throttled(state, limits, 100.2, retry_after=None)  # the same burst: no second halving
    assert state.pace == 0.5 and state.throttles == 2
    state, wait = reserve(state, limits, 100.2)
    assert wait == pytest.approx(1.8)  # everyone waits for the Retry-After
    gap = reserve(state, limits, 100.2)[1] - wait
    assert gap == pytest.approx(0.2, abs=1e-6)  # half pace: 0.2 s apart instead of 0.1
    # No recovery during the pause (until 102.0); then +1/30 of the pace a second.
    assert reserve(state, limits, 108.0)[0].pace == pytest.approx(0.7)
    assert reserve(state, limits, 117.0)[0].pace == pytest.approx(1.0)
    assert throttled(state, limits, 101.5, None).pace == 0.25  # a later burst halves again
    floor = RateState(pace=0.06, pace_at=200.0)
    assert throttled(floor, limits, 200.0, None).pace == limits.floor


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rpm must be a positive number"):
        Limits(rpm=0)
    assert not Limits().active and Limits(tpm=1).active


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[LimitedProvider]:
    server = LimitedProvider(latency=0.01, rpm=600).start()  # holds 10 requests, refills 10/s
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    yield server
    server.stop()


def _burst(limiter: RateLimiter | None, n: int) -> float:
    handle = get_model(Settings.load())
    handle.limiter = limiter

    async def run() -> None:
        try:
            await asyncio.gather(*(ainvoke_structured(handle, _messages(i), CopyContent) for i in range(n)))
        finally:
            await handle.aclose()

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started


def _messages(i: int) -> list:
    from langchain_core.messages import HumanMessage, SystemMessage

    from contentgen.kernel.schemas import Brief

    brief = Brief(industry="food", segment="dormant.mass", persona="approachable", content_type="copy",
                  channel="moments", locale="en-US", product=f"Fruit box {i}")
    return [SystemMessage("Write one JSON object."),
            HumanMessage(f"<brief>{brief.model_dump_json()}</brief>\n<output schema=\"copy\" variant=\"1\" of=\"1\"/>")]


def test_paced_requests_meet_no_429_where_a_burst_meets_many(provider: LimitedProvider) -> None:
    _burst(None, 30)
    unpaced = provider.stats()["throttled"]
    assert unpaced > 0  # 30 at once against a bucket of 10: the provider refuses some
    time.sleep(1.2)  # the provider's bucket fills again
    before = provider.stats()
    limiter = RateLimiter(Limits(rpm=600))
    elapsed = _burst(limiter, 30)
    after = provider.stats()
    assert after["throttled"] == before["throttled"]  # not one 429 once paced
    assert after["requests"] - before["requests"] == 30
    assert elapsed >= 2.8  # 30 requests at 10 a second, evenly spaced
    assert limiter.throttles == 0


def test_a_limit_set_too_high_backs_off_on_429s_and_still_finishes(provider: LimitedProvider) -> None:
    limiter = RateLimiter(Limits(rpm=3000))  # five times what the provider allows
    _burst(limiter, 40)
    stats = provider.stats()
    assert limiter.throttles > 0 and limiter.state().throttles == limiter.throttles
    assert limiter.state().pace < 1.0  # it slowed down
    assert stats["requests"] - stats["throttled"] == 40  # every request got its answer in the end
    assert stats["throttled"] < 40  # backing off: not a storm of one 429 per request
