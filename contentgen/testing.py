"""A scripted chat model for tests and benchmarks: a queue of responses and a history of calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

Response = str | Exception | Callable[[list[BaseMessage]], str]


class FakeChatModel(BaseChatModel):
    """Answers from `responses` in order (then from `default`); records every call in `history`.

    FakeChatModel(responses=['{"title": ...}', ProviderError("boom")], latency=0.05)
    """

    responses: list[Any] = Field(default_factory=list)
    default: Any = None
    latency: float = 0.0
    history: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "contentgen-fake"

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.history.append(list(messages))
        item = self.responses.pop(0) if self.responses else self.default
        if item is None:
            raise AssertionError("FakeChatModel ran out of scripted responses")
        if isinstance(item, Exception):
            raise item
        text = item(messages) if callable(item) else str(item)
        return AIMessage(text, response_metadata={"model_name": "fake"})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.latency:
            time.sleep(self.latency)
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.latency:
            await asyncio.sleep(self.latency)
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])


def cli_ok(*args: str) -> Any:
    """Invoke the `contentgen` CLI in-process; fail with its output unless it exits 0."""
    from click.testing import CliRunner

    from contentgen.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(result.output)
    return result


def cli_main(*args: str) -> tuple[int, str, str]:
    """Run the real entry point (error boundary included): (exit code, stdout, stderr)."""
    import contextlib
    import io

    from contentgen.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return code, out.getvalue(), err.getvalue()
