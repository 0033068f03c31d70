"""The real LLM: `langchain_openai.ChatOpenAI` against OpenAI or any OpenAI-compatible server."""

from __future__ import annotations

from typing import Any

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from contentgen.config import Settings
from contentgen.errors import ProviderError


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
    }
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    if temperature is not None:
        kwargs["temperature"] = temperature
    return ChatOpenAI(**kwargs)
