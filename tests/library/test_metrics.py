"""Dashboard figures against a real library: the workflow run on a controlled clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from contentgen.kernel.errors import UsageError
from library import Library, metrics
from library.plans import save_plan, submit_plan

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = 86400.0


class Clock:
    """Stands in for library._db.now in the modules that stamp rows, so times are the test's."""

    def __init__(self) -> None:
        self.at = NOW

    def set(self, day: int, hour: int = 12) -> None:
        self.at = datetime(2026, 3, day, hour, 0, tzinfo=UTC)

    def __call__(self) -> str:
        return self.at.isoformat(timespec="microseconds").replace("+00:00", "Z")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock()
    for module in ("library.store", "library.batch_save", "library.plans"):
        monkeypatch.setattr(f"{module}.now", c)
    yield c


@dataclass
class _Slot:
    seq: int
    channel: str
    send_at_iso: str
    day: int = 1
    local_date: date = date(2026, 3, 20)
    local_time: time = time(10, 0)
    content_type: str = "push"
    purpose: str = "reactivate"
    prompt: str = "push.reactivate"


@dataclass
class _Request:
    objective: str = "reactivate"
    segment: str = "dormant.mass"
    industry: str = "cosmetics"
    persona: str = "approachable"
    locale: str = "zh-CN"
    days: int = 7
    start: date = date(2026, 3, 20)
    tz: str = "Asia/Shanghai"
    channels: list[str] = field(default_factory=lambda: ["sms"])

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        return {"objective": self.objective, "segment": self.segment, "days": self.days}


@dataclass
class _Touchpoint:
    draft: Any
    slot: _Slot


@dataclass
class _Plan:
    """What save_plan reads of a generated plan (library.plans.PlanToStore), made by hand."""

    id: str
    request: _Request
    touchpoints: list[_Touchpoint]
    title: str = "沉睡唤醒 7 天"


@pytest.fixture
def seeded(lib: Library, clock: Clock, draft_factory: Callable[..., Any]) -> dict[str, str]:
    """A week of review work, all of it in the window 2026-03-04 .. 2026-03-10 (UTC) but m1."""

    def submitted(day: int, hour: int = 12, **kw: Any) -> str:
        clock.set(day, hour)
        mid = lib.save_draft(draft_factory(**kw), author="alice").material_id
        lib.submit(mid, 1, actor="alice")
        return mid

    m1 = submitted(1, 10)  # waits from before the window, approved at the first pass
    m2 = submitted(5, 9)
    clock.set(5, 15)
    lib.request_changes(m2, 1, actor="rita", reason="请补充门店地址")
    clock.set(6, 10)
    lib.edit(m2, base_version=1, content=dict(lib.get_version(m2, 1).content), actor="alice")
    lib.submit(m2, 2, actor="alice")
    clock.set(7, 10)
    lib.approve(m2, 2, actor="rita")
    clock.set(5, 10)
    lib.approve(m1, 1, actor="rita")
    clock.set(6, 11)
    lib.release(m1, 1, actor="rita")
    m3 = submitted(8, industry="finance", channel="moments", segment="active.high_value")
    clock.set(9, 12)
    lib.reject(m3, 1, actor="ray", reason="  请补充门店地址 ")  # the same reason, padded
    m4 = submitted(9, industry="finance", channel="moments")  # waits 1 day at NOW
    m5 = submitted(10, 6)  # waits 6 h at NOW
    clock.set(10, 8)
    blocked = lib.save_draft(draft_factory(blocked=True, industry="finance"), author="alice")
    overridden = lib.save_draft(draft_factory(blocked=True, industry="finance"), author="alice")
    lib.override(overridden.material_id, 1, actor="carl", justification="法务已确认")
    clock.set(9, 8)
    plan = _Plan(id="plan_test", request=_Request(), touchpoints=[
        _Touchpoint(draft_factory(), _Slot(seq=i, channel="sms", send_at_iso=f"2026-03-2{i}T02:00:00Z"))
        for i in (1, 2)])
    save_plan(lib, plan, author="alice")
    submit_plan(lib, "plan_test", actor="alice")
    clock.at = NOW
    return {"m1": m1, "m2": m2, "m3": m3, "m4": m4, "m5": m5, "blocked": blocked.material_id}


