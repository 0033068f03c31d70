"""RetryPolicy and the classification of failures, with real openai exception objects."""

from __future__ import annotations

import email.utils
import time

import httpx2
import openai
import pytest

from contentgen.providers.retry import RetryPolicy, call_with_retry, is_retryable, retry_after

REQUEST = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")


def status_error(status: int, **headers: str) -> openai.APIStatusError:
    response = httpx2.Response(status, headers=headers, request=REQUEST)
    cls = {400: openai.BadRequestError, 401: openai.AuthenticationError, 404: openai.NotFoundError,
           429: openai.RateLimitError}.get(status, openai.InternalServerError)
    return cls(f"HTTP {status}", response=response, body=None)


@pytest.mark.parametrize(("status", "retry"), [(429, True), (500, True), (503, True), (400, False),
                                               (401, False), (404, False)])
def test_only_transient_statuses_are_retryable(status: int, retry: bool) -> None:
    assert is_retryable(status_error(status)) is retry


def test_timeouts_and_connection_errors_are_retryable() -> None:
    assert is_retryable(openai.APITimeoutError(REQUEST))
    assert is_retryable(openai.APIConnectionError(request=REQUEST))
    assert not is_retryable(ValueError("malformed answer"))


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after(status_error(429, **{"retry-after": "3"})) == 3.0
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    waited = retry_after(status_error(503, **{"retry-after": date}), now=now)
    assert waited is not None and 28.5 <= waited <= 30.5
    assert retry_after(status_error(500, **{"retry-after": "3"})) is None  # only 429/503 carry it
    assert retry_after(status_error(429, **{"retry-after": "soon"})) is None


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryPolicy(initial=0.5, maximum=2.0, jitter=0.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.0]
    jittery = RetryPolicy(initial=0.5, maximum=2.0, jitter=0.25)
    assert all(0.5 <= jittery.backoff(1) <= 0.75 for _ in range(20))


def test_bad_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_call_with_retry_stops_on_a_client_error() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise status_error(500)
        raise status_error(400)

    with pytest.raises(openai.BadRequestError):
        call_with_retry(RetryPolicy(max_attempts=5, initial=0.0, jitter=0.0), flaky)
    assert len(calls) == 2
