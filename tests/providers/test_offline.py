"""The offline model: schema-valid, channel-fitting, grounded, compliant, varied, deterministic."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from contentgen.kernel import vocab
from contentgen.kernel.config import Settings
from contentgen.kernel.disclosures import default_disclosures, has_statement
from contentgen.kernel.errors import ProviderError
from contentgen.kernel.schemas import (
    CONTENT_MODELS,
    Brief,
    PushContent,
    channel_problems,
    content_text,
)
from contentgen.providers import get_model
from contentgen.providers.offline import OFFLINE_MODEL_NAME, OfflineChatModel
from contentgen.providers.offline_plans import short_channel
from contentgen.providers.structured import invoke_structured, parse_answer

# Required statements come from the disclosures library (rules/disclosures.yaml), as every other
# writer of them does; a short channel may carry a shorter wording the library accepts.
STATEMENT_KEYS = {"finance": "risk_warning.investment", "health": "health_food.statement"}


def required_statements(industry: str, locale: str) -> list[str]:
    """Every wording of the industry's statement the library accepts, longest first."""
    key = STATEMENT_KEYS.get(industry)
    return sorted(default_disclosures().accepted(key, locale), key=len, reverse=True) if key else []


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
            wordings = required_statements(industry, locale)
            # A statement the law wants whole (DSHEA) is left out where it does not fit whole: an SMS
            # that makes no structure/function claim owes none, and half of one is itself a finding.
            key = STATEMENT_KEYS.get(industry)
            lib = default_disclosures()
            whole_left_out = bool(key) and lib.whole(key, locale) and short_channel(channel)
            # A statement no statute owes (ja health food) gives a short channel's room to the offer.
            optional_left_out = bool(key) and lib.optional(key, locale) and short_channel(channel)
            if wordings and not whole_left_out and not optional_left_out:
                assert has_statement(text, STATEMENT_KEYS[industry], locale), where
            if whole_left_out:  # whole or not at all
                half = re.search(r"not intended to diagnose", text, re.I) and "evaluated by the" not in text
                assert not half, where
            masked = text
            for w in wordings:
                masked = re.sub(re.escape(w), "", masked, flags=re.I)
            assert not FORBIDDEN.search(masked), (where, FORBIDDEN.search(masked))
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
    # Moments is a broadcast: the professional greets everyone (not 您 to one person), no emoji.
    assert ("各位" in dormant or "大家" in dormant) and "您" not in dormant
    assert not re.search(r"(?<!们)你(?!们)", dormant), "a broadcast may say 你们 (all of you), never 你"
    assert not re.search("[\U0001f300-\U0001faff✨]", dormant)
    assert text(segment="onboarding.mass") != welcome
    assert all("篮球" in answer(chat, render, make_brief("food", "zh-CN", "moments", "copy", 0, interests=["篮球"]), v)
               for v in (1, 2, 3))


def test_rewrite_block_replaces_substitutions_and_drops_the_rest(chat: OfflineChatModel, render: Any) -> None:
    brief = make_brief("cosmetics", "zh-CN", "moments", "copy", 0, selling_points=["温和不紧绷", "泡沫细腻"])
    first = answer(chat, render, brief, 1)
    assert "温和不紧绷" in first and "泡沫细腻" in first
    phrase = json.loads(first)["cta"]
    messages = render(brief, 1)
    # A substitution rule's replacement may enter the text; a suggestion is advice and never does.
    instructions = [
        {"match": "温和不紧绷", "rule": "cosmetics.efficacy", "kind": "substitution", "replacement": "洗后清爽",
         "suggestion": "洗后清爽"},
        {"match": "泡沫细腻", "rule": "demo.claim", "kind": "terms", "suggestion": "删去未经证实的功效用语"},
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
    assert "泡沫细腻" not in rewritten and "删去" not in rewritten
    assert phrase not in content_text(content).replace(content.cta, "")  # type: ignore[attr-defined]
    assert brief.product in rewritten


def test_rewrite_adds_a_required_statement_it_is_given(chat: OfflineChatModel, render: Any) -> None:
    brief = make_brief("food", "en-US", "moments", "copy", 0)
    statement = default_disclosures().text("endorsement.disclosure", "en-US")
    assert statement
    messages = render(brief, 1)
    messages.append(HumanMessage(
        '<rewrite>[{"rule": "demo.requires", "kind": "requires", "match": "", "statement": "' + statement
        + '", "message": "say it is an ad"}]</rewrite>\n' + messages[-1].content.splitlines()[-1]
    ))
    rewritten = str(chat.invoke(messages).content)
    assert statement in rewritten and "say it is an ad" not in rewritten


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


@pytest.mark.parametrize(("locale", "deposit", "fund"), [
    ("en-US", "High-Yield Savings Account", "Global Growth Fund"),
    ("zh-CN", "三年期大额存单", "稳健成长混合型基金"),
    ("ja-JP", "スーパー定期預金", "バランス型投資信託"),
])
def test_a_deposit_named_by_its_product_carries_no_investment_warning(
        chat: OfflineChatModel, render: Any, locale: str, deposit: str, fund: str) -> None:
    """No product type in the brief: the writer infers it from the name as the filter does."""
    for product, warned in ((deposit, False), (fund, True)):
        brief = Brief(industry="finance", segment="new.mass", content_type="push",
                      channel="app_push", locale=locale, product=product)
        content, _ = parse_answer(answer(chat, render, brief, 1), CONTENT_MODELS["push"])
        assert content is not None
        said = has_statement(content_text(content), "risk_warning.investment", locale)
        assert said is warned, (product, content_text(content))
