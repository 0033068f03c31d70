"""Structured answers: ask for JSON, validate with pydantic, one bounded repair round trip.

    res = invoke_structured(handle, messages, CopyContent, seed=7)
    res.value, res.raw, res.attempts

On OpenAI the first ask uses `response_format` json_schema (non-strict: our models have
defaults and Literal discriminators that strict mode rejects); a server that refuses
json_schema with a 400 drops to JSON mode (`json_object`) plus the schema in a system message.
Either way pydantic is the judge. Each HTTP round trip, failed or not, is one `Attempt`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from contentgen.kernel.errors import ProviderError
from contentgen.kernel.schemas import Attempt
from contentgen.providers.rate_limit import estimate_tokens
from contentgen.providers.retry import (
    PROVIDER_FAILURES,
    acall_with_retry,
    call_with_retry,
    describe,
    retry_after,
    status_of,
)

if TYPE_CHECKING:
    from contentgen.providers import ModelHandle

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)\n?\s*```\s*$", re.S)


@dataclass
class StructuredResult:
    value: BaseModel
    raw: str
    attempts: list[Attempt] = field(default_factory=list)


def parse_answer(raw: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """(value, None) when raw is one JSON object valid against schema, else (None, problem)."""
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        # Chatty models wrap the object in prose; take the outermost braces before giving up.
        start, end = text.find("{"), text.rfind("}")
        try:
            data = json.loads(text[start : end + 1]) if 0 <= start < end else None
        except json.JSONDecodeError:
            data = None
        if data is None:
            return None, f"not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
    if not isinstance(data, dict):
        return None, f"expected one JSON object, got {type(data).__name__}"
    try:
        return schema.model_validate(data), None
    except ValidationError as e:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in e.errors()[:8]
        ]
        return None, "; ".join(problems)


@lru_cache(maxsize=32)
def _schema_json(schema: type[BaseModel]) -> dict[str, Any]:
    return schema.model_json_schema()


def repair_message(problem: str, schema: type[BaseModel]) -> HumanMessage:
    return HumanMessage(
        f"Your previous answer is not a valid {schema.__name__} JSON object: {problem}. "
        "Reply with ONLY the corrected JSON object (no prose, no code fences), "
        "matching this JSON schema:\n"
        + json.dumps(_schema_json(schema), ensure_ascii=False)
    )


def _is_json_schema_refusal(exc: BaseException) -> bool:
    return status_of(exc) == 400 and "response_format" in str(exc).lower()


class _Conversation:
    """The request side of one structured ask: binding, message shaping, attempt records."""

    def __init__(self, handle: ModelHandle, schema: type[BaseModel], seed: int | None):
        self.handle, self.schema, self.seed = handle, schema, seed
        self.attempts: list[Attempt] = []
        self.problem: str | None = None

    @property
    def openai(self) -> bool:
        return self.handle.info.provider == "openai"

    def call_kwargs(self) -> dict[str, Any]:
        """Per-call model parameters (passed to invoke, not bound: no extra Runnable layer)."""
        kwargs: dict[str, Any] = {}
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if self.openai:
            kwargs["response_format"] = (
                {
                    "type": "json_schema",
                    "json_schema": {
                        "name": self.schema.__name__,
                        "schema": _schema_json(self.schema),
                        "strict": False,
                    },
                }
                if self.handle.json_schema
                else {"type": "json_object"}
            )
        return kwargs

    def shape(self, messages: list[BaseMessage]) -> list[BaseMessage]:
        if self.openai and not self.handle.json_schema:
            hint = SystemMessage(
                f"Answer with one JSON object only, valid against this JSON schema for "
                f"{self.schema.__name__}:\n" + json.dumps(_schema_json(self.schema), ensure_ascii=False)
            )
            return [hint, *messages]
        return messages

    def record(self, purpose: str, started: float, error: BaseException | None) -> None:
        self.attempts.append(
            Attempt(
                purpose=purpose,  # type: ignore[arg-type]
                ok=error is None,
                elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
                error=None if error is None else describe(error),
            )
        )

    def judge(self, raw: str) -> BaseModel | None:
        value, problem = parse_answer(raw, self.schema)
        if value is None:
            self.attempts[-1].ok = False
            self.attempts[-1].error = f"answer is not a valid {self.schema.__name__}: {problem}"
        self.problem = problem
        return value

    def failure(self, exc: BaseException, purpose: str) -> ProviderError:
        tries = sum(1 for a in self.attempts if a.purpose == purpose)
        return ProviderError(
            f"model call failed ({purpose}) after {tries} attempt{'s' * (tries != 1)}: {describe(exc)}",
            attempts=self.attempts,
        )

    def invalid(self) -> ProviderError:
        return ProviderError(
            f"the model's answer is not a valid {self.schema.__name__} after "
            f"{len(self.attempts)} attempts (including one repair): {self.problem}",
            attempts=self.attempts,
        )


def _text(message: Any) -> str:
    return message.text if isinstance(message, BaseMessage) else str(message)


def _throttled(conv: _Conversation, exc: BaseException) -> None:
    """A 429 tells the shared limit: every worker pauses and slows down, not just this one."""
    if conv.handle.limiter is not None and status_of(exc) == 429:
        conv.handle.limiter.throttled(retry_after(exc))


async def _athrottled(conv: _Conversation, exc: BaseException) -> None:
    if conv.handle.limiter is not None and status_of(exc) == 429:
        await conv.handle.limiter.athrottled(retry_after(exc))


def _ask_sync(conv: _Conversation, messages: list[BaseMessage], purpose: str) -> str:
    def once() -> str:
        shaped, limiter = conv.shape(messages), conv.handle.limiter
        booked = estimate_tokens(shaped) if limiter is not None else 0
        if limiter is not None:
            limiter.acquire_sync(booked)
        started = time.perf_counter()
        try:
            answer = conv.handle.chat.invoke(shaped, **conv.call_kwargs())
        except PROVIDER_FAILURES as e:  # a bug is not an attempt: it propagates as itself
            conv.record(purpose, started, e)
            _throttled(conv, e)
            raise
        conv.record(purpose, started, None)
        if limiter is not None:
            limiter.settle(booked, answer)
        return _text(answer)

    try:
        return call_with_retry(conv.handle.retry, once)
    except PROVIDER_FAILURES as e:
        if conv.openai and conv.handle.json_schema and _is_json_schema_refusal(e):
            conv.handle.json_schema = False
            return _ask_sync(conv, messages, purpose)
        raise conv.failure(e, purpose) from e


async def _ask_async(conv: _Conversation, messages: list[BaseMessage], purpose: str) -> str:
    async def once() -> str:
        shaped, limiter = conv.shape(messages), conv.handle.limiter
        booked = estimate_tokens(shaped) if limiter is not None else 0
        if limiter is not None:
            await limiter.acquire(booked)
        started = time.perf_counter()
        try:
            answer = await conv.handle.chat.ainvoke(shaped, **conv.call_kwargs())
        except PROVIDER_FAILURES as e:  # a bug is not an attempt: it propagates as itself
            conv.record(purpose, started, e)
            await _athrottled(conv, e)
            raise
        conv.record(purpose, started, None)
        if limiter is not None:
            await limiter.asettle(booked, answer)
        return _text(answer)

    try:
        return await acall_with_retry(conv.handle.retry, once)
    except PROVIDER_FAILURES as e:
        if conv.openai and conv.handle.json_schema and _is_json_schema_refusal(e):
            conv.handle.json_schema = False
            return await _ask_async(conv, messages, purpose)
        raise conv.failure(e, purpose) from e


def _repair_turn(messages: list[BaseMessage], raw: str, conv: _Conversation) -> list[BaseMessage]:
    return [*messages, AIMessage(raw), repair_message(conv.problem or "invalid", conv.schema)]


def invoke_structured(
    handle: ModelHandle,
    messages: list[BaseMessage],
    schema: type[BaseModel],
    *,
    seed: int | None = None,
) -> StructuredResult:
    """Ask for one object of `schema`; repair once; raise ProviderError with .attempts on failure."""
    conv = _Conversation(handle, schema, seed)
    raw = _ask_sync(conv, messages, "generate")
    value = conv.judge(raw)
    if value is None:
        raw = _ask_sync(conv, _repair_turn(messages, raw, conv), "repair")
        value = conv.judge(raw)
    if value is None:
        raise conv.invalid()
    return StructuredResult(value, raw, conv.attempts)


async def ainvoke_structured(
    handle: ModelHandle,
    messages: list[BaseMessage],
    schema: type[BaseModel],
    *,
    seed: int | None = None,
) -> StructuredResult:
    """Async twin of invoke_structured."""
    conv = _Conversation(handle, schema, seed)
    raw = await _ask_async(conv, messages, "generate")
    value = conv.judge(raw)
    if value is None:
        raw = await _ask_async(conv, _repair_turn(messages, raw, conv), "repair")
        value = conv.judge(raw)
    if value is None:
        raise conv.invalid()
    return StructuredResult(value, raw, conv.attempts)


__all__: list[str] = ["StructuredResult", "ainvoke_structured", "invoke_structured", "parse_answer"]
