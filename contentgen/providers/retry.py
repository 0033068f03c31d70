"""Our one retry policy for model calls (ChatOpenAI runs with max_retries=0, so only this retries).

Retries only what can succeed on a second try: HTTP 429, 5xx, timeouts, connection errors,
and a 200 that carries no completion at all (an HTML page from a gateway, `{}`, no choices:
`MissingCompletionError`, a server-side fault like a 5xx). A 400/401/404 or a malformed answer
is never retried here (malformed answers get one repair round trip in `structured`, which is a
different thing).
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from langchain_core.exceptions import ModelError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)

from contentgen.kernel.errors import ContentgenError, ProviderError

T = TypeVar("T")


class MissingCompletionError(ProviderError):
    """The model server answered 200 but the body holds no completion (see completion_problem)."""


# What a model call raises when the provider (not our code) failed. Anything else is a bug and
# propagates as itself instead of being reported as "model call failed".
PROVIDER_FAILURES: tuple[type[BaseException], ...] = (
    openai.OpenAIError, ModelError, ContentgenError, OSError,  # OSError: timeouts, connections
)


def completion_problem(content_type: str, body: bytes) -> str | None:
    """Why a 200 chat-completions body is not a completion, in words; None when it is one."""
    text = body.strip()
    if not text:
        return "an empty body"
    if "html" in content_type.lower() or text[:1] == b"<":
        return "HTML page"
    try:
        data = json.loads(text)
    except ValueError:
        return "a body that is not JSON"
    if not isinstance(data, dict):
        return f"JSON {type(data).__name__} instead of an object"
    if data.get("error"):
        err = data["error"]
        said = err.get("message") if isinstance(err, dict) else err
        return f"an error object: {str(said)[:200]}"
    if not data:
        return "an empty JSON object {}"
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        return "no choices"
    first = choices[0]
    if not isinstance(first, dict) or not isinstance(first.get("message"), dict):
        return "a choice without a message"
    return None


def missing_completion(problem: str) -> MissingCompletionError:
    return MissingCompletionError(f"the model server answered 200 without a completion ({problem})")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a transient model failure.

        RetryPolicy(max_attempts=4, initial=0.5, maximum=8.0, jitter=0.25)

    Wait before retry n (n = 1, 2, ...) is `min(maximum, initial * 2**(n-1)) + uniform(0, jitter)`,
    but never less than the server's `Retry-After` (seconds or HTTP date) on 429/503.
    A `Retry-After` longer than `max_retry_after` ends the retries at once: waiting that long
    inside one generation helps nobody.
    """

    max_attempts: int = 4
    initial: float = 0.5
    maximum: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.initial, self.maximum, self.jitter, self.max_retry_after) < 0:
            raise ValueError("waits cannot be negative")

    def backoff(self, retry_number: int) -> float:
        """Exponential wait with jitter before retry `retry_number` (1-based)."""
        base = min(self.maximum, self.initial * 2 ** (retry_number - 1))
        return float(base + random.uniform(0, self.jitter))


def status_of(exc: BaseException) -> int | None:
    """The HTTP status behind an exception, if it came from an HTTP response."""
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: BaseException) -> bool:
    """True only for 429, 5xx, timeouts, connection errors and a 200 without a completion."""
    if isinstance(exc, MissingCompletionError):
        return True
    status = status_of(exc)
    if status is not None:
        return status == 429 or status >= 500
    if isinstance(exc, openai.APIConnectionError | TimeoutError | ConnectionError):
        return True  # APITimeoutError is an APIConnectionError
    return isinstance(exc, ModelError) and exc.is_retryable


def retry_after(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (Retry-After as seconds or HTTP date), if any."""
    if status_of(exc) not in (429, 503):
        return None
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("retry-after") if response is not None else None
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def describe(exc: BaseException) -> str:
    """One line saying what went wrong with a model call."""
    if isinstance(exc, MissingCompletionError):
        return str(exc)
    status = status_of(exc)
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        return "the model did not answer in time (timeout)"
    if isinstance(exc, openai.APIConnectionError | ConnectionError):
        return f"cannot connect to the model server ({exc})"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    first_line = str(message).splitlines()[0][:300]
    return f"HTTP {status}: {first_line}" if status else f"{type(exc).__name__}: {first_line}"


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after(exc) if exc else None
        own = policy.backoff(state.attempt_number)
        return own if asked is None else max(own, asked)

    return wait


def _should_retry(policy: RetryPolicy) -> Callable[[BaseException], bool]:
    def should(exc: BaseException) -> bool:
        asked = retry_after(exc)
        return is_retryable(exc) and (asked is None or asked <= policy.max_retry_after)

    return should


def _retrying_kwargs(policy: RetryPolicy) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(policy.max_attempts),
        "wait": _wait(policy),
        "retry": retry_if_exception(_should_retry(policy)),
        "reraise": True,
    }


def call_with_retry(policy: RetryPolicy, fn: Callable[[], T]) -> T:
    """Call fn, retrying transient failures under policy; the last error is re-raised."""
    for attempt in Retrying(**_retrying_kwargs(policy)):
        with attempt:
            return fn()
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


async def acall_with_retry(policy: RetryPolicy, fn: Callable[[], Awaitable[T]]) -> T:
    """Async twin of call_with_retry."""
    async for attempt in AsyncRetrying(**_retrying_kwargs(policy)):
        with attempt:
            return await fn()
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover
