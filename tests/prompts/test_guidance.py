"""Segment, persona, industry and locale guidance from the data files reaches the prompt."""

from __future__ import annotations

from collections.abc import Callable

from contentgen.kernel.schemas import Brief
from contentgen.prompts import PromptCatalog


def _render(catalog: PromptCatalog, brief: Brief) -> str:
    r = catalog.resolve(brief).render(brief)
    return r.system + "\n" + r.user


def test_price_sensitive_never_high_price_and_high_value_exclusive(
    catalog: PromptCatalog, make_brief: Callable[..., Brief]
) -> None:
    cheap = _render(catalog, make_brief(segment="active.price_sensitive"))
    rich = _render(catalog, make_brief(segment="active.high_value"))
    assert "NEVER give an impression of high price" in cheap and "exclusivity" not in cheap
    assert "exclusivity" in rich and "NEVER give an impression of high price" not in rich


def test_day_1_and_day_20_differ(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    day1 = _render(catalog, make_brief(segment="new.mass", days_since_added=1))
    day20 = _render(catalog, make_brief(segment="onboarding.mass", days_since_added=20))
    assert "first contact - greet" in day1 and "Write the welcome message" in day1
    assert "around day 20" in day20 and "first contact - greet" not in day20
    assert "do not greet them as a stranger" in day20


def test_interests_steer_the_hook(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    text = _render(catalog, make_brief(interests=["羽毛球", "唱歌跳舞"], preferred_times=["周五 12:00"]))
    assert "Interests: 羽毛球, 唱歌跳舞. Build the hook on these interests" in text
    assert "Preferred contact times: 周五 12:00" in text


def test_persona_and_locale(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    ja = _render(catalog, make_brief(persona="professional", locale="ja-JP"))
    assert "〇〇様" in ja and "Write every field in Japanese (日本語)" in ja
    en = _render(catalog, make_brief(persona="approachable", locale="en-US", persona_interests=["jazz"],
                                     specialty_products=["night cream"]))
    assert "first name" in en and "American English" in en
    assert "your interests are jazz" in en and "night cream" in en


def test_industry_notices_per_locale(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    for loc, notice in (("zh-CN", "理财有风险，投资需谨慎"), ("ja-JP", "投資にはリスクがあります"),
                        ("en-US", "Investing involves risk, including possible loss of principal.")):
        assert notice in _render(catalog, make_brief(industry="finance", locale=loc))
    health = _render(catalog, make_brief(industry="health", content_type="copy", channel="moments"))
    assert "保健食品不是药物，不能代替药物治疗疾病" in health
    sms = _render(catalog, make_brief(channel="sms", locale="en-US"))
    assert "Reply STOP to opt out" in sms and "body <= 160" in sms


def test_output_contract_lists_schema_fields_and_limits(
    catalog: PromptCatalog, make_brief: Callable[..., Brief]
) -> None:
    video = make_brief(content_type="short_video_script", channel="video_account")
    r = catalog.resolve(video).render(video, variant=2, variants=3)
    for field in ("title", "hook", "scenes", "duration_s", "visual", "voice_over", "caption", "cta",
                  "total_duration_s"):
        assert f"- {field}:" in r.system
    assert "total_duration_s <= 180" in r.system
    assert r.user.endswith('<output schema="short_video_script" variant="2" of="3"/>')
    assert "Variant 2 of 3" in r.user


def test_extra_instructions_come_before_the_brief_block(
    catalog: PromptCatalog, make_brief: Callable[..., Brief]
) -> None:
    brief = make_brief()
    r = catalog.resolve(brief).render(brief, extra={"plan_day": "day 3 of 7"})
    assert "- plan_day: day 3 of 7" in r.user
    assert r.user.splitlines()[-2].startswith("<brief>")