def _week() -> metrics.Window:
    return metrics.window(7, now=NOW)


def test_window_covers_whole_local_days() -> None:
    w = metrics.window(7, now=NOW, utc_offset_minutes=480)
    assert w.days[0] == "2026-03-04" and w.days[-1] == "2026-03-10" and len(w.days) == 7
    assert w.since == "2026-03-03T16:00:00.000000Z"  # local midnight at UTC+8
    late = metrics.window(1, now=datetime(2026, 3, 10, 20, 0, tzinfo=UTC), utc_offset_minutes=480)
    assert late.days == ("2026-03-11",)  # 04:00 the next morning in Shanghai
    for bad in (0, 400):
        with pytest.raises(UsageError):
            metrics.window(bad)
    with pytest.raises(UsageError):
        metrics.window(7, now=datetime(2026, 3, 10))


def test_buckets_end_today_and_cover_every_day() -> None:
    runs = metrics.buckets(metrics.window(90, now=NOW), 7)
    assert len(runs) == 13 and len(runs[0].days) == 6 and all(len(r.days) == 7 for r in runs[1:])
    assert runs[-1].days[-1] == "2026-03-10" and runs[-1].end == "2026-03-11"
    assert sum(len(r.days) for r in runs) == 90
    assert [r.start for r in metrics.buckets(metrics.window(2, now=NOW), 1)] == [
        "2026-03-09", "2026-03-10"]


def test_waiting_now_is_aged_from_entering_review(lib: Library, seeded: dict[str, str]) -> None:
    d = metrics.dashboard(lib, _week())
    assert d.waiting.samples == 2  # m4 and m5; the plan's touchpoints are not single materials
    assert d.waiting.max_seconds == pytest.approx(DAY)
    assert d.waiting.median_seconds is None  # two items: too few for a median
    plan = metrics.dashboard(lib, _week(), scope="plan")
    assert plan.waiting.samples == 2 and plan.materials == 2
    both = metrics.dashboard(lib, _week(), scope="all")
    assert both.waiting.samples == 4
    assert both.waiting.median_seconds == pytest.approx(26 * 3600)  # 6 h, 24 h, 28 h, 28 h
    assert (d.materials, both.materials) == (7, 9)


def test_waiting_per_day_replays_the_audit_trail(lib: Library, seeded: dict[str, str]) -> None:
    series = {p.day: p.value for p in metrics.dashboard(lib, _week()).waiting_per_day}
    # m1 waits from 03-01; 03-05: m2 in and out, m1 approved; 03-06 m2 back; 03-07 approved;
    # 03-08 m3 in; 03-09 m3 rejected, m4 in; 03-10 m5 in.
    assert series == {"2026-03-04": 1, "2026-03-05": 0, "2026-03-06": 1, "2026-03-07": 0,
                      "2026-03-08": 1, "2026-03-09": 1, "2026-03-10": 2}
    assert series["2026-03-10"] == metrics.dashboard(lib, _week()).waiting.samples


def test_throughput_per_day_by_action_with_zeros(lib: Library, seeded: dict[str, str]) -> None:
    rows = metrics.dashboard(lib, _week()).throughput
    assert len(rows) == 7 * len(metrics.THROUGHPUT)
    got = {(r.day, r.action): r.count for r in rows if r.count}
    assert got == {("2026-03-05", "approve"): 1, ("2026-03-05", "request_changes"): 1,
                   ("2026-03-06", "release"): 1, ("2026-03-07", "approve"): 1,
                   ("2026-03-09", "reject"): 1}


