"""What the library learns from outcomes (issue 15, items 4 and 6): the proven and the weakest
approved content of an audience, and the pre-send score of a draft from similar past sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contentgen.generate import Generator, Job
from contentgen.kernel.config import Settings
from contentgen.kernel.exemplars import Exemplar, Exemplars, from_block
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import Brief, content_text
from contentgen.kernel.similarity import cosine, grams
from contentgen.providers.offline_compose import Composer
from contentgen.providers.offline_learned import closest_to_what_worked
from contentgen.providers.offline_rewrite import Avoid
from contentgen.testing import cli_ok
from contentgen.usecases import learning
from library import Library
from library._db import immediate
from library.exemplars import exemplars
from library.outcomes import OutcomeEventIn, ingest
from library.presend import NO_HISTORY, THIN, presend
from library.withdrawal import withdraw
from tests.outcome_data import h, released

FRUIT = "周末水果礼盒到店啦，今天下单满99减20，回复1帮您留一份。"
FRUIT_CLOSE = "周末水果礼盒到店啦，今天下单满99减15，回复1帮您留一盒。"
TEA = "新茶上市，龙井明前采摘，到店可免费品尝一杯。"
PHONE = "手机以旧换新补贴开启，旧机最高抵800元，详情点击链接。"


def _events(mid: str, reached: int, clicked: int, *, start: int = 0, kind: str = "clicked") -> list[OutcomeEventIn]:
    out = []
    for i in range(start, start + reached):
        out.append(OutcomeEventIn.model_validate({
            "id": f"{mid}-{i}-d", "material_id": mid, "version": 1, "channel": "sms", "recipient": h(f"{mid}{i}"),
            "type": "delivered", "at": "2026-11-02T09:30:00+08:00"}))
        if i - start < clicked:
            out.append(OutcomeEventIn.model_validate({
                "id": f"{mid}-{i}-{kind}", "material_id": mid, "version": 1, "channel": "sms",
                "recipient": h(f"{mid}{i}"), "type": kind, "at": "2026-11-02T10:30:00+08:00"}))
    return out


def _with_rate(lib: Library, draft_factory: Any, body: str, reached: int, clicked: int, **kw: Any) -> str:
    mid = released(lib, draft_factory, body=body, **kw)
    ingest(lib._db().conn, _events(mid, reached, clicked), source="app")
    return mid


def test_the_proven_and_the_weakest_stand_clearly_apart_from_the_pool(lib: Library, draft_factory: Any) -> None:
    strong = _with_rate(lib, draft_factory, FRUIT, 400, 80)     # 20%
    middle = _with_rate(lib, draft_factory, TEA, 400, 40)       # 10%, the pool's own level
    weak = _with_rate(lib, draft_factory, PHONE, 400, 4)        # 1%
    thin = _with_rate(lib, draft_factory, FRUIT_CLOSE, 20, 20)  # 100% of too few
    got = exemplars(lib, industry="cosmetics", segment="dormant.mass", content_type="push", locale="zh-CN")
    assert got.pooled_rate == pytest.approx(124 / 1200)
    assert [e.material_id for e in got.examples] == [strong]
    assert [e.material_id for e in got.avoid] == [weak]
    assert got.examples[0].text == FRUIT and got.examples[0].low > got.pooled_rate
    assert {middle, thin}.isdisjoint(e.material_id for e in got.examples + got.avoid)
    assert got.provenance()["examples"] == [{"material_id": strong, "version": 1, "rate": 0.2, "reached": 400}]
    # Another audience, content type or locale has no history of its own.
    for other in ({"segment": "active.high_value"}, {"content_type": "copy"}, {"locale": "ja-JP"}):
        args = {"industry": "cosmetics", "segment": "dormant.mass", "content_type": "push", "locale": "zh-CN"}
        assert not exemplars(lib, **{**args, **other})


def test_a_withdrawn_version_is_never_an_example(lib: Library, draft_factory: Any) -> None:
    strong = _with_rate(lib, draft_factory, FRUIT, 400, 80)
    weak = _with_rate(lib, draft_factory, TEA, 400, 20)
    with immediate(lib._db()) as conn:
        assert withdraw(conn, material_id=strong, version=1, expected="released", at="2026-11-03T00:00:00Z",
                        report=ComplianceReport(verdict="block", findings=[]), started_by="carl")
    got = exemplars(lib, industry="cosmetics", segment="dormant.mass", content_type="push", locale="zh-CN")
    assert got.examples == [] and [e.material_id for e in got.avoid] == [weak]


def test_thin_data_offers_nothing(lib: Library, draft_factory: Any) -> None:
    _with_rate(lib, draft_factory, FRUIT, 25, 20)
    _with_rate(lib, draft_factory, TEA, 25, 0)
    assert not exemplars(lib, industry="cosmetics", segment="dormant.mass", content_type="push", locale="zh-CN")


def test_character_grams_find_the_near_text_in_any_script() -> None:
    assert cosine(grams(FRUIT), grams(FRUIT_CLOSE)) > 0.6
    assert cosine(grams(FRUIT), grams(PHONE)) < 0.2
    assert cosine(grams("Your weekend fruit box is here"), grams("YOUR WEEKEND FRUIT BOX is in!")) > 0.7
    assert cosine(grams("週末のフルーツ箱が入荷しました"), grams("週末のフルーツ箱、本日入荷")) > 0.4
    assert cosine(grams("。！"), grams(FRUIT)) == 0.0


def test_the_presend_score_rests_on_similar_sends_of_the_same_audience(lib: Library, draft_factory: Any) -> None:
    near = _with_rate(lib, draft_factory, FRUIT_CLOSE, 300, 60)
    far = _with_rate(lib, draft_factory, PHONE, 300, 3)
    _with_rate(lib, draft_factory, FRUIT, 300, 150, segment="active.high_value")  # another segment
    score = presend(lib, text=FRUIT, locale="zh-CN", segment="dormant.mass", channel="sms")
    assert score.note is None
    assert [n.material_id for n in score.evidence] == [near]
    assert far not in {n.material_id for n in score.evidence}
    clicked = score.estimates["clicked"]
    assert clicked.rate == pytest.approx(0.2)
    assert clicked.low is not None and clicked.high is not None and clicked.low < 0.2 < clicked.high
    assert score.estimates["replied"].rate == 0.0
    # The draft's own material never scores itself.
    assert presend(lib, text=FRUIT_CLOSE, locale="zh-CN", segment="dormant.mass", channel="sms",
                   exclude=near).evidence == []


def test_no_history_and_thin_history_say_so(lib: Library, draft_factory: Any) -> None:
    none = presend(lib, text=FRUIT, locale="zh-CN", segment="dormant.mass", channel="sms")
    assert none.note == NO_HISTORY and none.evidence == [] and none.estimates["clicked"].rate is None
    _with_rate(lib, draft_factory, FRUIT_CLOSE, 12, 6)
    thin = presend(lib, text=FRUIT, locale="zh-CN", segment="dormant.mass", channel="sms")
    assert thin.note == THIN and len(thin.evidence) == 1 and thin.estimates["clicked"].rate is None


# ---- generation learns from what worked (item 4) ------------------------------------------------


def _brief(**kw: Any) -> Brief:
    return Brief(**{"industry": "cosmetics", "segment": "dormant.mass", "content_type": "push", "channel": "sms",
                    "locale": "zh-CN", "product": "氨基酸洁面乳", "brand": "悦肤", **kw})


def _proven(lib: Library, draft_factory: Any) -> tuple[str, str]:
    strong = _with_rate(lib, draft_factory, FRUIT, 400, 80)
    _with_rate(lib, draft_factory, TEA, 400, 40)
    weak = _with_rate(lib, draft_factory, PHONE, 400, 4)
    return strong, weak


def test_the_prompt_shows_the_model_what_worked_and_the_draft_records_it(lib: Library, draft_factory: Any) -> None:
    strong, weak = _proven(lib, draft_factory)
    gen = Generator(Settings.load(), lessons=learning.lessons(lib))
    found = gen.lessons_for(_brief())
    assert found is not None and [e.material_id for e in found.examples] == [strong]
    rendered = gen.catalog.resolve(_brief()).render(_brief(), exemplars=found)
    assert "What worked with this audience before" in rendered.user and FRUIT in rendered.user
    assert PHONE in rendered.user and "<exemplars>" in rendered.user
    assert rendered.user.splitlines()[-2].startswith("<brief>")  # the contract's last two lines hold
    assert from_block(rendered.user) == found
    draft = gen.run_sync([Job(_brief())]).drafts[0]
    assert draft.parameters["learned_from"]["examples"][0]["material_id"] == strong
    assert draft.parameters["learned_from"]["avoid"][0]["material_id"] == weak
    # Another audience has nothing to learn from; the flag off learns nothing at all.
    assert gen.lessons_for(_brief(segment="active.high_value")) is None
    off = Generator(Settings.load(), lessons=None).run_sync([Job(_brief())]).drafts[0]
    assert "learned_from" not in off.parameters


def test_the_offline_model_takes_the_phrasing_nearest_to_what_worked() -> None:
    brief = _brief()
    texts = {v: content_text(Composer(brief, v, 1, Avoid()).compose("push")) for v in (1, 4, 7, 10)}
    assert len(set(texts.values())) > 1
    target = texts[7]  # what variant 1's third candidate (1 + 2 × 3 variants) writes
    lessons = Exemplars(metric="clicked", pooled_rate=0.1, examples=[Exemplar(
        material_id="mat_x", version=1, text=target, rate=0.3, low=0.25, high=0.35, reached=400)])
    picked = closest_to_what_worked(lambda v: Composer(brief, v, 1, Avoid()).compose("push"),
                                    variant=1, variants=3, exemplars=lessons)
    assert content_text(picked) == target
    plain = closest_to_what_worked(lambda v: Composer(brief, v, 1, Avoid()).compose("push"),
                                   variant=1, variants=3, exemplars=None)
    assert content_text(plain) == texts[1]


def test_generate_says_what_it_learns_from_and_no_learn_turns_it_off(lib: Library, draft_factory: Any,
                                                                      lib_path: Any) -> None:
    _proven(lib, draft_factory)
    args = ["generate", "--industry", "cosmetics", "--segment", "dormant.mass", "--content-type", "push",
            "--channel", "sms", "--locale", "zh-CN", "--product", "氨基酸洁面乳", "--format", "json",
            "--db", str(lib_path)]
    learned = cli_ok(*args)
    assert "learning from 1 proven example(s) and 1 to avoid (clicked" in learned.stderr
    assert json.loads(learned.stdout)[0]["parameters"]["learned_from"]["metric"] == "clicked"
    off = cli_ok(*args, "--no-learn")
    assert "learning from" not in off.stderr
    assert "learned_from" not in json.loads(off.stdout)[0]["parameters"]
