"""The pipeline end to end: prompt → model → schema → compliance → rewrite → Draft."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from contentgen.generate import Generator, Job, jobs_for
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ProviderError
from contentgen.kernel.schemas import CONTENT_MODELS, Brief, VideoScriptContent, channel_problems

RISK = "理财有风险，投资需谨慎。"


def copy_json(body: str, headline: str = "好久不见，来看看新变化") -> str:
    return json.dumps(
        {"headline": headline, "body": body, "cta": "点击了解", "hashtags": ["理财"]},
        ensure_ascii=False,
    )


def test_offline_model_writes_three_distinct_grounded_drafts() -> None:
    brief = Brief(
        industry="cosmetics", segment="dormant.mass", persona="approachable",
        content_type="short_video_script", channel="video_account", locale="zh-CN",
        product="氨基酸洁面乳", selling_points=["温和不紧绷"],
    )
    result = Generator(Settings.load()).run_sync(jobs_for(brief, 3))
    assert not result.failures
    drafts = result.drafts
    assert [d.variant for d in drafts] == [1, 2, 3]
    assert len({d.text for d in drafts}) == 3
    for d in drafts:
        assert isinstance(d.content, VideoScriptContent)
        assert channel_problems(d.content, "video_account", "zh-CN") == []
        assert "氨基酸洁面乳" in d.text
        assert re.fullmatch(r"[\w/.-]+@[\w.-]+\+[0-9a-f]{12}", d.prompt_ref)
        assert d.model.offline and d.model.provider == "offline"
        assert d.compliance.verdict in {"pass", "warn"}
        assert d.compliance.packs, "the report names the rule packs it checked"
        assert d.timing["elapsed_ms"] >= 0
        assert len({d.key for d in drafts}) == 3


def test_blocked_draft_is_rewritten_with_the_findings_as_instructions(make_generator: Any, brief: Brief) -> None:
    bad = copy_json(f"全网最低价！稳赚不赔，{RISK}")
    good = copy_json(f"申赎灵活，专属顾问一对一为您答疑。{RISK}")
    gen, fake = make_generator([bad, good])
    draft = asyncio.run(gen.draft(Job(brief)))
    assert draft.compliance.verdict != "block"
    assert [a.purpose for a in draft.attempts] == ["generate", "rewrite"]
    assert draft.attempts[1].findings, "the rewrite attempt records which rules it answered"
    rewrite_request = fake.history[1][-1].content
    assert "<rewrite>" in rewrite_request and "全网最低" in rewrite_request
    assert "<brief>" in rewrite_request, "the rewrite keeps the brief block for the model"


def test_still_blocked_after_two_rewrites_stays_blocked_and_says_why(make_generator: Any, brief: Brief) -> None:
    bad = copy_json(f"稳赚不赔，保本保息。{RISK}")
    gen, fake = make_generator([bad, bad, bad])
    draft = asyncio.run(gen.draft(Job(brief)))
    assert draft.compliance.verdict == "block"
    assert [a.purpose for a in draft.attempts] == ["generate", "rewrite", "rewrite"]
    assert any(f.severity == "error" and f.message for f in draft.compliance.findings)
    assert len(fake.history) == 3


def test_one_failing_item_does_not_sink_the_batch(make_generator: Any, brief: Brief) -> None:
    ok = copy_json(f"申赎灵活，专属顾问一对一为您答疑。{RISK}")
    gen, _ = make_generator([ok, ProviderError("upstream 500 after 4 attempts"), ok])
    seen: list[Any] = []
    result = gen.run_sync(jobs_for(brief, 3), concurrency=1, on_done=seen.append)
    assert [d.variant for d in result.drafts] == [1, 3]
    assert len(result.failures) == 1
    assert result.failures[0].variant == 2 and "500" in result.failures[0].error
    assert len(seen) == 3, "progress is reported for every item, failed ones included"


def test_concurrency_is_bounded(make_generator: Any, brief: Brief) -> None:
    ok = copy_json(f"申赎灵活，专属顾问一对一为您答疑。{RISK}")
    gen, fake = make_generator([], default=ok)
    in_flight = {"now": 0, "max": 0}
    inner = fake._agenerate

    async def counting(*a: Any, **kw: Any) -> Any:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        await asyncio.sleep(0.01)
        try:
            return await inner(*a, **kw)
        finally:
            in_flight["now"] -= 1

    object.__setattr__(fake, "_agenerate", counting)
    result = gen.run_sync(jobs_for(brief, 12), concurrency=3)
    assert len(result.drafts) == 12
    assert in_flight["max"] == 3


def test_idempotency_key_is_stable_per_brief_and_variant(brief: Brief) -> None:
    a, b = jobs_for(brief, 2), jobs_for(brief.model_copy(), 2)
    assert [j.key for j in a] == [j.key for j in b]
    assert a[0].key != a[1].key
    other = brief.model_copy(update={"product": "另一款产品"})
    assert jobs_for(other, 1)[0].key != a[0].key


def test_every_content_type_is_schema_valid_on_every_locale() -> None:
    gen = Generator(Settings.load())
    jobs = []
    for locale in ("zh-CN", "ja-JP", "en-US"):
        for ct, ch in (("copy", "official_account"), ("push", "sms"), ("short_video_script", "video_account")):
            jobs.append(Job(Brief(industry="food", segment="repurchase.price_sensitive", content_type=ct,
                                  channel=ch, locale=locale, product="Oat Crunch")))
    result = gen.run_sync(jobs)
    assert not result.failures, [f.error for f in result.failures]
    for d in result.drafts:
        CONTENT_MODELS[d.brief.content_type].model_validate(d.content.model_dump())
        assert channel_problems(d.content, d.brief.channel, d.brief.locale) == []
