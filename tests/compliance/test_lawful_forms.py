"""Forms the law allows: the statement a product's category really requires, a claim stated with
its basis, a service notice, a regulator's status explained. Each passes (or only warns), and a
near twin without the lawful form is still blocked or flagged, so no rule passes by going blind.
"""

from __future__ import annotations

import pytest

from contentgen.compliance import check_text


def findings(text: str, locale: str, **ctx: str | None) -> dict[str, str]:
    """rule → worst severity (error over warning); offsets checked on the way."""
    report = check_text(text, locale=locale, **ctx)
    out: dict[str, str] = {}
    for f in report.findings:
        assert f.match == text[f.start:f.end]
        if f.severity in ("error", "warning") and out.get(f.rule) != "error":
            out[f.rule] = f.severity
    return out


def errors(text: str, locale: str, **ctx: str | None) -> set[str]:
    return {r for r, s in findings(text, locale, **ctx).items() if s == "error"}


# -- the statement follows the product's category ------------------------------------------------

def test_a_plain_health_food_post_owes_no_not_a_drug_line_but_a_functional_food_owes_its_statement() -> None:
    plain = "季節の野菜スープの素、定期便なら送料無料でお届けします。"
    assert not {r for r in errors(plain, "ja-JP", industry="health", channel="moments") if "statement" in r}
    functional = "機能性表示食品のルイボス茶、今月は2箱目半額です。"
    assert "ja.healthfood.fnfc-statement" in errors(functional, "ja-JP", industry="health", channel="moments")


def test_a_nutrient_function_food_may_give_its_own_caution() -> None:
    rule = "ja.healthfood.nutrient-function-notice"
    cautioned = "栄養機能食品（鉄）。本品は、多量摂取により疾病が治癒したり、より健康が増進するものではありません。"
    assert rule not in findings(cautioned, "ja-JP", industry="health", channel="moments")
    assert rule in findings("栄養機能食品（鉄）で毎朝の鉄分補給を。", "ja-JP", industry="health", channel="moments")


def test_a_health_claim_in_fdas_form_takes_no_supplement_disclaimer() -> None:
    rule = "en.ftc.supplement-disclaimer"
    claim = ("Diets rich in calcium, as part of a healthful diet with regular exercise, may reduce the risk of "
             "osteoporosis. Each Bonewell tablet has 600 mg calcium.")
    assert rule not in errors(claim, "en-US", industry="health", channel="moments")
    assert rule in errors("Bonewell calcium gummies support strong bones every day.", "en-US", industry="health",
                          channel="moments")


def test_a_dose_in_mg_does_not_make_a_prescription_drug_ad() -> None:
    assert "en.drug.fair-balance" not in errors("Our magnesium gummies have 120 mg per serving.", "en-US",
                                                industry="health", channel="moments")
    assert "en.drug.fair-balance" in errors("Ask your doctor if Cardivex is right for you. Prescription only.",
                                            "en-US", industry="health", channel="moments")


def test_an_otc_monograph_active_names_a_drug_and_its_labelled_use_is_not_a_cosmetic_claim() -> None:
    report = check_text("Benzoyl peroxide 2.5% gel treats acne and helps keep new pimples away.", locale="en-US",
                        industry="cosmetics")
    assert report.product_type == "drug"
    assert "en.cosmetics.drug-claims" not in {f.rule for f in report.findings}
    assert "en.cosmetics.drug-claims" in errors("Our rose facial oil treats acne overnight.", "en-US",
                                                industry="cosmetics")


def test_a_product_said_not_to_be_a_device_owes_no_device_statement() -> None:
    said = "您问的暖宫贴是普通日用品，不是医疗器械，不能治疗痛经，疼得厉害请去医院妇科。"
    assert "zh.device.statement" not in errors(said, "zh-CN", industry="health", channel="wecom_1v1")
    assert "zh.device.statement" in errors("家用雾化器到货，新品特价。", "zh-CN", industry="health", channel="moments")


# -- registration, fees and cautions as they are really written -------------------------------------

@pytest.mark.parametrize(("rule", "base", "lawful"), [
    # a licence number as registered is a registration number
    ("ja.fiea.registration-number", "ソーシャルレンディングのファンド、想定利回り年3%。元本割れのリスクがあります。",
     "〇〇ファンディング株式会社 近畿財務局長 第00123号"),
    # fees referred to the prospectus are disclosed
    ("ja.fiea.fee-disclosure", "新しい投資信託の募集を開始しました。元本割れのリスクがあります。",
     "詳細は投資信託説明書（交付目論見書）でご確認ください。"),
])
def test_a_financial_ad_may_state_its_firm_and_fees_as_firms_write_them(rule: str, base: str, lawful: str) -> None:
    assert rule not in findings(base + lawful, "ja-JP", industry="finance", channel="official_account")
    assert rule in findings(base, "ja-JP", industry="finance", channel="official_account")


def test_a_drug_caution_in_its_everyday_form_is_the_caution() -> None:
    rule = "ja.yakki.drug-statement"
    base = "【第2類医薬品】胃腸薬「スッキリ胃」。食べすぎ・胃もたれに。"
    assert rule not in findings(base + "使用上の注意をよく読んでお使いください。", "ja-JP", industry="health",
                                channel="moments", product_type="drug")
    assert rule in findings(base, "ja-JP", industry="health", channel="moments", product_type="drug")


# -- claims with their basis, and what they are measured against -------------------------------------

