"""When and where each touchpoint of a plan goes out, under the contact policy.

    prefs = parse_time_preferences(["weekend"])        # weekend buyer -> Friday around noon
    steps = schedule(tpl.cycle(7), start=date(2026, 12, 1), allowed_channels=["sms", "moments"],
                     prefs=prefs, policy=ContactPolicy(), timezone="Asia/Shanghai")

A plan that cannot keep the policy raises PlanConstraintError naming the constraint and the
touchpoint; it never drops a touchpoint to make the rest fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contentgen.kernel import vocab
from contentgen.kernel.calendar import Send
from contentgen.kernel.errors import PlanConstraintError, UsageError
from contentgen.plan_templates import TouchpointSpec

STRONGEST = max(vocab.CHANNEL_INTENSITY.values())
DEFAULT_TIMEZONES = {"zh-CN": "Asia/Shanghai", "ja-JP": "Asia/Tokyo", "en-US": "America/New_York"}
# When each channel is read, absent a customer preference, and how often it may go out: each
# channel's file says (channels/<id>.yaml, `schedule`).
CHANNEL_SEND_TIMES: dict[str, time] = {c.id: c.schedule.send_at for c in vocab.CHANNEL_REGISTRY}
DEFAULT_MONTHLY_CAPS: dict[str, int] = {
    c.id: c.schedule.monthly_cap for c in vocab.CHANNEL_REGISTRY if c.schedule.monthly_cap is not None
}
# The weights as the budget message lists them, heaviest first: "wecom_1v1=3, sms/group/...=2, ...".
_WEIGHTS = ", ".join(
    "/".join(c for c, w in vocab.CHANNEL_INTENSITY.items() if w == weight) + f"={weight}"
    for weight in sorted(set(vocab.CHANNEL_INTENSITY.values()), reverse=True)
)
_BASE = date(2000, 1, 3)  # any ordinary day: clock arithmetic on times of day
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ContactPolicy:
    """Frequency caps, quiet hours and intensity budget per customer (all customers of a segment)."""

    quiet_start: time = time(21, 30)
    quiet_end: time = time(8, 30)
    max_per_day: int = 2
    daily_cap_per_channel: int = 1  # e.g. at most one group send a day
    monthly_caps: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MONTHLY_CAPS))
    strongest_gap_days: int = 3  # 1:1 disturbs most: days between two strongest-channel sends
    intensity_budget_7d: int = 14  # sum of CHANNEL_INTENSITY over any 7 consecutive days
    anchor_flex_days: int = 3  # how far the asking touchpoint may move to a preferred weekday

    def quiet(self, t: time) -> bool:
        if self.quiet_start > self.quiet_end:  # overnight, the usual case
            return t >= self.quiet_start or t < self.quiet_end
        return self.quiet_start <= t < self.quiet_end

    @property
    def quiet_label(self) -> str:
        return f"{self.quiet_start:%H:%M}-{self.quiet_end:%H:%M}"


def parse_quiet_hours(text: str) -> tuple[time, time]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not m:
        raise UsageError(f"quiet hours {text!r}: write them as HH:MM-HH:MM, e.g. 21:30-08:30")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise UsageError(f"quiet hours {text!r}: not valid times of day") from None


@dataclass(frozen=True)
class TimePreference:
    """Weekdays (0=Monday) and a time of day the customer group prefers; None = no preference."""

    weekdays: frozenset[int] | None = None
    at: time | None = None
    source: tuple[str, ...] = ()


_DAYS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("mon", "monday", "周一", "星期一", "月", "月曜", "月曜日"),
        ("tue", "tues", "tuesday", "周二", "星期二", "火", "火曜", "火曜日"),
        ("wed", "wednesday", "周三", "星期三", "水", "水曜", "水曜日"),
        ("thu", "thur", "thurs", "thursday", "周四", "星期四", "木", "木曜", "木曜日"),
        ("fri", "friday", "周五", "星期五", "金", "金曜", "金曜日"),
        ("sat", "saturday", "周六", "星期六", "土", "土曜", "土曜日"),
        ("sun", "sunday", "周日", "星期日", "星期天", "日", "日曜", "日曜日"),
    ]
):
    for _n in _names:
        _DAYS[_n] = _i
_PARTS_OF_DAY = {
    "morning": time(9, 30), "上午": time(9, 30), "朝": time(9, 30),
    "noon": time(12, 0), "lunch": time(12, 0), "中午": time(12, 0), "昼": time(12, 0),
    "afternoon": time(15, 0), "下午": time(15, 0), "午後": time(15, 0),
    "evening": time(19, 30), "晚上": time(19, 30), "夜": time(19, 30),
}
_WEEKEND = {"weekend", "weekends", "周末", "週末", "weekend_buyer"}
_WEEKDAYS = {"weekday", "weekdays", "工作日", "平日"}


def parse_time_preferences(prefs: list[str] | tuple[str, ...]) -> TimePreference:
    """'fri 12:00', 'weekend', 'weekday evening', '19:30', '周五 中午' -> TimePreference.

    A weekend buyer hears from us on Friday around noon (the seeds' rule), so 'weekend'
    means Friday, and noon unless a time is given.
    """
    days: set[int] = set()
    at: time | None = None
    weekend = False
    for pref in prefs:
        for token in re.split(r"[\s,，、]+", pref.strip().lower()):
            if not token:
                continue
            if token in _WEEKEND:
                weekend = True
                days.add(4)
            elif token in _WEEKDAYS:
                days.update(range(5))
            elif token in _DAYS:
                days.add(_DAYS[token])
            elif token in _PARTS_OF_DAY:
                at = at or _PARTS_OF_DAY[token]
            elif m := re.fullmatch(r"(\d{1,2}):(\d{2})", token):
                try:
                    at = at or time(int(m.group(1)), int(m.group(2)))
                except ValueError:
                    raise UsageError(f"preferred time {pref!r}: {token} is not a time of day") from None
            else:
                raise UsageError(
                    f"preferred time {pref!r}: did not understand {token!r}; use a weekday and/or "
                    "HH:MM, e.g. 'fri 12:00', 'weekend', 'weekday evening', '19:30'"
                )
    if weekend and at is None:
        at = time(12, 0)
    return TimePreference(frozenset(days) if days else None, at, tuple(prefs))


@dataclass(frozen=True)
class ScheduledTouchpoint:
    """A template step placed on the calendar: day, local time, UTC send time, channel."""

    seq: int
    day: int
    local_date: date
    local_time: time
    send_at: datetime  # aware, UTC
    channel: str
    content_type: str
    prompt: str
    purpose: str
    anchor: bool = False

    @property
    def send_at_iso(self) -> str:
        return self.send_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai") from None


def schedule(
    steps: tuple[TouchpointSpec, ...] | list[TouchpointSpec],
    *,
    start: date,
    allowed_channels: list[str] | tuple[str, ...],
    prefs: TimePreference | None = None,
    policy: ContactPolicy | None = None,
    timezone: str = "Asia/Shanghai",
    existing: list[Send] | tuple[Send, ...] = (),
) -> list[ScheduledTouchpoint]:
    """Place every step or raise PlanConstraintError; the result is in send order."""
    prefs = prefs or TimePreference()
    policy = policy or ContactPolicy()
    tz = zone(timezone)
    if prefs.at is not None and policy.quiet(prefs.at):
        raise PlanConstraintError(
            "quiet hours",
            f"the segment's preferred time {prefs.at:%H:%M} falls in quiet hours {policy.quiet_label}; "
            f"choose a time between {policy.quiet_end:%H:%M} and {policy.quiet_start:%H:%M}",
        )
    span = max((s.day for s in steps), default=0) + 1
    # On a shared day the asking step goes first, so it gets the preferred time itself.
    placed_days = [(_target_day(s, start, span, prefs, policy), not s.anchor, i) for i, s in enumerate(steps)]
    ledger = _Ledger(policy, [(e.at.astimezone(tz).date(), e.channel) for e in existing])
    out: list[ScheduledTouchpoint] = []
    for seq, (day, _, i) in enumerate(sorted(placed_days), 1):
        step = steps[i]
        local = start + timedelta(days=day)
        channel = _choose_channel(step, day, local, allowed_channels, ledger, policy)
        at = _send_time(channel, prefs, policy, [t.local_time for t in out if t.local_date == local])
        ledger.add(local, channel)
        out.append(
            ScheduledTouchpoint(
                seq=seq,
                day=day,
                local_date=local,
                local_time=at,
                send_at=datetime.combine(local, at, tzinfo=tz).astimezone(UTC),
                channel=channel,
                content_type=step.content_type_on(channel),
                prompt=step.prompt,
                purpose=step.purpose,
                anchor=step.anchor,
            )
        )
    return out


def _label(step: TouchpointSpec, day: int) -> str:
    short = step.purpose if len(step.purpose) <= 60 else step.purpose[:57] + "..."
    return f"day {day} touchpoint ({short!r})"


def _target_day(step: TouchpointSpec, start: date, span: int, prefs: TimePreference, policy: ContactPolicy) -> int:
    """The asking step moves to the nearest preferred weekday; the others keep their day."""
    if not step.anchor or not prefs.weekdays:
        return step.day
    day = _preferred_day(step.day, start, span, prefs.weekdays, policy.anchor_flex_days)
    if day is not None:
        return day
    wanted = " or ".join(WEEKDAY_NAMES[d] for d in sorted(prefs.weekdays))
    better = [
        s for k in range(1, 7) for s in (start + timedelta(days=k), start - timedelta(days=k))
        if _preferred_day(step.day, s, span, prefs.weekdays, policy.anchor_flex_days) is not None
    ]
    hint = f"; e.g. start on {better[0].isoformat()} ({WEEKDAY_NAMES[better[0].weekday()]})" if better else ""
    raise PlanConstraintError(
        "time preference",
        f"{_label(step, step.day)} should reach the segment on {wanted} ({', '.join(prefs.source)}), "
        f"but no {wanted} falls within {policy.anchor_flex_days} days of day {step.day} inside the "
        f"{span}-day plan starting {start.isoformat()} ({WEEKDAY_NAMES[start.weekday()]}){hint}",
    )


def _preferred_day(day: int, start: date, span: int, weekdays: frozenset[int], flex: int) -> int | None:
    for delta in _nearest(flex):
        d = day + delta
        if 0 <= d < span and (start + timedelta(days=d)).weekday() in weekdays:
            return d
    return None


def _nearest(flex: int) -> list[int]:
    out = [0]
    for k in range(1, flex + 1):
        out += [-k, k]
    return out


def _send_time(channel: str, prefs: TimePreference, policy: ContactPolicy, taken: list[time]) -> time:
    at = prefs.at or CHANNEL_SEND_TIMES[channel]
    if policy.quiet(at):  # a channel default inside custom quiet hours: just before they start
        at = (datetime.combine(_BASE, policy.quiet_start) - timedelta(minutes=30)).time()
        if policy.quiet(at):
            raise PlanConstraintError("quiet hours", f"quiet hours {policy.quiet_label} leave no time to send")
    while at in taken:  # two sends the same day do not arrive together
        later = (datetime.combine(_BASE, at) + timedelta(minutes=90)).time()
        at = later if not policy.quiet(later) and later > at else (
            datetime.combine(_BASE, at) - timedelta(minutes=90)
        ).time()
    return at


class _Ledger:
    """Sends placed so far (and already scheduled elsewhere), by local date and channel."""

    def __init__(self, policy: ContactPolicy, sends: list[tuple[date, str]]) -> None:
        self.policy = policy
        self.sends = list(sends)
        self.preexisting = len(sends)

    def add(self, day: date, channel: str) -> None:
        self.sends.append((day, channel))

    def problem(self, day: date, channel: str) -> tuple[str, str] | None:
        """(constraint, reason) the send would break, or None."""
        p = self.policy
        same_day = [c for d, c in self.sends if d == day]
        if same_day.count(channel) >= p.daily_cap_per_channel:
            return ("frequency cap", f"{channel} already has {same_day.count(channel)} send(s) on "
                    f"{day.isoformat()}; at most {p.daily_cap_per_channel} per customer per day")
        if len(same_day) >= p.max_per_day:
            return ("frequency cap", f"{day.isoformat()} already has {len(same_day)} sends "
                    f"({', '.join(same_day)}); at most {p.max_per_day} per customer per day")
        strongest = vocab.CHANNEL_REGISTRY.strongest
        if strongest(channel):
            for d, c in self.sends:
                if strongest(c) and abs((d - day).days) < p.strongest_gap_days:
                    return ("channel intensity", f"{channel} is the strongest channel and {c} already "
                            f"goes out on {d.isoformat()}; keep {p.strongest_gap_days} days between them")
        for w in range(7):
            lo = day - timedelta(days=w)
            total = vocab.CHANNEL_INTENSITY[channel] + sum(
                vocab.CHANNEL_INTENSITY[c] for d, c in self.sends if lo <= d < lo + timedelta(days=7)
            )
            if total > p.intensity_budget_7d:
                return ("channel intensity", f"adding {channel} makes the 7 days from {lo.isoformat()} "
                        f"weigh {total}; the budget is {p.intensity_budget_7d} ({_WEIGHTS})")
        cap = p.monthly_caps.get(channel)
        if cap is not None:
            for w in range(30):
                lo = day - timedelta(days=w)
                n = sum(1 for d, c in self.sends if c == channel and lo <= d < lo + timedelta(days=30))
                if n + 1 > cap:
                    elsewhere = f" (counting {self.preexisting} sends already scheduled for this segment)" \
                        if self.preexisting else ""
                    return ("monthly cap", f"{channel} would reach {n + 1} sends in the 30 days from "
                            f"{lo.isoformat()}; the cap is {cap}{elsewhere}")
        return None


def _choose_channel(
    step: TouchpointSpec,
    day: int,
    local: date,
    allowed: list[str] | tuple[str, ...],
    ledger: _Ledger,
    policy: ContactPolicy,
) -> str:
    """The first of the step's channels that the plan allows and that keeps every constraint."""
    candidates = [c for c in step.channels if c in allowed]
    if not candidates:
        raise PlanConstraintError(
            "channels",
            f"{_label(step, day)} goes out on {' or '.join(step.channels)}, and the plan allows only "
            f"{', '.join(allowed) or 'no channel'}; add one of them to --channels",
        )
    reasons: list[tuple[str, str]] = []
    for channel in candidates:
        problem = _limit_problem(step, channel) or ledger.problem(local, channel)
        if problem is None:
            return channel
        reasons.append(problem)
    constraint = reasons[0][0]
    detail = "; ".join(f"{c}: {r}" for c, (_, r) in zip(candidates, reasons, strict=True))
    raise PlanConstraintError(constraint, f"{_label(step, day)} cannot go out: {detail}")


def _limit_problem(step: TouchpointSpec, channel: str) -> tuple[str, str] | None:
    if step.images is not None:
        limit = vocab.channel_limit(channel, "images", "*")
        if limit is not None and step.images > limit:
            return ("channel limits", f"{channel} posts take at most {limit} images; "
                    f"the touchpoint asks for {step.images}")
    return None
