"""Scope follows the law: what the law forbids to every advertiser is found in every industry and
channel, and with no industry at all; required statements are demanded where the law demands them."""

from __future__ import annotations

import pytest

from contentgen.compliance import RulePack, check_text
from contentgen.kernel import vocab

# Claims forbidden to every advertiser (广告法 Art. 9, 17, 18 and 16 for any product; 薬機法 Art. 66
# and 68 for any product claiming drug effects; 景品表示法 Art. 5; FTC Act §5).
CROSS_INDUSTRY = [
    ("zh-CN", "国家级品质，行业第一"),
    ("zh-CN", "佩戴开光手串，招财进宝"),
    ("zh-CN", "三甲医院专家推荐，长期食用可降三高"),
    ("zh-CN", "政府特供，人民大会堂指定用品"),
    ("ja-JP", "飲むだけで病気を予防します"),
    ("ja-JP", "医師も推薦する、シミが消えるアイテム"),
    ("ja-JP", "日本一の満足度"),
    ("en-US", "Doctor recommended: cures arthritis in 7 days"),
    ("en-US", "The #1 best-selling brand in the world"),
]


@pytest.mark.parametrize(("locale", "text"), CROSS_INDUSTRY)
@pytest.mark.parametrize("industry", [*vocab.INDUSTRIES, None])
def test_cross_industry_claims_block_in_every_industry(locale: str, text: str, industry: str | None,
                                                       packs: list[RulePack]) -> None:
    report = check_text(text, locale=locale, industry=industry, packs=packs)
    assert report.verdict == "block", (industry, [f.rule for f in report.findings])


@pytest.mark.parametrize(("locale", "text"), CROSS_INDUSTRY[:1] + CROSS_INDUSTRY[4:5] + CROSS_INDUSTRY[7:8])
@pytest.mark.parametrize("channel", vocab.CHANNELS)
def test_cross_industry_claims_block_on_every_channel(locale: str, text: str, channel: str,
                                                      packs: list[RulePack]) -> None:
    assert check_text(text, locale=locale, channel=channel, packs=packs).verdict == "block"


@pytest.mark.parametrize(("locale", "text"), [
    ("zh-CN", "会员日全场八折，欢迎到店选购"),
    ("ja-JP", "週末セール開催中、全品20%オフ"),
    ("en-US", "Weekend sale: 20% off everything in store"),
])
@pytest.mark.parametrize("industry", vocab.INDUSTRIES)
def test_marketing_sms_needs_an_opt_out_in_every_industry(locale: str, text: str, industry: str,
                                                          packs: list[RulePack]) -> None:
    report = check_text(text, locale=locale, industry=industry, channel="sms", packs=packs)
    assert any(f.kind == "requires" and f.severity == "error" for f in report.findings)


@pytest.mark.parametrize("channel", vocab.CHANNELS)
def test_health_food_statement_is_demanded_on_every_channel(channel: str, packs: list[RulePack]) -> None:
    text = "这款保健食品（蓝帽子）帮助改善睡眠，欢迎了解"
    report = check_text(text, locale="zh-CN", industry="health", channel=channel, packs=packs)
    assert any(f.kind == "requires" and f.severity == "error" for f in report.findings), channel
