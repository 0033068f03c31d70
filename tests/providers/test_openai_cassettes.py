"""Replay of the real ChatOpenAI HTTP exchange from committed vcrpy cassettes (no server, no network).

A missing cassette is recorded once against the loopback OpenAI-compatible server; after that,
replay runs with record_mode="none" against a base URL where nothing listens, so any request
the cassette does not hold fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from contentgen.kernel.config import Settings
from contentgen.kernel.schemas import Brief, CopyContent, VideoScriptContent
from contentgen.providers import RetryPolicy, get_model
from contentgen.providers.structured import invoke_structured

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes" / "providers"
DEAD_URL = "http://127.0.0.1:9/v1"  # discard port: nothing answers here
NO_RETRY = RetryPolicy(max_attempts=1)

COPY = {
    "kind": "copy",
    "headline": "换季也温和：氨基酸洁面乳",
    "body": "好久不见～氨基酸洁面乳这次做了升级，温和不紧绷，洗后清爽。",
    "cta": "点击了解详情",
    "hashtags": ["护肤日常"],
    "images": 2,
}
VIDEO = {
    "kind": "short_video_script",
    "title": "1分でわかる国産りんごチップス",
    "hook": "サクサク食感、気になりませんか？",
    "scenes": [
        {"duration_s": 5, "visual": "商品のアップ", "voice_over": "国産りんごチップスです。", "caption": "新登場"},
        {"duration_s": 10, "visual": "食べる様子", "voice_over": "サクサク食感。", "caption": "サクサク"},
    ],
    "cta": "詳しくはこちら",
    "total_duration_s": 15,
}


def brief(content_type: str, channel: str, locale: str, product: str) -> Brief:
    return Brief(industry="food", segment="dormant.mass", content_type=content_type, channel=channel,
                 locale=locale, product=product)


CASES = {
    "copy_json_schema": (brief("copy", "moments", "zh-CN", "氨基酸洁面乳"), CopyContent, COPY),
    "video_json_schema": (
        brief("short_video_script", "video_account", "ja-JP", "国産りんごチップス"), VideoScriptContent, VIDEO
    ),
}


def recorder(name: str, mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=mode,
        match_on=["method", "path"],
        filter_headers=["authorization"],
        decode_compressed_response=True,
    )


def run_case(name: str, base_url: str, render: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    the_brief, schema, _ = CASES[name]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cassette-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    handle = get_model(Settings.load(), model="gpt-4o-mini", temperature=0.7, timeout=5, retry=NO_RETRY)
    return invoke_structured(handle, render(the_brief, 1), schema, seed=11)


@pytest.mark.parametrize("name", sorted(CASES))
def test_replay_real_client_exchange(
    name: str, render: Any, fault_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = CASSETTES / f"{name}.yaml"
    if not path.exists():  # first run on a developer machine: record against the loopback server
        fault_server.answer(json.dumps(CASES[name][2], ensure_ascii=False))
        with recorder(name, "once").use_cassette(path.name):
            run_case(name, fault_server.base_url, render, monkeypatch)

    with recorder(name, "none").use_cassette(path.name) as cassette:
        res = run_case(name, DEAD_URL, render, monkeypatch)
        assert cassette.all_played and cassette.play_count == 1

    the_brief, schema, expected = CASES[name]
    assert isinstance(res.value, schema)
    assert res.value.model_dump(mode="json") == schema.model_validate(expected).model_dump(mode="json")
    assert [a.ok for a in res.attempts] == [True]

    request = cassette.requests[0]
    sent = json.loads(request.body)
    assert request.path == "/v1/chat/completions"
    assert sent["model"] == "gpt-4o-mini" and sent["temperature"] == 0.7 and sent["seed"] == 11
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == schema.__name__
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["kind"]["const"] == the_brief.content_type
    assert sent["messages"][-1]["role"] == "user"
    assert f'<output schema="{the_brief.content_type}" variant="1" of="3"/>' in sent["messages"][-1]["content"]

    stored = path.read_text(encoding="utf-8")
    assert "sk-cassette-secret" not in stored
    headers = yaml.safe_load(stored)["interactions"][0]["request"]["headers"]
    assert "authorization" not in {h.lower() for h in headers}
