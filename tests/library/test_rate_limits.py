"""The provider's limit kept in the library: every worker books from one state (both backends)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.kernel.rate import Limits
from contentgen.providers.rate_limit import RateLimiter
from library import Library
from library.rate_limits import SharedRateStore


def test_two_workers_book_from_one_state(library_target: str | Path) -> None:
    a, b = Library.open(library_target), Library.open(library_target)  # two connections, as two hosts
    try:
        limits = Limits(rpm=60)  # one request a second
        first = RateLimiter(limits, store=SharedRateStore(a, "openai:gpt"))
        second = RateLimiter(limits, store=SharedRateStore(b, "openai:gpt"))
        other = RateLimiter(limits, store=SharedRateStore(b, "openai:other-model"))
        waits = [(first if i % 2 else second)._book(0) for i in range(6)]
        # Booked alternately from two connections, the waits grow one second a request: one pace.
        assert waits[0] == pytest.approx(0, abs=0.2)
        assert [round(w2 - w1, 1) for w1, w2 in zip(waits, waits[1:], strict=False)] == [1.0] * 5
        assert other._book(0) == pytest.approx(0, abs=0.2)  # another limit has its own state
    finally:
        a.close()
        b.close()


def test_a_429_seen_by_one_worker_pauses_the_others(library_target: str | Path) -> None:
    a, b = Library.open(library_target), Library.open(library_target)
    try:
        limits = Limits(rpm=600)
        RateLimiter(limits, store=SharedRateStore(a, "p")).throttled(retry_after=5.0)
        other = RateLimiter(limits, store=SharedRateStore(b, "p"))
        assert other._book(0) == pytest.approx(5.0, abs=0.3)
        state = other.state()
        assert state.throttles == 1 and state.pace == pytest.approx(0.5, abs=0.01)
    finally:
        a.close()
        b.close()
