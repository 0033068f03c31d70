"""Plans whose texts follow their calendar: every template × locale × cycle on the offline model.

Each touchpoint realises its kind (a check-in sells nothing and asks; a benefit names the benefit
and the deadline; a preference check asks); no sentence of 8+ characters is said twice in a plan
(required statements, hashtags and the 1:1 signature aside) and no signature phrase appears in
more than two touchpoints.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

from contentgen.kernel import vocab
from contentgen.kernel.disclosures import default_disclosures
from contentgen.kernel.schemas import CopyContent, content_fields
from contentgen.plan_templates import SELLING_KINDS, load_templates
from contentgen.plans import GeneratedPlan, PlanRequest, generate_plan, plans_dir
from contentgen.providers.offline_rewrite import sentences

from .conftest import PLANS_DIR

SEGMENT_FOR = {"reactivate": "dormant.high_value", "welcome": "new.mass", "repurchase": "repurchase.price_sensitive",
               "vip_care": "loyal.high_value", "event": "active.mass"}
INDUSTRY_FOR = {"reactivate": "finance", "welcome": "education", "repurchase": "food", "vip_care": "cosmetics",
                "event": "health"}
OFFER = {"zh-CN": "第二件半价", "ja-JP": "2点目半額", "en-US": "second item half price"}
INTEREST = {"zh-CN": "羽毛球", "ja-JP": "読書", "en-US": "running"}
# Phrases a marketer flagged as repeated across a plan (issue 13) and the writer's own stock phrases.
SIGNATURE = {
    "zh-CN": ["专属顾问", "大家提得多的一点是", "好久没联系", "用过的朋友都说", "名额有限", "先说重点", "特点很直接",
              "不妨看看", "有段时间没", "一对一"],
    "ja-JP": ["専任担当", "ご無沙汰", "お見逃しなく", "ポイントは", "特長は", "個別"],
    "en-US": ["dedicated advisor", "it's been a while", "don't miss", "the short version", "one-to-one", "what stands out"],
}
CASES = [(o, loc, days) for o in SEGMENT_FOR for loc in vocab.LOCALES for days in (7, 15)]


def _plan(generator: Any, objective: str, locale: str, days: int, offer: bool = True) -> GeneratedPlan:
    req = PlanRequest.parse(
        segment=SEGMENT_FOR[objective], objective=objective, days=days, industry=INDUSTRY_FOR[objective],
        locale=locale, start=date(2026, 12, 1), persona="professional" if days == 15 else "approachable",
        offer=OFFER[locale] if offer or objective == "event" else None, interests=[INTEREST[locale]],
        selling_points=[] if objective == "welcome" else ["每天一小包" if locale == "zh-CN" else "daily pack"],
    )
    return generate_plan(req, generator=generator)


def _kinds(objective: str, days: int) -> dict[str, str]:
    return {s.purpose: s.kind for s in load_templates(PLANS_DIR)[objective].cycle(days)}


def _plain_text(plan: GeneratedPlan) -> list[str]:
    """Each touchpoint's text without hashtags, required statements, opt-out line or 1:1 signature."""
    lib, locale = default_disclosures(), plan.request.locale
    exempt = sorted({w for key in lib.statements for w in lib.accepted(key, locale)}, key=len, reverse=True)
    out = []
    for t in plan.touchpoints:
        fields = content_fields(t.draft.content)
        fields.pop("hashtags", None)
        text = "\n".join(v for v in fields.values() if v)
        # What a reader sees: headings and bullets without their marks; the 1:1 signature and the
        # group-notice label are labels, not sentences.
        lines = [ln.lstrip("#·-・ ") for ln in text.split("\n") if not re.match(r"^(——|— |担当：)", ln)]
        labels = {"【群公告】", "【お知らせ】", "[Group notice]", *plan.request.selling_points, plan.request.offer or ""}
        folded = {x.casefold() for x in labels}
        lines = [ln for ln in lines if ln.rstrip("。.").casefold() not in folded]  # a bare fact as a caption
        text = "\n".join(ln for ln in lines if not (t.slot.channel == "wecom_1v1" and ln == lines[-1]
                                                     and len(ln) < 30 and "。" not in ln and "." not in ln))
        for wording in exempt:
            text = re.sub(re.escape(wording), "\n", text, flags=re.I)
        out.append(text)
    return out


