"""The shipped packs read required statements and legal uses written in the writer's own words.

Each case pairs a text that must pass (or only warn) with a near twin that must still be
blocked, so a rule cannot pass the first by going blind.
"""

from __future__ import annotations

import pytest

from contentgen.compliance import check_text


def errors(text: str, locale: str, **ctx: str | None) -> set[str]:
    report = check_text(text, locale=locale, **ctx)
    for f in report.findings:
        assert f.match == text[f.start:f.end]
    return {f.rule for f in report.findings if f.severity == "error"}


@pytest.mark.parametrize(("locale", "rule", "balanced", "bare"), [
    ("en-US", "en.finra.risk-disclosure",
     "Our new dividend fund launches Monday. The payout isn't guaranteed and the share price can still fall.",
     "Our new dividend fund launches Monday. Great payouts every quarter!"),
    ("zh-CN", "zh.finance.art25-risk-warning",
     "新发的稳健理财本周开售，业绩比较基准不是对收益的承诺，实际收益以净值为准。",
     "新发的稳健理财本周开售，收益稳稳的。"),
    ("ja-JP", "ja.fiea.risk-statement",
     "毎月分配型の投資信託、年率5%の分配実績。将来の運用成果を約束するものではありません。",
     "毎月分配型の投資信託、年率5%の分配実績があります。"),
])
def test_a_risk_warning_in_other_words_balances_a_promotion(locale: str, rule: str, balanced: str, bare: str) -> None:
    assert rule in errors(bare, locale, industry="finance", channel="official_account")
    assert rule not in errors(balanced, locale, industry="finance", channel="official_account")


@pytest.mark.parametrize(("locale", "rule", "with_opt_out", "without"), [
    ("zh-CN", "zh.channels.art43-sms-opt-out", "【鲜果坊】周末水果礼盒8折，如不想再收到此类短信，回复“TD”即可取消。",
     "【鲜果坊】周末水果礼盒8折，欢迎到店选购。"),
    ("ja-JP", "ja.channels.opt-out", "【青葉書店】秋の新刊フェア開催中。今後の受信を希望されない方は https://aoba.example/stop",
     "【青葉書店】秋の新刊フェア開催中。"),
])
def test_an_opt_out_in_other_words_is_an_opt_out(locale: str, rule: str, with_opt_out: str, without: str) -> None:
    assert rule in errors(without, locale, channel="sms")
    assert rule not in errors(with_opt_out, locale, channel="sms")


@pytest.mark.parametrize(("locale", "rule", "notice", "promo"), [
    ("en-US", "en.channels.sms-opt-out", "Harbor Bank: your March account statement is ready in online banking.",
     "Harbor Bank: your March deal is ready, 20% off a new card!"),
    ("ja-JP", "ja.channels.opt-out", "【木村家具】ご注文品の配送日が5月3日午前に確定しました。",
     "【木村家具】ご注文品の配送日が確定しました。今ならソファ20%オフセールも開催中！"),
    ("zh-CN", "zh.channels.art43-sms-opt-out", "【美家电器】已为您预约周六上午上门安装，师傅出发前会电话联系。",
     "【美家电器】周六空调特卖，全场8折。"),
])
def test_a_service_notice_needs_no_opt_out(locale: str, rule: str, notice: str, promo: str) -> None:
    assert rule in errors(promo, locale, channel="sms")
    assert rule not in errors(notice, locale, channel="sms")


def test_advice_is_not_an_absolute_but_a_superlative_still_is() -> None:
    assert "zh.adlaw.art9-absolute-fixes" not in errors("开封后最好不超过一周吃完。", "zh-CN", industry="food")
    assert "zh.adlaw.art9-absolute-fixes" in errors("这款果酱的口感最好不过。", "zh-CN", industry="food")


def test_a_floor_denied_is_no_floor_promised() -> None:
    assert "zh.finance.art25-principal" not in errors("合作分成按实际营收计算，我们不做保底。", "zh-CN", industry="finance")
    assert "zh.finance.art25-principal" in errors("合作分成有保底，放心投。", "zh-CN", industry="finance")


def test_a_promise_quoted_and_called_false_is_a_mention() -> None:
    text = "Myth of the week: 'guaranteed returns' is false. Every investment carries risk."
    assert "en.finra.promissory" not in errors(text, "en-US", industry="finance")


def test_a_device_registration_number_names_the_product_type() -> None:
    report = check_text("红外额温计，注册证号国械注准20232070001，1秒出读数。", locale="zh-CN", industry="health")
    assert report.product_type == "medical_device"


def test_a_ranking_with_its_source_in_brackets_is_a_warning_to_keep_the_evidence() -> None:
    sourced = "業務用炊飯器 国内出荷台数シェア第1位（一般社団法人あおば厨房機器協会「出荷統計」2025年度）"
    report = check_text(sourced, locale="ja-JP")
    no1 = [f for f in report.findings if f.rule == "ja.keihyo.no1-claims"]
    assert no1 and all(f.severity == "warning" for f in no1)
    assert "ja.keihyo.no1-claims" in errors("業務用炊飯器 国内出荷台数シェア第1位！", "ja-JP")


def test_an_authorised_health_claim_in_its_model_form_passes() -> None:
    claim = "Diets low in sodium may reduce the risk of high blood pressure. Our soups have 140 mg per can."
    assert not {r for r in errors(claim, "en-US", industry="food") if "disease" in r}
    assert {r for r in errors("Our soup lowers high blood pressure.", "en-US", industry="food") if "disease" in r}


def test_a_plainly_stated_material_connection_is_a_disclosure() -> None:
    assert "en.ftc.material-connection" not in errors(
        "Full disclosure: I work for Lumen Skincare. The gel cleanser is the one I'd pick.", "en-US", industry="cosmetics")