def test_local_days_move_events_across_midnight(lib: Library, seeded: dict[str, str]) -> None:
    w = metrics.window(7, now=NOW, utc_offset_minutes=-11 * 60)  # 01:00 on 03-10 locally
    got = {(r.day, r.action) for r in metrics.dashboard(lib, w).throughput if r.count}
    assert ("2026-03-04", "approve") in got  # 03-05 10:00 UTC is 03-04 23:00 there


def test_approval_and_first_pass_rates(lib: Library, seeded: dict[str, str]) -> None:
    d = metrics.dashboard(lib, _week())
    assert (d.approval.part, d.approval.whole) == (2, 4)  # 2 approvals among 4 decisions
    # First decisions: m1 approve, m2 request_changes, m3 reject -> 1 of 3 at the first pass.
    assert (d.first_pass.part, d.first_pass.whole) == (1, 3)
    assert d.first_pass.value == pytest.approx(1 / 3)
    old = metrics.window(7, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert metrics.dashboard(lib, old).first_pass.value is None  # nothing decided yet


def test_review_time_runs_from_the_last_submit(lib: Library, seeded: dict[str, str]) -> None:
    rt = metrics.dashboard(lib, _week()).review_time
    # m1 4 d, m2 6 h (first round) and 1 d (second), m3 1 d
    assert rt.samples == 4
    assert rt.median_seconds == pytest.approx(DAY)
    assert rt.max_seconds == pytest.approx(4 * DAY)


def test_blocking_rules_count_current_versions_not_overridden(lib: Library,
                                                             seeded: dict[str, str]) -> None:
    [rule] = metrics.dashboard(lib, _week()).blocking_rules
    assert (rule.rule, rule.materials) == ("finance.guaranteed_return", 1)
    assert rule.message == "promises a guaranteed return"
    fixed = {**lib.get_version(seeded["blocked"], 1).content, "body": "新品上市，回复1领取试用装。"}
    lib.edit(seeded["blocked"], base_version=1, content=fixed, actor="alice")
    assert metrics.dashboard(lib, _week()).blocking_rules == []  # the fix replaced the version


def test_reasons_are_grouped_most_common_first(lib: Library, seeded: dict[str, str]) -> None:
    [reason] = metrics.dashboard(lib, _week()).reasons
    assert (reason.reason, reason.request_changes, reason.reject, reason.total) == (
        "请补充门店地址", 1, 1, 2)


def test_breakdowns_sort_busiest_first(lib: Library, seeded: dict[str, str]) -> None:
    by = metrics.dashboard(lib, _week()).by
    industry = [(b.value, b.created, b.waiting, b.approved, b.sent_back) for b in by["industry"]]
    # cosmetics: m2, m5 created in the window (m1 before); finance: m3, m4, two blocked drafts
    assert industry == [("finance", 4, 1, 0, 1), ("cosmetics", 2, 1, 2, 1)]
    assert [b.value for b in by["channel"]] == ["sms", "moments"]  # 4 created vs 2
    segments = {b.value: b.created for b in by["segment"]}
    assert segments == {"dormant.mass": 5, "active.high_value": 1}


def test_plans_are_summarised_apart(lib: Library, seeded: dict[str, str]) -> None:
    p = metrics.dashboard(lib, _week()).plans
    assert (p.created, p.waiting, p.touchpoints_waiting) == (1, 1, 2)
    plan = metrics.dashboard(lib, _week(), scope="plan")
    assert plan.by["industry"][0].value == "cosmetics" and plan.approval.whole == 0


def test_empty_library_and_bad_arguments(lib: Library) -> None:
    d = metrics.dashboard(lib, metrics.window(30))
    assert d.materials == 0 and d.waiting.max_seconds is None and d.review_time.median_seconds is None
    assert all(p.value == 0 for p in d.waiting_per_day) and d.blocking_rules == [] == d.reasons
    with pytest.raises(UsageError):
        metrics.dashboard(lib, metrics.window(7), scope="everything")
    with pytest.raises(UsageError):
        metrics.breakdown(lib._db().conn, metrics.window(7), "persona; DROP TABLE x", "single")
