"""The real LLM: `langchain_openai.ChatOpenAI` against OpenAI or any OpenAI-compatible server.

Its HTTP clients look at every 200 chat-completions answer before the SDK parses it: a gateway's
HTML page, `{}` or an answer with no choices raises MissingCompletionError (retried like a 5xx,
reported in words) instead of an AttributeError from deep inside the parser.
"""

from __future__ import annotations

from typing import Any

import openai
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ProviderError
from contentgen.providers.retry import completion_problem, missing_completion


def _needs_check(response: Any) -> bool:
    return bool(
        response.status_code == 200
        and response.request.url.path.endswith("/chat/completions")
        # A stream is parsed event by event; only whole answers are checked here.
        and "text/event-stream" not in response.headers.get("content-type", "")
    )


def _check(response: Any) -> None:
    problem = completion_problem(response.headers.get("content-type", ""), response.content)
    if problem:
        # Not an openai.OpenAIError nor an HTTP transport error: the SDK lets it through as is.
        raise missing_completion(problem)


def _check_sync(response: Any) -> None:
    if _needs_check(response):
        response.read()
        _check(response)


async def _check_async(response: Any) -> None:
    if _needs_check(response):
        await response.aread()
        _check(response)


class _CheckedClient(openai.DefaultHttpxClient):
    """The SDK's default client (its limits, redirects) with the completion check; closes on GC."""

    def __init__(self) -> None:
        super().__init__(event_hooks={"response": [_check_sync]})

    def __del__(self) -> None:
        try:
            if not self.is_closed:
                self.close()
        except Exception:  # at interpreter shutdown there may be nothing left to close with
            pass


class _CheckedAsyncClient(openai.DefaultAsyncHttpxClient):
    def __init__(self) -> None:
        super().__init__(event_hooks={"response": [_check_async]})


def build_chat_openai(
    settings: Settings, *, model: str | None, temperature: float | None, timeout: float
) -> ChatOpenAI:
    """ChatOpenAI with max_retries=0: our RetryPolicy is the only thing that retries."""
    if not settings.openai_api_key:
        raise ProviderError("no OPENAI_API_KEY set; unset it to use the offline model, or export it")
    kwargs: dict[str, Any] = {
        "model": model or settings.openai_model,
        "api_key": SecretStr(settings.openai_api_key),
        "timeout": timeout,
        "max_retries": 0,
        "http_client": _CheckedClient(),
        "http_async_client": _CheckedAsyncClient(),
    }
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    if temperature is not None:
        kwargs["temperature"] = temperature
    return ChatOpenAI(**kwargs)
