"""The real ChatOpenAI client against a loopback server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ProviderError
from contentgen.kernel.schemas import PushContent
from contentgen.providers import ModelHandle, RetryPolicy, get_model
from contentgen.providers.structured import ainvoke_structured, invoke_structured

GOOD = json.dumps(
    {"kind": "push", "title": "好久不见", "body": "氨基酸洁面乳有新变化，回来看看吧。",
     "send_window": {"start": "12:00", "end": "13:30"}},
    ensure_ascii=False,
)
# Valid JSON, wrong shape: send_window is not HH:MM and body is missing.
WRONG_SHAPE = json.dumps({"kind": "push", "title": "t", "send_window": {"start": "noon", "end": "13:30"}})
MESSAGES = [HumanMessage("Write a push message as JSON.")]
FAST = RetryPolicy(max_attempts=3, initial=0.01, maximum=0.02, jitter=0.0)


@pytest.fixture
def openai_handle(fault_server: Any, monkeypatch: pytest.MonkeyPatch) -> ModelHandle:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-test")
    monkeypatch.setenv("OPENAI_BASE_URL", fault_server.base_url)
    return get_model(Settings.load(), model="gpt-4o-mini", timeout=2.0, retry=FAST)


def test_uses_openai_when_key_is_set(openai_handle: ModelHandle) -> None:
    assert openai_handle.info.provider == "openai"
    assert openai_handle.info.offline is False
    assert openai_handle.chat.max_retries == 0  # type: ignore[attr-defined]


def test_429_twice_then_success_honours_retry_after(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.fail(429, "slow down", retry_after="1").fail(503, "busy", retry_after="0.5").answer(GOOD)
    res = invoke_structured(openai_handle, MESSAGES, PushContent)
    assert isinstance(res.value, PushContent) and res.value.title == "好久不见"
    assert len(fault_server.seen) == 3
    gaps = [b.at - a.at for a, b in zip(fault_server.seen, fault_server.seen[1:], strict=False)]
    assert gaps[0] >= 1.0 and gaps[1] >= 0.5  # our own backoff alone is 0.01-0.02 s
    assert [a.ok for a in res.attempts] == [False, False, True]
    assert "HTTP 429" in (res.attempts[0].error or "") and "HTTP 503" in (res.attempts[1].error or "")
    assert fault_server.seen[0].authorization == "Bearer sk-loopback-test"


def test_429_forever_gives_up_with_attempts(fault_server: Any, openai_handle: ModelHandle) -> None:
    for _ in range(5):
        fault_server.fail(429, "rate limited", retry_after="0")
    with pytest.raises(ProviderError) as err:
        invoke_structured(openai_handle, MESSAGES, PushContent)
    assert len(fault_server.seen) == 3  # FAST.max_attempts
    assert "after 3 attempts" in str(err.value) and "HTTP 429" in str(err.value)
    assert len(err.value.attempts) == 3 and not any(a.ok for a in err.value.attempts)


def test_retry_after_longer_than_policy_allows_stops_at_once(
    fault_server: Any, openai_handle: ModelHandle
) -> None:
    openai_handle.retry = RetryPolicy(max_attempts=3, initial=0.01, jitter=0.0, max_retry_after=5)
    fault_server.fail(429, "come back in an hour", retry_after="3600").answer(GOOD)
    with pytest.raises(ProviderError, match="HTTP 429"):
        invoke_structured(openai_handle, MESSAGES, PushContent)
    assert len(fault_server.seen) == 1


def test_500_then_success(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.fail(500, "boom").answer(GOOD)
    res = invoke_structured(openai_handle, MESSAGES, PushContent)
    assert res.value.body.startswith("氨基酸洁面乳")  # type: ignore[attr-defined]
    assert len(fault_server.seen) == 2


def test_timeout_is_retried(fault_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback-test")
    monkeypatch.setenv("OPENAI_BASE_URL", fault_server.base_url)
    handle = get_model(Settings.load(), timeout=0.3, retry=FAST)
    fault_server.stall(1.0, GOOD).answer(GOOD)
    res = invoke_structured(handle, MESSAGES, PushContent)
    assert isinstance(res.value, PushContent)
    assert len(fault_server.seen) == 2
    assert "timeout" in (res.attempts[0].error or "")


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_retried(fault_server: Any, openai_handle: ModelHandle, status: int) -> None:
    fault_server.fail(status, "you sent something wrong").answer(GOOD)
    with pytest.raises(ProviderError, match=f"HTTP {status}") as err:
        invoke_structured(openai_handle, MESSAGES, PushContent)
    assert len(fault_server.seen) == 1
    assert "after 1 attempt:" in str(err.value)


def test_malformed_json_is_repaired_once(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.answer('{"kind": "push", "title": "oops"').answer(GOOD)
    res = invoke_structured(openai_handle, MESSAGES, PushContent)
    assert isinstance(res.value, PushContent)
    assert [(a.purpose, a.ok) for a in res.attempts] == [("generate", False), ("repair", True)]
    assert "not valid JSON" in (res.attempts[0].error or "")
    repair_request = fault_server.seen[1].body["messages"]
    assert repair_request[-2] == {"role": "assistant", "content": '{"kind": "push", "title": "oops"'}
    assert "not a valid PushContent" in repair_request[-1]["content"]


def test_schema_violation_repaired(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.answer(WRONG_SHAPE).answer(GOOD)
    res = invoke_structured(openai_handle, MESSAGES, PushContent)
    assert res.raw == GOOD
    assert "send_window.start" in fault_server.seen[1].body["messages"][-1]["content"]


def test_schema_violation_twice_is_a_clear_failure(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.answer(WRONG_SHAPE).answer(WRONG_SHAPE).answer(GOOD)
    with pytest.raises(ProviderError) as err:
        invoke_structured(openai_handle, MESSAGES, PushContent)
    message = str(err.value)
    assert "not a valid PushContent after 2 attempts" in message and "body" in message
    assert "\n" not in message
    assert [(a.purpose, a.ok) for a in err.value.attempts] == [("generate", False), ("repair", False)]
    assert len(fault_server.seen) == 2  # one bounded repair, never a third ask


def test_json_schema_refused_falls_back_to_json_mode(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.fail(400, "Unsupported parameter: response_format of type json_schema").answer(GOOD)
    res = invoke_structured(openai_handle, MESSAGES, PushContent)
    assert isinstance(res.value, PushContent)
    first, second = (s.body for s in fault_server.seen)
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}
    assert "JSON schema" in second["messages"][0]["content"]
    assert openai_handle.json_schema is False  # later drafts skip the refused mode


def test_async_path_retries_and_records(fault_server: Any, openai_handle: ModelHandle) -> None:
    fault_server.fail(502, "bad gateway").answer(WRONG_SHAPE).answer(GOOD)
    res = asyncio.run(ainvoke_structured(openai_handle, MESSAGES, PushContent, seed=7))
    assert isinstance(res.value, PushContent)
    assert [(a.purpose, a.ok) for a in res.attempts] == [
        ("generate", False), ("generate", False), ("repair", True)
    ]
    assert all(s.body.get("seed") == 7 for s in fault_server.seen)
