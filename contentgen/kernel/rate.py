"""Pacing model requests to a provider's per-minute limits: the state of one limit and the
arithmetic that gives each request its send time. Pure functions: the same state is kept in
memory for one process or in the library's database for every worker (library.rate_limits).

    state, wait = reserve(state, limits, now, tokens=900)   # sleep `wait` seconds, then send
    state = throttled(state, now, retry_after=2.0)          # a 429: pause everyone, slow down
    state = settled(state, limits, tokens_over=-120)        # the answer used fewer tokens

The pacing is GCRA ("virtual scheduling"): each limit keeps the earliest time its next request
may go; a reservation takes that time (or now) and moves it on by the request's cost, 60/rpm
seconds for a request and tokens * 60/tpm for its tokens. Requests leave evenly spaced at the
limit, never in a burst that a per-minute window would refuse.

Adaptive: a 429 pauses every worker for its Retry-After and halves the pace (at most once a
second, however many 429s arrive together); once the pause is over the pace recovers linearly
to the configured limit, from zero over `recover_s`, without another 429.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

DEFAULT_PAUSE_S = 1.0  # a 429 without Retry-After pauses this long
CUT_EVERY_S = 1.0  # one halving per second: 429s from one burst count once


@dataclass(frozen=True)
class Limits:
    """A provider's limits; None is no limit on that dimension."""

    rpm: float | None = None  # requests per minute
    tpm: float | None = None  # tokens per minute
    recover_s: float = 30.0  # from zero pace back to full (from half pace: half of it)
    floor: float = 0.05  # the slowest pace, as a share of the limits

    def __post_init__(self) -> None:
        for name in ("rpm", "tpm"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if not self.recover_s > 0 or not 0 < self.floor <= 1:
            raise ValueError("recover_s must be positive and floor in (0, 1]")

    @property
    def active(self) -> bool:
        return self.rpm is not None or self.tpm is not None


@dataclass(frozen=True)
class RateState:
    request_at: float = 0.0  # earliest send time allowed by the request limit (epoch seconds)
    token_at: float = 0.0  # the same for the token limit
    paused_until: float = 0.0  # no request goes before this (the last 429's Retry-After)
    pace: float = 1.0  # share of the limits in use now: 1 normally, less after 429s
    pace_at: float = 0.0  # when pace was last brought up to date
    cut_at: float = 0.0  # when pace was last halved
    throttles: int = 0  # 429s seen

    def dumps(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | None) -> RateState:
        if not text:
            return cls()
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in json.loads(text).items() if k in known})


def _recovered(state: RateState, limits: Limits, now: float) -> float:
    if not state.pace_at:
        return state.pace
    since = max(state.pace_at, state.paused_until)  # no recovery while paused
    return min(1.0, state.pace + max(0.0, now - since) / limits.recover_s)


def reserve(state: RateState, limits: Limits, now: float, tokens: int = 0) -> tuple[RateState, float]:
    """Book the next send time for one request of about `tokens` tokens; returns the new state
    and how long the caller waits before sending (0: send now)."""
    pace = _recovered(state, limits, now)
    send = max(now, state.paused_until)
    request_at, token_at = state.request_at, state.token_at
    if limits.rpm is not None:
        send = max(send, request_at)
        request_at = send + 60.0 / (limits.rpm * pace)
    if limits.tpm is not None:
        send = max(send, token_at)
        token_at = send + max(0, tokens) * 60.0 / (limits.tpm * pace)
    new = replace(state, request_at=request_at, token_at=token_at, pace=pace, pace_at=now)
    return new, send - now


def throttled(state: RateState, limits: Limits, now: float, retry_after: float | None) -> RateState:
    """The provider answered 429: pause everyone for Retry-After and halve the pace."""
    pace = _recovered(state, limits, now)
    if now - state.cut_at >= CUT_EVERY_S:
        pace, cut_at = max(limits.floor, pace / 2), now
    else:
        cut_at = state.cut_at
    pause = DEFAULT_PAUSE_S if retry_after is None else max(0.0, retry_after)
    return replace(state, paused_until=max(state.paused_until, now + pause), pace=pace, pace_at=now,
                   cut_at=cut_at, throttles=state.throttles + 1)


def settled(state: RateState, limits: Limits, tokens_over: int) -> RateState:
    """A request used `tokens_over` more tokens than it booked (fewer when negative)."""
    if limits.tpm is None or not tokens_over:
        return state
    return replace(state, token_at=state.token_at + tokens_over * 60.0 / (limits.tpm * state.pace))
