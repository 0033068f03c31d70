"""Scheduling constraints: each one kept, and each one's violation named in the error."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError
from contentgen.plan_schedule import (
    ContactPolicy,
    PlanConstraintError,
    Send,
    parse_quiet_hours,
    parse_time_preferences,
    schedule,
)
from contentgen.plan_templates import PlanTemplate, TouchpointSpec

ALL = list(vocab.CHANNELS)
TUESDAY = date(2026, 12, 1)


def step(day: int, *channels: str, content_type: str = "push", anchor: bool = False,
         images: int | None = None, purpose: str | None = None) -> TouchpointSpec:
    return TouchpointSpec(
        day=day, channels=channels, content_type=content_type, prompt="default",
        purpose=purpose or f"step on day {day} via {'/'.join(channels)}", anchor=anchor, images=images,
    )


def test_weekend_buyer_hears_on_friday_around_noon(templates: dict[str, PlanTemplate]) -> None:
    slots = schedule(templates["reactivate"].cycle(7), start=TUESDAY, allowed_channels=ALL,
                     prefs=parse_time_preferences(["weekend"]), timezone="Asia/Shanghai")
    ask = next(s for s in slots if s.anchor)
    assert ask.local_date.weekday() == 4 and ask.local_time == time(12, 0)
    assert ask.send_at == datetime(2026, 12, 4, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert all(s.local_time.hour in (12, 13) for s in slots)


def test_without_preference_channels_get_their_usual_hours(templates: dict[str, PlanTemplate]) -> None:
    slots = schedule(templates["reactivate"].cycle(7), start=TUESDAY, allowed_channels=ALL)
    by_channel = {s.channel: s.local_time for s in slots}
    assert by_channel["moments"] == time(20, 0) and by_channel["wecom_1v1"] == time(10, 30)
    policy = ContactPolicy()
    assert not any(policy.quiet(s.local_time) for s in slots)


def test_preference_unreachable_from_start_date_is_a_time_preference_error(
    templates: dict[str, PlanTemplate],
) -> None:
    # Starting on Thursday, the asking step (day 5 = Tuesday) has no Friday within 3 days.
    with pytest.raises(PlanConstraintError) as err:
        schedule(templates["reactivate"].cycle(7), start=date(2026, 12, 3), allowed_channels=ALL,
                 prefs=parse_time_preferences(["fri 12:00"]))
    assert err.value.constraint == "time preference"
    assert "Friday" in str(err.value) and "e.g. start on" in str(err.value)


def test_preferred_time_inside_quiet_hours_is_refused() -> None:
    with pytest.raises(PlanConstraintError) as err:
        schedule([step(0, "sms")], start=TUESDAY, allowed_channels=ALL, prefs=parse_time_preferences(["23:15"]))
    assert err.value.constraint == "quiet hours" and "21:30-08:30" in str(err.value)


def test_custom_quiet_hours_move_channel_defaults_before_they_start() -> None:
    policy = ContactPolicy(quiet_start=time(19, 0), quiet_end=time(9, 0))
    slots = schedule([step(0, "moments", content_type="copy")], start=TUESDAY, allowed_channels=ALL, policy=policy)
    assert slots[0].local_time == time(18, 30)
    with pytest.raises(PlanConstraintError, match="quiet hours"):
        schedule([step(0, "sms")], start=TUESDAY, allowed_channels=ALL,
                 policy=ContactPolicy(quiet_start=time(0, 0), quiet_end=time(23, 59)))


def test_at_most_one_group_send_a_day() -> None:
    steps = [step(2, "group"), step(2, "group", purpose="second group notice")]
    with pytest.raises(PlanConstraintError) as err:
        schedule(steps, start=TUESDAY, allowed_channels=ALL)
    assert err.value.constraint == "frequency cap"
    assert "group already has 1 send(s) on 2026-12-03" in str(err.value)


def test_second_group_step_falls_back_to_its_next_channel_instead_of_dropping() -> None:
    slots = schedule([step(2, "group"), step(2, "group", "app_push")], start=TUESDAY, allowed_channels=ALL)
    assert [s.channel for s in slots] == ["group", "app_push"]
    assert slots[0].local_time != slots[1].local_time


def test_daily_cap_per_customer() -> None:
    steps = [step(1, "sms"), step(1, "app_push"), step(1, "group")]
    with pytest.raises(PlanConstraintError) as err:
        schedule(steps, start=TUESDAY, allowed_channels=ALL)
    assert err.value.constraint == "frequency cap" and "at most 2 per customer per day" in str(err.value)


def test_monthly_cap_counts_sends_already_scheduled_for_the_segment() -> None:
    existing = [Send(datetime(2026, 11, d, 3, 0, tzinfo=UTC), "sms") for d in (10, 15, 20, 25)]
    with pytest.raises(PlanConstraintError) as err:
        schedule([step(0, "sms")], start=TUESDAY, allowed_channels=ALL, existing=existing)
    assert err.value.constraint == "monthly cap"
    assert "the cap is 4" in str(err.value) and "4 sends already scheduled" in str(err.value)
    # A month later the window has moved on.
    assert schedule([step(0, "sms")], start=date(2027, 1, 1), allowed_channels=ALL, existing=existing)


def test_strongest_channel_needs_days_between_sends() -> None:
    with pytest.raises(PlanConstraintError) as err:
        schedule([step(0, "wecom_1v1"), step(1, "wecom_1v1")], start=TUESDAY, allowed_channels=ALL)
    assert err.value.constraint == "channel intensity" and "keep 3 days between them" in str(err.value)
    slots = schedule([step(0, "wecom_1v1"), step(1, "wecom_1v1", "sms")], start=TUESDAY, allowed_channels=ALL)
    assert [s.channel for s in slots] == ["wecom_1v1", "sms"]


def test_weekly_intensity_budget() -> None:
    steps = [step(d, c) for d, c in [(0, "wecom_1v1"), (1, "group"), (1, "sms"), (2, "group"),
                                     (3, "wecom_1v1"), (4, "group"), (4, "sms")]]
    with pytest.raises(PlanConstraintError) as err:
        schedule(steps, start=TUESDAY, allowed_channels=ALL)
    assert err.value.constraint == "channel intensity" and "the budget is 14" in str(err.value)


def test_channel_limits_moments_take_at_most_nine_images() -> None:
    with pytest.raises(PlanConstraintError) as err:
        schedule([step(0, "moments", content_type="copy", images=12)], start=TUESDAY, allowed_channels=ALL)
    assert err.value.constraint == "channel limits" and "at most 9 images" in str(err.value)
    assert schedule([step(0, "moments", content_type="copy", images=9)], start=TUESDAY, allowed_channels=ALL)


def test_touchpoint_without_an_allowed_channel_is_refused_not_dropped() -> None:
    with pytest.raises(PlanConstraintError) as err:
        schedule([step(0, "sms"), step(1, "video_account", content_type="short_video_script")],
                 start=TUESDAY, allowed_channels=["sms"])
    assert err.value.constraint == "channels" and "add one of them to --channels" in str(err.value)


def test_fallback_channel_takes_its_own_content_type(templates: dict[str, PlanTemplate]) -> None:
    slots = schedule(templates["event"].cycle(7), start=TUESDAY, allowed_channels=["wecom_1v1", "group", "moments", "sms"])
    video_step = next(s for s in slots if "preview" in s.purpose)
    assert (video_step.channel, video_step.content_type) == ("moments", "copy")


def test_send_times_follow_the_time_zone() -> None:
    tokyo = schedule([step(0, "sms")], start=TUESDAY, allowed_channels=ALL, timezone="Asia/Tokyo")
    ny = schedule([step(0, "sms")], start=TUESDAY, allowed_channels=ALL, timezone="America/New_York")
    assert tokyo[0].send_at_iso == "2026-12-01T02:00:00Z" and ny[0].send_at_iso == "2026-12-01T16:00:00Z"
    with pytest.raises(UsageError, match="unknown time zone"):
        schedule([step(0, "sms")], start=TUESDAY, allowed_channels=ALL, timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("prefs", "weekdays", "at"),
    [
        (["weekend"], {4}, time(12, 0)),
        (["fri 12:00"], {4}, time(12, 0)),
        (["weekday evening"], {0, 1, 2, 3, 4}, time(19, 30)),
        (["周五 中午"], {4}, time(12, 0)),
        (["金曜 19:00"], {4}, time(19, 0)),
        (["09:45"], None, time(9, 45)),
        ([], None, None),
    ],
)
def test_time_preferences_parse(prefs: list[str], weekdays: set[int] | None, at: time | None) -> None:
    p = parse_time_preferences(prefs)
    assert (set(p.weekdays) if p.weekdays else None) == weekdays and p.at == at


@pytest.mark.parametrize("bad", ["someday", "25:00", "fri at noonish"])
def test_bad_time_preference_says_the_accepted_forms(bad: str) -> None:
    with pytest.raises(UsageError, match="preferred time"):
        parse_time_preferences([bad])


def test_quiet_hours_parse() -> None:
    assert parse_quiet_hours("22:00-07:30") == (time(22, 0), time(7, 30))
    with pytest.raises(UsageError, match="HH:MM-HH:MM"):
        parse_quiet_hours("late")
