"""What the offline writer says about the product follows the brief: every selling point where the
plan weighs the product up, wording for the product's kind (a child's course, a device), the
product as a hashtag, a whole statement or none, and a greeting that fits how well we know them."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage

from contentgen.kernel import vocab
from contentgen.kernel.schemas import CONTENT_MODELS, Brief, content_fields, content_text
from contentgen.providers.offline import compose_answer
from contentgen.providers.offline_voice import listing, mid_sentence

POINTS = {
    "zh-CN": ("每日坚果混合装", ["6种坚果果干", "独立小包", "当季新货"]),
    "ja-JP": ("国産りんごジュース", ["ストレート果汁", "1L瓶", "青森県産"]),
    "en-US": ("Cast Iron Skillet", ["Pre-seasoned", "10-inch", "Oven-safe to 500°F"]),
}


def messages(brief: Brief, variant: int) -> list[BaseMessage]:
    payload = json.dumps(brief.model_dump(mode="json"), ensure_ascii=False)
    return [HumanMessage(f'<brief>{payload}</brief>\n<output schema="{brief.content_type}" variant="{variant}" of="3"/>')]


def draft(brief: Brief, variant: int = 1) -> Any:
    return CONTENT_MODELS[brief.content_type].model_validate_json(compose_answer(messages(brief, variant)))


def brief(**kw: Any) -> Brief:
    fields: dict[str, Any] = {"industry": "food", "segment": "active.mass", "content_type": "copy", "channel": "moments",
                              "locale": "zh-CN", "product": "每日坚果混合装"}
    return Brief(**{**fields, **kw})


@pytest.mark.parametrize("locale", vocab.LOCALES)
@pytest.mark.parametrize("channel", ["moments", "group", "wecom_1v1"])
def test_the_question_and_benefit_variants_name_every_selling_point(locale: str, channel: str) -> None:
    product, points = POINTS[locale]
    b = brief(locale=locale, product=product, selling_points=points, channel=channel, industry="retail")
    for variant in (1, 3):  # question, benefit: the plans that weigh the product up
        body = draft(b, variant).body.casefold()
        missing = [p for p in points if p.casefold() not in body]
        assert not missing, (variant, missing, body)
        assert body.count(points[1].casefold()) == 1, f"a listed point is not said again: {body}"


def test_selling_points_read_as_one_phrase_in_each_locale() -> None:
    assert listing(["6种坚果果干", "独立小包"], "zh-CN") == "6种坚果果干、独立小包"
    assert listing(["满99减20、限周末", "包邮"], "zh-CN") == "满99减20、限周末，包邮"
    # English: each point its own short sentence, as ad copy lists them (a verb phrase and a noun
    # phrase joined by "and" read "makes 16 cups and single-origin beans").
    assert listing(["makes 16 cups", "single-origin beans"], "en-US") == "Makes 16 cups. Single-origin beans"
    assert listing(["FDIC insured up to $250,000", "4.10% APY."], "en-US") == "FDIC insured up to $250,000. 4.10% APY"
    # A name keeps its capitals, lower-case words inside it ("for") included; a code keeps its case.
    assert mid_sentence("Weekend Coding Club for Kids") == "Weekend Coding Club for Kids"
    assert mid_sentence("M8 stainless hex bolts") == "M8 stainless hex bolts"
    assert mid_sentence("Cast iron skillet") == "cast iron skillet"


CHILD = re.compile(r"孩子|家长|お子|保護者|\bchild|\bkids?\b|\bparents?\b", re.I)


@pytest.mark.parametrize(("locale", "adult", "kids"), [
    ("zh-CN", "数据分析周末训练营", "少儿编程寒假班"),
    ("ja-JP", "オンライン英会話", "キッズ英会話"),
    ("en-US", "Weekend Data Analytics Bootcamp", "Coding Club for Kids"),
])
def test_a_course_for_adults_never_talks_about_their_child(locale: str, adult: str, kids: str) -> None:
    for channel, content_type in [("official_account", "copy"), ("moments", "copy"), ("group", "copy"),
                                  ("video_account", "short_video_script")]:
        for variant in (1, 2, 3, 4):
            b = brief(industry="education", locale=locale, product=adult, selling_points=["8 Saturdays"],
                      channel=channel, content_type=content_type)
            text = content_text(draft(b, variant))
            assert not CHILD.search(text), (channel, variant, CHILD.search(text), text)
    # A child's course may speak to the parents (the section for them is there for some variant).
    texts = [content_text(draft(brief(industry="education", locale=locale, product=kids, channel="official_account"), v))
             for v in (1, 2, 3, 4)]
    assert any(CHILD.search(t.replace(kids, "")) for t in texts)


@pytest.mark.parametrize("locale", vocab.LOCALES)
def test_an_article_about_a_device_has_no_supplement_faq(locale: str) -> None:
    food_faq = re.compile(r"代替药物|医薬品ではありません|医薬品の代わり|dietary supplement|not a medicine|成分表|ingredient list")
    product = {"zh-CN": "电子血压计", "ja-JP": "上腕式血圧計", "en-US": "Upper-Arm Blood Pressure Monitor"}[locale]
    for variant in (1, 2, 3, 4):
        b = brief(industry="health", product_type="medical_device", locale=locale, product=product,
                  selling_points=["两组用户记忆"], channel="official_account")
        body = draft(b, variant).body
        assert not food_faq.search(body), (variant, food_faq.search(body))


@pytest.mark.parametrize(("locale", "product", "tag"), [
    ("zh-CN", "氨基酸 洁面乳", "氨基酸洁面乳"), ("ja-JP", "ハンドクリーム", "ハンドクリーム"),
    ("en-US", "cast iron skillet", "CastIronSkillet")])
def test_the_first_hashtag_is_the_product(locale: str, product: str, tag: str) -> None:
    for variant in (1, 2):
        tags = draft(brief(locale=locale, product=product, industry="retail"), variant).hashtags
        assert tags[0] == tag and len(tags) == 2
    long_name = "Extra-Long Professional Grade Stainless Steel Stockpot Set"
    assert all(len(t) <= 30 for t in draft(brief(locale="en-US", product=long_name, industry="retail")).hashtags)


def test_a_dshea_disclaimer_is_whole_or_left_out_of_an_sms() -> None:
    b = brief(industry="health", product_type="health_food", locale="en-US", channel="sms", content_type="push",
              product="Daily Vitamin D3 Softgels", selling_points=["One small softgel a day"],
              offer="15% off your first subscription order")
    for variant in (1, 2, 3):
        body = draft(b, variant).body
        half = "not intended to diagnose" in body and "evaluated by the Food and Drug Administration" not in body
        assert not half, body
        assert "15% off your first subscription order" in body


def test_a_japanese_professional_greets_a_loyal_customer_as_one_they_know() -> None:
    for variant in (1, 2, 3, 4):
        b = brief(locale="ja-JP", persona="professional", segment="loyal.high_value", channel="wecom_1v1",
                  industry="cosmetics", product="薬用美容液", selling_points=["保湿成分配合"])
        assert "突然のご連絡" not in draft(b, variant).body
    first = [draft(brief(locale="ja-JP", persona="professional", segment="new.mass", channel="wecom_1v1",
                         industry="cosmetics", product="薬用美容液"), v).body for v in (1, 3)]
    assert not any("いつもお世話に" in t for t in first), first


def test_a_video_shot_may_show_the_product_after_it_is_named() -> None:
    b = brief(locale="en-US", channel="video_account", content_type="short_video_script", industry="retail",
              product="Stackable Storage Bins", selling_points=["Clear sides", "Lids click shut"])
    closes = {draft(b, v).scenes[-1].visual for v in (1, 2, 3)}
    assert len(closes) == 3, closes  # the closing shot differs by variant, not always the one without the name
    assert all(content_fields(draft(b, v)) for v in (1, 2, 3))


CHOOSING = re.compile(r"怎么选|怎么挑|选.{0,12}时|挑.{0,12}时候|選ぶ|選び方|how (do )?you (usually )?pick|choose|what to look for", re.I)


@pytest.mark.parametrize("locale", vocab.LOCALES)
@pytest.mark.parametrize("lifecycle", ["onboarding", "repurchase", "loyal"])
def test_a_customer_who_has_it_is_not_asked_how_they_would_choose_one(locale: str, lifecycle: str) -> None:
    product, points = POINTS[locale]
    for channel in ("moments", "group", "wecom_1v1"):
        b = brief(locale=locale, product=product, selling_points=points, channel=channel, industry="retail",
                  segment=f"{lifecycle}.mass")
        c = draft(b, 1)  # the question plan
        assert not CHOOSING.search(c.headline + c.body), (channel, CHOOSING.search(c.headline + c.body), c.body)
    video = draft(brief(locale=locale, product=product, selling_points=points, channel="video_account",
                        content_type="short_video_script", industry="retail", segment=f"{lifecycle}.mass"), 1)
    assert not CHOOSING.search(content_text(video)), content_text(video)
    # A prospect still is.
    prospect = draft(brief(locale=locale, product=product, selling_points=points, segment="new.mass"), 1)
    assert CHOOSING.search(prospect.headline + prospect.body)


@pytest.mark.parametrize("locale", vocab.LOCALES)
def test_a_group_is_not_told_to_use_a_comment_section_and_a_chat_has_no_hashtags(locale: str) -> None:
    product, points = POINTS[locale]
    for variant in (1, 2, 3, 4):
        group = draft(brief(locale=locale, product=product, selling_points=points, channel="group"), variant)
        assert not re.search(r"评论区|コメント欄|コメントで|in the comments|comments are open", group.body, re.I), group.body
        chat = draft(brief(locale=locale, product=product, selling_points=points, channel="wecom_1v1"), variant)
        assert chat.hashtags == []


@pytest.mark.parametrize(("locale", "product", "short"), [
    ("zh-CN", "益生菌冻干粉（30条/盒）", "益生菌冻干粉"), ("ja-JP", "国産野菜の冷凍餃子 48個入", "国産野菜の冷凍餃子"),
    ("en-US", "Peanut Butter Protein Bars (12-pack)", "Peanut Butter Protein Bars")])
def test_a_pack_size_is_said_once_never_spoken_and_not_in_the_hashtag(locale: str, product: str, short: str) -> None:
    post = draft(brief(locale=locale, product=product, selling_points=["Two flavors"], industry="food"), 1)
    text = content_text(post)
    assert text.count(product) <= 2 and short in post.body  # the headline and the first mention at most
    assert post.hashtags[0] == re.sub(r"\s+", "", short)
    video = draft(brief(locale=locale, product=product, selling_points=["Two flavors"], industry="food",
                        channel="video_account", content_type="short_video_script"), 2)
    assert all(product not in s.voice_over for s in video.scenes) and product not in video.hook
    assert product in content_text(video)  # the name in full is on screen once (a caption)


def test_a_removed_term_leaves_no_empty_brackets() -> None:
    from contentgen.providers.offline_rewrite import Avoid

    avoid = Avoid(items=[("医薬部外品", None), ("薬用", None)])
    assert avoid.clean("薬用ブライトニング美容液（医薬部外品）") == "ブライトニング美容液"
    assert Avoid(items=[("guaranteed", None)]).clean("Serum [guaranteed]") == "Serum"


@pytest.mark.parametrize(("locale", "product", "words"), [
    ("zh-CN", "XR-6协作机器人年度维保服务", ("规格书", "交货地", "批次")),
    ("ja-JP", "XR-6 年間保守サービス", ("仕様書", "納品先", "ロット")),
    ("en-US", "XR-6 Cobot Annual Maintenance Plan", ("spec sheet", "delivery location", "batch"))])
def test_a_service_contract_is_not_written_about_as_material(locale: str, product: str, words: tuple[str, ...]) -> None:
    for variant in (1, 2, 3, 4):
        b = brief(industry="manufacturing", locale=locale, product=product, channel="official_account",
                  selling_points=["48h on site"], segment="loyal.high_value")
        c = draft(b, variant)
        found = [w for w in words if w.casefold() in (c.body + c.cta).casefold()]
        assert not found, (variant, found)


def test_a_dated_offer_is_not_given_a_second_deadline_in_a_plan() -> None:
    from contentgen.plan_templates import touchpoint_note

    for offer, locale in [("久しぶりのご来店で500円OFFクーポン（12/21まで）", "ja-JP"),
                          ("20% off with code BREW20 through Sunday", "en-US"), ("满99减20，本周日截止", "zh-CN")]:
        b = brief(locale=locale, channel="sms", content_type="push", offer=offer, product="X-1",
                  notes=touchpoint_note("reminder", date(2026, 12, 21)))
        body = draft(b).body
        assert offer in body and not re.search(r"12月21日|December 21", body), body
    undated = brief(locale="zh-CN", channel="sms", content_type="push", offer="第二件半价", product="X-1",
                    notes=touchpoint_note("reminder", date(2026, 12, 21)))
    assert "12月21日" in draft(undated).body  # the plan's own deadline, when the offer has none


def test_a_japanese_greeting_to_customers_is_not_said_between_colleagues() -> None:
    for segment in ("new.mass", "active.mass", "dormant.mass"):
        for channel in ("wecom_1v1", "group", "moments"):
            for variant in (1, 2, 3, 4):
                b = brief(locale="ja-JP", segment=segment, channel=channel, product="ハンドクリーム", industry="cosmetics")
                assert "お疲れさま" not in draft(b, variant).body


@pytest.mark.parametrize("locale", vocab.LOCALES)
def test_the_brand_signs_a_chat_and_tags_a_post(locale: str) -> None:
    product, points = POINTS[locale]
    chat = draft(brief(locale=locale, product=product, selling_points=points, channel="wecom_1v1", brand="Hearth"), 1)
    assert chat.body.rstrip().endswith("Hearth")
    post = draft(brief(locale=locale, product=product, selling_points=points, channel="moments", brand="Hearth"), 1)
    assert post.hashtags[1] == "Hearth"


def test_an_english_sms_stays_in_the_gsm_alphabet() -> None:
    b = brief(locale="en-US", channel="sms", content_type="push", product="Cold Brew Concentrate", brand="Ridge",
              selling_points=["Makes 16 cups — no added sugar"], offer="20% off “BREW20” through Sunday…")
    for variant in (1, 2, 3):
        body = draft(b, variant).body
        assert not set(body) & set("—–‘’“”…"), body