def test_a_ranking_with_the_date_it_stood_is_evidence_to_keep() -> None:
    rule = "ja.keihyo.no1-claims"
    dated = "Yahoo!ショッピング 週間ランキング 寝具部門1位（2025年2月3日付）"
    assert findings(dated, "ja-JP").get(rule) == "warning"
    assert findings("寝具部門で1位の人気！", "ja-JP").get(rule) == "error"


def test_a_figure_with_its_own_basis_beside_it_is_evidence_to_keep() -> None:
    rule = "ja.keihyo.unsubstantiated-claims"
    sourced = "3か月コースの平均−3.1kg（2024年の会員85名の実績、自社調べ）。"
    assert findings(sourced, "ja-JP").get(rule) == "warning"
    assert findings("3か月でマイナス3kg！", "ja-JP").get(rule) == "error"


def test_a_testimonial_beside_the_typical_result_is_evidence_to_keep() -> None:
    sourced = ("Marco dropped 30 lbs in 16 weeks. Results not typical: in our 2024 review, members on the plan "
               "lost an average of 7 lbs in 16 weeks.")
    got = findings(sourced, "en-US", industry="health")
    assert got.get("en.ftc.typical-results") == "warning"
    assert "en.ftc.typical-results" in errors("Marco dropped 30 lbs in 16 weeks. Results not typical.", "en-US",
                                              industry="health")


def test_a_former_price_with_its_period_and_a_coupons_face_value_are_not_fictitious() -> None:
    rule = "en.ftc.former-price"
    assert rule not in findings("Was $24.99, now $18.99 — $24.99 was its shelf price for the past 60 days.", "en-US")
    assert rule not in findings("Every box holds a coupon worth $2 to $20.", "en-US")
    assert rule in findings("Was $24.99, now $18.99!", "en-US")


def test_a_fixed_annuitys_guaranteed_rate_is_a_contract_term() -> None:
    rule = "en.finra.projected-return"
    term = ("Our 3-year fixed annuity pays a guaranteed 4.6% a year, backed by the claims-paying ability of the "
            "issuing insurer. Early withdrawals may carry surrender charges.")
    assert rule not in errors(term, "en-US", industry="finance")
    assert rule in errors("Our notes pay a guaranteed 9% a year.", "en-US", industry="finance")


# -- service notices, education, data handling -----------------------------------------------------

@pytest.mark.parametrize(("locale", "rule", "notice", "sells"), [
    ("ja-JP", "ja.channels.opt-out", "【ひかり眼科】3月8日（土）11:00のご予約を承っております。ご変更はお電話ください。",
     "【ひかり眼科】春のコンタクトレンズ20%オフ。ご来店お待ちしております。"),
    ("en-US", "en.channels.sms-opt-out", "Lakeside Vet: reminder of your dog's checkup on Fri 6/7 at 2 pm. Reply Y to confirm.",
     "Lakeside Vet: reminder of our spring sale, $20 off dental cleanings this week."),
])
def test_an_appointment_reminder_is_a_service_message(locale: str, rule: str, notice: str, sells: str) -> None:
    assert rule not in errors(notice, locale, channel="sms")
    assert rule in errors(sells, locale, channel="sms")


def test_a_statement_notice_is_not_a_loan_or_investment_ad() -> None:
    notice = "Pine Bank: your statement ending 5/31 is ready. Payment of $210.40 due 6/25. Log in to view."
    assert not {"en.lending.triggering-terms", "en.finra.risk-disclosure"} & errors(notice, "en-US", industry="finance",
                                                                                  product_type="loan")
    assert "en.lending.triggering-terms" in errors("Pine Bank auto loans: $0 down and 60 easy payments!", "en-US",
                                                   industry="finance", product_type="loan")


def test_investor_education_sells_nothing_and_owes_no_product_warning() -> None:
    rule = "zh.finance.art25-risk-warning"
    lesson = "今天科普一下：“最大回撤”是指一段时间内净值从最高点到最低点的跌幅，折算成百分比来看。"
    assert rule not in errors(lesson, "zh-CN", industry="finance", channel="group")
    assert rule in errors("今天科普一下：这只新基金本周开售，净值表现亮眼，欢迎认购。", "zh-CN", industry="finance",
                          channel="group")


def test_a_brand_compared_with_its_own_range_on_a_measured_property_is_exempt() -> None:
    rule = "zh.adlaw.art9-absolute"
    assert not {r for r in errors("这台是我们品牌目前续航最长的一款扫地机。", "zh-CN", industry="retail")
                if r.startswith(rule)}
    assert {r for r in errors("这台是目前续航最长的扫地机。", "zh-CN", industry="retail") if r.startswith(rule)}


def test_masked_personal_data_is_not_a_medical_term() -> None:
    rule = "zh.adlaw.art17-medical-terms"
    assert rule not in errors("中奖名单已做脱敏处理后在门店公示。", "zh-CN", industry="retail")
    assert rule in errors("这款鼻喷帮你脱敏，告别鼻子痒。", "zh-CN", industry="retail")


def test_a_role_mailbox_is_the_business_contact_and_a_persons_address_is_personal_data() -> None:
    assert "common.pii.contact" not in findings("ご質問は support@aoba-shop.jp までお寄せください。", "ja-JP")
    assert "common.pii.contact" in findings("担当の田中（tanaka.hiroshi@gmail.com）までご連絡ください。", "ja-JP")


def test_data_shared_on_consent_assumed_from_shopping_is_flagged_and_an_opt_out_clears_it() -> None:
    rule = "en.privacy.consent-by-conduct"
    assumed = "We share your contact details and order history with partner brands. By ordering, you agree."
    assert findings(assumed, "en-US").get(rule) == "warning"
    assert rule not in findings(assumed + " Opt out of the sale of your data at shop.example/privacy.", "en-US")
