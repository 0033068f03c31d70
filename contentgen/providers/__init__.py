"""LLM providers: the embedded offline model, or ChatOpenAI when OPENAI_API_KEY is set.

    handle = get_model(Settings.load())            # offline unless OPENAI_API_KEY is set
    res = invoke_structured(handle, messages, CopyContent)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from contentgen.kernel.config import Settings
from contentgen.kernel.schemas import ModelInfo
from contentgen.providers.offline import OFFLINE_MODEL_NAME, OfflineChatModel
from contentgen.providers.openai_provider import build_chat_openai
from contentgen.providers.rate_limit import RateLimiter
from contentgen.providers.retry import RetryPolicy

__all__ = ["ModelHandle", "OfflineChatModel", "RetryPolicy", "get_model"]


@dataclass
class ModelHandle:
    """A chat model plus what drafts record about it and how calls to it are retried."""

    chat: BaseChatModel
    info: ModelInfo
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Flipped to False the first time a server rejects response_format json_schema,
    # so later drafts go straight to JSON mode instead of paying a 400 each time.
    json_schema: bool = True
    # The provider's rate limit (contentgen.providers.rate_limit); None: requests go at once.
    limiter: RateLimiter | None = None

    async def aclose(self) -> None:
        """Close the async HTTP client's connections (before the event loop that used them ends)."""
        client = getattr(self.chat, "http_async_client", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()


def get_model(
    settings: Settings,
    *,
    model: str | None = None,
    temperature: float | None = None,
    timeout: float = 60.0,
    retry: RetryPolicy | None = None,
) -> ModelHandle:
    """The offline model without OPENAI_API_KEY, else ChatOpenAI (model, base URL, timeout)."""
    policy = retry or RetryPolicy()
    if settings.offline:
        chat = OfflineChatModel(temperature=temperature)
        info = ModelInfo(provider="offline", name=OFFLINE_MODEL_NAME, offline=True)
        return ModelHandle(chat, info, policy, json_schema=False)
    openai_chat = build_chat_openai(settings, model=model, temperature=temperature, timeout=timeout)
    info = ModelInfo(provider="openai", name=openai_chat.model_name, offline=False)
    return ModelHandle(openai_chat, info, policy)
