"""The provider's rate limit, applied to every model request (retries and rewrites included).

    limiter = RateLimiter(Limits(rpm=1200, tpm=400_000))            # this process only
    limiter = RateLimiter(limits, store=SharedRateStore(lib, "openai"))  # every worker (library)
    handle.limiter = limiter                                        # structured.py asks it

Before each request `acquire` books a send time and sleeps until it; a 429 calls `throttled`
(everyone pauses for Retry-After, the pace halves, then recovers); after an answer `settle`
corrects the token estimate with the usage the provider reported.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from contentgen.kernel.rate import Limits, RateState, reserve, settled, throttled

T = TypeVar("T")
ANSWER_TOKENS_GUESS = 600  # booked for the answer before it exists; settled afterwards


class RateStore(Protocol):
    """Where a limit's state lives. `update(fn)` reads the state and the store's clock, writes
    what fn returns, atomically, and gives back fn's second value."""

    # True when update() waits on I/O (a database): async callers run it on a thread.
    blocking: bool

    def update(self, fn: Callable[[RateState, float], tuple[RateState, T]]) -> T: ...


class MemoryRateStore:
    """The state in this process (one `generate` run)."""

    blocking = False

    def __init__(self) -> None:
        self.state = RateState()
        self._lock = threading.Lock()

    def update(self, fn: Callable[[RateState, float], tuple[RateState, T]]) -> T:
        with self._lock:
            self.state, out = fn(self.state, time.time())
            return out


def estimate_tokens(messages: Sequence[Any]) -> int:
    """A request's tokens, guessed before sending: ~2 characters a token over CJK and Latin text
    alike, plus a typical answer. The provider's reported usage settles the difference."""
    chars = sum(len(str(getattr(m, "content", m))) for m in messages)
    return chars // 2 + ANSWER_TOKENS_GUESS


def used_tokens(answer: Any) -> int | None:
    """Total tokens the provider reported for an answer (LangChain's usage_metadata), if any."""
    usage = getattr(answer, "usage_metadata", None) or {}
    total = usage.get("total_tokens") if isinstance(usage, dict) else None
    return total if isinstance(total, int) and total > 0 else None


class RateLimiter:
    """Paces requests to `limits` over the state in `store` (memory unless given)."""

    def __init__(self, limits: Limits, store: RateStore | None = None) -> None:
        self.limits = limits
        self.store: RateStore = store or MemoryRateStore()
        self.waited_s = 0.0  # this process's total wait, for the batch summary
        self.throttles = 0  # 429s this process saw

    def _book(self, tokens: int) -> float:
        return self.store.update(lambda s, now: reserve(s, self.limits, now, tokens))

    async def acquire(self, tokens: int = 0) -> None:
        wait = await asyncio.to_thread(self._book, tokens) if self.store.blocking else self._book(tokens)
        if wait > 0:
            self.waited_s += wait
            await asyncio.sleep(wait)

    def acquire_sync(self, tokens: int = 0) -> None:
        wait = self._book(tokens)
        if wait > 0:
            self.waited_s += wait
            time.sleep(wait)

    def throttled(self, retry_after: float | None) -> None:
        self.throttles += 1
        self.store.update(lambda s, now: (throttled(s, self.limits, now, retry_after), None))

    def settle(self, booked: int, answer: Any) -> None:
        used = used_tokens(answer)
        if used is not None and self.limits.tpm is not None and used != booked:
            self.store.update(lambda s, now: (settled(s, self.limits, used - booked), None))

    async def athrottled(self, retry_after: float | None) -> None:
        if self.store.blocking:
            await asyncio.to_thread(self.throttled, retry_after)
        else:
            self.throttled(retry_after)

    async def asettle(self, booked: int, answer: Any) -> None:
        if self.store.blocking:
            await asyncio.to_thread(self.settle, booked, answer)
        else:
            self.settle(booked, answer)

    def state(self) -> RateState:
        return self.store.update(lambda s, now: (s, s))
