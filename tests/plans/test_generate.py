"""Plan generation with the offline model: every template, every locale, one coherent story."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contentgen.kernel import vocab
from contentgen.kernel.disclosures import has_statement
from contentgen.kernel.errors import PlanError, UsageError
from contentgen.kernel.schemas import channel_problems
from contentgen.plan_schedule import PlanConstraintError
from contentgen.plans import PlanRequest, generate_plan
from contentgen.testing import FakeChatModel

OBJECTIVES = ("reactivate", "welcome", "repurchase", "vip_care", "event")
SEGMENT_FOR = {"reactivate": "dormant.high_value", "welcome": "new.mass", "repurchase": "repurchase.mass",
               "vip_care": "loyal.high_value", "event": "active.price_sensitive"}
INDUSTRY_FOR = {"reactivate": "finance", "welcome": "education", "repurchase": "food",
                "vip_care": "cosmetics", "event": "health"}


def request(objective: str, locale: str, days: int = 7, **kw: Any) -> PlanRequest:
    data: dict[str, Any] = dict(segment=SEGMENT_FOR[objective], objective=objective, days=days,
                                industry=INDUSTRY_FOR[objective], locale=locale, start=date(2026, 12, 1),
                                offer={"zh-CN": "新客专享 9 折", "ja-JP": "初回10%オフ", "en-US": "10% off"}[locale],
                                interests=["badminton"])
    data.update(kw)
    return PlanRequest.parse(**data)


# Every template × locale for the 15-day cycle; the 7-day cycles rotate through the locales
# (they are subsets in spirit, and the suite must stay fast).
CASES = [(o, loc, 15) for o in OBJECTIVES for loc in vocab.LOCALES] + [
    (o, vocab.LOCALES[i % 3], 7) for i, o in enumerate(OBJECTIVES)
]


@pytest.mark.parametrize(("objective", "locale", "days"), CASES)
def test_every_template_generates_a_full_plan_in_every_locale(
    generator: Any, objective: str, locale: str, days: int
) -> None:
    plan = generate_plan(request(objective, locale, days), generator=generator)
    steps = plan.template.cycle(days)
    assert len(plan.touchpoints) == len(steps)
    texts = [t.draft.text for t in plan.touchpoints]
    assert len(set(texts)) == len(texts)  # no two say the same thing
    for t in plan.touchpoints:
        d = t.draft
        assert d.model.offline and d.brief.locale == locale
        assert (d.brief.channel, d.brief.content_type) == (t.slot.channel, t.slot.content_type)
        assert not channel_problems(d.content, t.slot.channel, locale)
        assert d.compliance.locale == locale
        assert t.slot.purpose in (d.brief.notes or "")
    # The story carries forward: each brief knows what the earlier touchpoints said.
    assert [len(t.brief.previous_messages) for t in plan.touchpoints] == list(range(len(steps)))
    assert plan.touchpoints[-1].brief.previous_messages[0].startswith("day 0")
    rows = plan.calendar()
    assert [r["seq"] for r in rows] == list(range(1, len(steps) + 1))
    assert all(r["send_at"].endswith("Z") for r in rows)


def test_issue_example_plan(generator: Any) -> None:
    req = PlanRequest.parse(segment="dormant.high_value", objective="reactivate", days=15, persona="professional",
                            industry="finance", channels="wecom_1v1,group,moments,sms".split(","),
                            locale="zh-CN", start=date(2026, 12, 1))
    plan = generate_plan(req, generator=generator)
    assert {t.slot.channel for t in plan.touchpoints} <= {"wecom_1v1", "group", "moments", "sms"}
    assert all(t.draft.compliance.verdict != "block" for t in plan.touchpoints)
    sms = [t for t in plan.touchpoints if t.slot.channel == "sms"]
    assert sms and all("回T退订" in t.draft.text for t in sms)
    # The risk statement is the disclosures library's, wherever the channel requires it.
    assert all(has_statement(t.draft.text, "risk_warning.investment", "zh-CN")
               for t in plan.touchpoints if t.slot.channel != "wecom_1v1")


def test_event_plan_needs_an_offer(generator: Any) -> None:
    with pytest.raises(UsageError, match="needs --offer"):
        generate_plan(request("event", "en-US", 7, offer=None), generator=generator)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("days", 10, "7 or 15 days"),
        ("segment", "sleepy.mass", "unknown segment"),
        ("channels", ["fax"], "unknown channel"),
        ("preferred_times", ["whenever"], "did not understand"),
        ("quiet_hours", "late", "HH:MM-HH:MM"),
        ("timezone", "Mars/Base", "unknown time zone"),
    ],
)
def test_bad_request_is_one_readable_usage_error(field: str, value: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        request("reactivate", "zh-CN", **{field: value})


def _oversized_moments(messages: list[Any]) -> str:
    import json

    schema = str(messages[-1].content)
    if 'schema="copy"' in schema:
        return json.dumps({"headline": "长文", "body": "字" * 2500, "cta": "了解", "images": 3})
    return json.dumps({"title": "提醒", "body": "您好，最近好吗？", "send_window": {"start": "10:00", "end": "12:00"}})


def test_channel_limit_broken_by_the_model_fails_the_plan_naming_it() -> None:
    from contentgen.generate import Generator
    from contentgen.kernel.config import Settings
    from contentgen.kernel.schemas import ModelInfo
    from contentgen.providers import ModelHandle

    handle = ModelHandle(FakeChatModel(default=_oversized_moments), ModelInfo(provider="fake", name="fake"),
                         json_schema=False)
    gen = Generator(Settings.load(), handle=handle, max_rewrites=1)
    with pytest.raises(PlanConstraintError) as err:
        generate_plan(request("reactivate", "zh-CN", 7), generator=gen)
    assert err.value.constraint == "channel limits"
    assert "moments" in str(err.value) and "2000" in str(err.value)


def test_a_touchpoint_that_repeats_another_is_refused() -> None:
    from contentgen.generate import Generator
    from contentgen.kernel.config import Settings
    from contentgen.kernel.schemas import ModelInfo
    from contentgen.providers import ModelHandle

    same = '{"title": "提醒", "body": "您好，有一件事想告诉您。", "send_window": {"start": "10:00", "end": "12:00"}}'
    copy = '{"headline": "同一句话", "body": "您好，有一件事想告诉您。", "cta": "了解"}'
    fake = FakeChatModel(default=lambda m: copy if 'schema="copy"' in str(m[-1].content) else same)
    gen = Generator(Settings.load(), handle=ModelHandle(fake, ModelInfo(provider="fake", name="fake"),
                                                        json_schema=False))
    with pytest.raises(PlanError) as err:
        generate_plan(request("welcome", "zh-CN", 7, industry="retail"), generator=gen)
    assert getattr(err.value, "constraint", "") == "coherence" and "says the same thing" in str(err.value)
