"""The offline model: schema-valid, channel-fitting, grounded, compliant, varied, deterministic."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from contentgen import vocab
from contentgen.config import Settings
from contentgen.disclosures import default_disclosures
from contentgen.errors import ProviderError
from contentgen.providers import get_model
from contentgen.providers.offline import OFFLINE_MODEL_NAME, OfflineChatModel
from contentgen.providers.structured import invoke_structured, parse_answer
from contentgen.schemas import CONTENT_MODELS, Brief, PushContent, channel_problems, content_text

REQUIRED = {
    ("finance", "zh-CN"): "理财有风险，投资需谨慎",
    ("finance", "ja-JP"): "投資にはリスクがあります。",
    ("finance", "en-US"): "Investing involves risk, including possible loss of principal.",
    ("health", "zh-CN"): "本品不能代替药物",
    ("health", "ja-JP"): "本品は医薬品ではありません。",
    ("health", "en-US"): "This product is not intended to diagnose, treat, cure, or prevent any disease.",
}
OPT_OUT = {loc: default_disclosures().text("opt_out.sms", loc) for loc in ("zh-CN", "ja-JP", "en-US")}
FORBIDDEN = re.compile(
    r"最|第一|全网最低|100%|No\.?1|#1|日本一|一番|絶対|保証|根治|治愈|保本|稳赚|零风险"
    r"|\bbest\b|guarantee|risk-free|\bcure[sd]?\b|\bmost\b",
    re.I,
)
LUXURY = re.compile(r"奢|高端|尊贵|尊享|贅沢|高級|luxury|premium|exclusive|members-only", re.I)
PRODUCTS = {"zh-CN": "氨基酸洁面乳", "ja-JP": "国産りんごチップス", "en-US": "Daily Vitamin D3"}
PAIRS = [(ch, ct) for ch, types in vocab.CHANNEL_CONTENT_TYPES.items() for ct in types]
MATRIX = [(ind, loc) for ind in vocab.INDUSTRIES for loc in vocab.LOCALES]


def make_brief(industry: str, locale: str, channel: str, content_type: str, i: int = 0, **kw: Any) -> Brief:
    fields: dict[str, Any] = {
        "industry": industry,
        "segment": vocab.SEGMENTS[i % len(vocab.SEGMENTS)],
        "persona": vocab.PERSONAS[i % 2],
        "content_type": content_type,
        "channel": channel,
        "locale": locale,
        "product": PRODUCTS[locale],
        "selling_points": [["温和不紧绷", "泡沫细腻"], ["サクサク食感"], ["One tablet a day"], []][i % 4],
        "offer": [None, "满199减20", "first order 10% off"][i % 3],
        "interests": [[], ["篮球"], ["reading"]][i % 3],
    }
    fields.update(kw)
    return Brief(**fields)


@pytest.fixture(scope="module")
def chat() -> OfflineChatModel:
    return OfflineChatModel()


def answer(chat: OfflineChatModel, render: Any, brief: Brief, variant: int, **kw: Any) -> str:
    message = chat.invoke(render(brief, variant), **kw)
    assert message.response_metadata == {"model_name": OFFLINE_MODEL_NAME, "offline": True}
    return str(message.content)


@pytest.mark.parametrize(("industry", "locale"), MATRIX)
def test_every_industry_locale_and_channel(chat: OfflineChatModel, render: Any, industry: str, locale: str) -> None:
    for i, (channel, content_type) in enumerate(PAIRS):
        brief = make_brief(industry, locale, channel, content_type, i + vocab.INDUSTRIES.index(industry))
        raws = [answer(chat, render, brief, v) for v in (1, 2, 3)]
        assert len(set(raws)) == 3, f"variants not distinct for {brief.segment} {channel}"
        assert answer(chat, render, brief, 2) == raws[1], "same input must give the same answer"
        for raw in raws:
            content, problem = parse_answer(raw, CONTENT_MODELS[content_type])
            where = f"{industry}/{locale}/{channel}/{content_type}/{brief.segment}"
            assert content is not None, f"{where}: {problem}"
            assert channel_problems(content, channel, locale) == [], where
            text = content_text(content)
            assert brief.product in text, where
            required = REQUIRED.get((industry, locale))
            if required:
                assert required in text, where
            assert not FORBIDDEN.search(text.replace(required or "\0", "")), (where, FORBIDDEN.search(text))
            if brief.value_tier == "price_sensitive":
                assert not LUXURY.search(text), where
            if channel == "sms":
                assert isinstance(content, PushContent)
                assert content.body.endswith(OPT_OUT[locale]) and content.title == "", where


def test_seed_changes_wording_but_stays_deterministic(chat: OfflineChatModel, render: Any) -> None:
    brief = make_brief("cosmetics", "zh-CN", "moments", "copy", 1)
    a = {answer(chat, render, brief, 1, seed=s) for s in range(6)}
    assert len(a) > 1
    assert answer(chat, render, brief, 1, seed=3) == answer(chat, render, brief, 1, seed=3)


@pytest.mark.parametrize(
    ("locale", "markers"),
    [("zh-CN", ["专属", "专享", "一对一"]), ("ja-JP", ["専任", "限定", "個別"]),
     ("en-US", ["dedicated", "members-only", "private", "one-to-one"])],
)
def test_high_value_hears_exclusivity(chat: OfflineChatModel, render: Any, locale: str, markers: list[str]) -> None:
    for channel, content_type in [("moments", "copy"), ("official_account", "copy"), ("video_account", "short_video_script")]:
        brief = make_brief("finance", locale, channel, content_type, segment="loyal.high_value")
        for v in (1, 2, 3):
            assert any(m in answer(chat, render, brief, v) for m in markers), (channel, v)


def test_segment_persona_and_interest_steer_the_text(chat: OfflineChatModel, render: Any) -> None:
    def text(**kw: Any) -> str:
        brief = make_brief("food", "zh-CN", "moments", "copy", 0, **kw)
        return answer(chat, render, brief, 1)

    welcome = text(segment="new.mass", persona="approachable")
    assert any(w in welcome for w in ("欢迎", "认识你", "添加我"))
    assert re.search("[\U0001f300-\U0001faff✨]", welcome), "approachable zh allows an emoji"
    dormant = text(segment="dormant.mass", persona="professional")
    assert any(w in dormant for w in ("好久", "有段时间", "之前关注"))
    assert "您好" in dormant and not re.search("[\U0001f300-\U0001faff✨]", dormant)
    assert text(segment="onboarding.mass") != welcome
    assert all("篮球" in answer(chat, render, make_brief("food", "zh-CN", "moments", "copy", 0, interests=["篮球"]), v)
               for v in (1, 2, 3))


def test_rewrite_block_removes_matched_strings(chat: OfflineChatModel, render: Any) -> None:
    brief = make_brief("cosmetics", "zh-CN", "moments", "copy", 0, selling_points=["温和不紧绷"])
    first = answer(chat, render, brief, 1)
    assert "温和不紧绷" in first
    phrase = json.loads(first)["cta"]
    messages = render(brief, 1)
    instructions = [
        {"match": "温和不紧绷", "rule": "cosmetics.efficacy", "suggestion": "洗后清爽"},
        {"match": phrase, "rule": "demo.drop", "suggestion": None},
        {"rule": "channel_limit", "message": "body too long"},
    ]
    messages.append(HumanMessage(
        "Rewrite without these.\n<rewrite>" + json.dumps(instructions, ensure_ascii=False) + "</rewrite>\n"
        + messages[-1].content.splitlines()[-2] + "\n" + messages[-1].content.splitlines()[-1]
    ))
    rewritten = str(chat.invoke(messages).content)
    content, problem = parse_answer(rewritten, CONTENT_MODELS["copy"])
    assert content is not None, problem
    assert "温和不紧绷" not in rewritten and "洗后清爽" in rewritten
    assert phrase not in content_text(content).replace(content.cta, "")  # type: ignore[attr-defined]
    assert brief.product in rewritten


def test_without_a_brief_it_says_what_it_is(chat: OfflineChatModel) -> None:
    reply = chat.invoke("hello, who are you?")
    assert "offline model" in str(reply.content) and "OPENAI_API_KEY" in str(reply.content)
    assert reply.response_metadata["offline"] is True


def test_broken_brief_block_is_a_clear_provider_error() -> None:
    handle = get_model(Settings.load())
    messages = [HumanMessage('<brief>{"industry": "finance", "product": "x"}</brief>\n<output schema="push" variant="1" of="1"/>')]
    with pytest.raises(ProviderError) as err:
        invoke_structured(handle, messages, PushContent)
    assert "after 2 attempts" in str(err.value) and len(err.value.attempts) == 2


def test_get_model_without_key_is_offline(render: Any) -> None:
    handle = get_model(Settings.load())
    assert handle.info.model_dump() == {"provider": "offline", "name": OFFLINE_MODEL_NAME, "offline": True}
    brief = make_brief("education", "en-US", "app_push", "push", 3)
    res = invoke_structured(handle, render(brief, 2), PushContent, seed=1)
    assert isinstance(res.value, PushContent) and res.attempts[0].purpose == "generate" and res.attempts[0].ok
    assert brief.product in res.value.body


def test_public_surface() -> None:
    import contentgen.providers as providers

    assert sorted(providers.__all__) == ["ModelHandle", "OfflineChatModel", "RetryPolicy", "get_model"]
