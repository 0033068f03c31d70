"""Plan templates: the shipped ones load and schedule; broken ones say file and problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from contentgen.kernel import vocab
from contentgen.kernel.errors import PlanError, UnknownIdentifierError
from contentgen.plan_schedule import schedule
from contentgen.plan_templates import PlanTemplate, default_product, find_template, load_templates

SHIPPED = ("reactivate", "welcome", "repurchase", "vip_care", "event")
ISSUE_CHANNELS = ["wecom_1v1", "group", "moments", "sms"]


def test_the_five_objectives_ship_for_7_and_15_days(templates: dict[str, PlanTemplate]) -> None:
    assert set(SHIPPED) <= set(templates)
    for name in SHIPPED:
        tpl = templates[name]
        assert set(tpl.cycles) == {7, 15}, name
        assert len(tpl.cycle(15)) > len(tpl.cycle(7)) >= 5, name
        for locale in vocab.LOCALES:
            assert tpl.title_in(locale) != tpl.objective


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("days", [7, 15])
@pytest.mark.parametrize("channels", [list(vocab.CHANNELS), ISSUE_CHANNELS], ids=["all", "issue"])
def test_every_shipped_cycle_schedules_every_touchpoint(
    templates: dict[str, PlanTemplate], name: str, days: int, channels: list[str]
) -> None:
    steps = templates[name].cycle(days)
    slots = schedule(steps, start=date(2026, 12, 1), allowed_channels=channels)
    assert len(slots) == len(steps)  # nothing dropped to make it fit
    assert all(s.channel in channels for s in slots)
    assert all(s.content_type in vocab.CHANNEL_CONTENT_TYPES[s.channel] for s in slots)
    assert [s.send_at for s in slots] == sorted(s.send_at for s in slots)
    assert {s.day for s in slots} <= set(range(days))
    # strongest channel used sparingly: no two 1:1 sends within 3 days
    one_to_one = [s.day for s in slots if s.channel == "wecom_1v1"]
    assert all(b - a >= 3 for a, b in zip(one_to_one, one_to_one[1:], strict=False))


def test_unknown_objective_lists_the_known_ones(templates: dict[str, PlanTemplate]) -> None:
    with pytest.raises(UnknownIdentifierError, match="reactivate"):
        find_template(templates, "world_domination")


def test_missing_cycle_is_a_plan_error(tmp_path: Path) -> None:
    (tmp_path / "solo.yaml").write_text(
        "objective: solo\ntitle: {en-US: Solo}\ncycles:\n  7:\n    - {day: 0, channels: [sms], "
        "content_type: push, prompt: default, purpose: hello}\n", encoding="utf-8")
    tpl = load_templates(tmp_path)["solo"]
    with pytest.raises(PlanError, match="no 15-day cycle"):
        tpl.cycle(15)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("objective: x\ntitle: {en-US: X}\ncycles: {7: [", "not valid YAML"),
        ("- just a list\n", "expected a mapping"),
        ("objective: x\ntitle: {en-US: X}\ncycles:\n  7:\n    - {day: 9, channels: [sms], content_type: push, "
         "prompt: default, purpose: late}\n", "falls outside days 0..6"),
        ("objective: x\ntitle: {en-US: X}\ncycles:\n  7:\n    - {day: 0, channels: [fax], content_type: push, "
         "prompt: default, purpose: p}\n", "unknown channel 'fax'"),
        ("objective: x\ntitle: {en-US: X}\ncycles:\n  7:\n    - {day: 0, channels: [moments], content_type: push, "
         "prompt: default, purpose: p}\n", "does not go out on 'moments'"),
        ("objective: x\ntitle: {en-US: X}\ncycles:\n  10:\n    - {day: 0, channels: [sms], content_type: push, "
         "prompt: default, purpose: p}\n", "cycles are 7 or 15 days"),
    ],
)
def test_broken_template_names_file_and_problem(tmp_path: Path, body: str, problem: str) -> None:
    (tmp_path / "broken.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_templates(tmp_path)
    assert "broken.yaml" in str(err.value) and problem in str(err.value)


def test_default_product_per_industry_and_locale(plans_dir: Path) -> None:
    for industry in vocab.INDUSTRIES:
        for locale in vocab.LOCALES:
            assert default_product(plans_dir, industry, locale)