@pytest.mark.parametrize(("objective", "locale", "days"), CASES)
def test_no_sentence_repeats_and_no_signature_phrase_is_overused(
    generator: Any, objective: str, locale: str, days: int
) -> None:
    plan = _plan(generator, objective, locale, days, offer=days == 15)
    texts = _plain_text(plan)
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        # Within one video script the hook is its first scene's voice-over by design: across only.
        for s in {s.strip() for s in sentences(text) if len(s.strip()) >= 8}:
            assert s not in seen, f"touchpoint {i + 1} repeats touchpoint {seen[s] + 1}: {s!r}"
            seen[s] = i
    counts = Counter(p for text in texts for p in SIGNATURE[locale] if p.casefold() in text.casefold())
    overused = {p: n for p, n in counts.items() if n > 2}
    assert not overused, overused


@pytest.mark.parametrize("locale", vocab.LOCALES)
@pytest.mark.parametrize("objective", list(SEGMENT_FOR))
def test_each_touchpoint_realises_its_purpose(generator: Any, objective: str, locale: str) -> None:
    for offer in (True, False):
        plan = _plan(generator, objective, locale, 15, offer=offer)
        kinds = _kinds(objective, 15)
        req = plan.request
        deadline = date(2026, 12, 15)
        deadline_words = "December 15" if locale == "en-US" else f"{deadline.month}月{deadline.day}日"
        for t in plan.touchpoints:
            kind, text = kinds[t.slot.purpose], t.draft.text
            where = f"{objective}/{locale} day {t.slot.day} {kind} ({t.slot.channel})"
            assert f"kind={kind}" in (t.brief.notes or ""), where
            if kind not in SELLING_KINDS and req.offer:
                assert req.offer.casefold() not in text.casefold(), f"{where} sells: {text!r}"
            if kind in ("check_in", "preference_check"):
                assert re.search(r"[?？]", text), f"{where} asks nothing: {text!r}"
            if kind in ("benefit", "reminder"):
                assert deadline_words in text, f"{where} names no deadline: {text!r}"
                if req.offer:
                    assert req.offer.casefold() in text.casefold(), f"{where} names no benefit: {text!r}"
            if t.slot.channel == "wecom_1v1":
                assert any(n in text for n in ("陈明", "小林", "高橋", "佐藤", "Daniel Chen", "Amy")), where


def test_a_benefit_without_an_offer_invents_no_discount(generator: Any) -> None:
    plan = _plan(generator, "reactivate", "zh-CN", 15, offer=False)
    benefit = [t for t in plan.touchpoints if "kind=benefit" in (t.brief.notes or "")]
    assert benefit
    for t in benefit:
        assert not re.search(r"折|优惠|减|券|免费|半价", t.draft.text), t.draft.text
        assert "12月15日" in t.draft.text and re.search("一对一|讲解|预约", t.draft.text), t.draft.text


def test_the_article_of_a_plan_is_long_and_sectioned(generator: Any) -> None:
    plan = _plan(generator, "reactivate", "zh-CN", 15)
    articles = [t for t in plan.touchpoints if t.slot.channel == "official_account"]
    for t in articles:
        assert isinstance(t.draft.content, CopyContent)
        assert t.draft.content.body.count("## ") >= 2 and len(t.draft.content.body) >= 200, t.draft.content.body


def test_plans_dir_is_the_shipped_one() -> None:
    from contentgen.kernel.config import Settings

    assert plans_dir(Settings.load()).resolve() == PLANS_DIR.resolve()
