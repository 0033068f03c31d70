"""Service-cycle plans: one customer group, one objective, 7 or 15 days of touchpoints.

    req = PlanRequest(segment="dormant.high_value", objective="reactivate", days=15,
                      industry="finance", persona="professional", start=date(2026, 12, 1))
    plan = generate_plan(req)                  # schedule, then generate every touchpoint
    # library.plans.save_plan(lib, plan, author="alice") stores it for review as a unit

The touchpoints are generated in send order; each brief carries what the earlier ones said
(`Brief.previous_messages`) and its own purpose, so the plan reads as one story, and a
touchpoint that repeats an earlier one is regenerated (then refused) rather than sent twice.
"""

from __future__ import annotations

import asyncio
import difflib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contentgen.kernel import vocab
from contentgen.kernel.calendar import Send
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import (
    ChannelLimitError,
    ContentgenError,
    PlanConstraintError,
    PlanError,
    UsageError,
    validation_message,
)
from contentgen.kernel.schemas import (
    Brief,
    Channel,
    Draft,
    Industry,
    Locale,
    Persona,
    ProductType,
    SegmentId,
    channel_problems,
)
from contentgen.plan_schedule import (
    DEFAULT_TIMEZONES,
    WEEKDAY_NAMES,
    ContactPolicy,
    ScheduledTouchpoint,
    parse_quiet_hours,
    parse_time_preferences,
    schedule,
    zone,
)
from contentgen.plan_templates import (
    CYCLE_LENGTHS,
    DEADLINE_KINDS,
    PlanTemplate,
    default_product,
    find_template,
    load_templates,
    touchpoint_note,
)

__all__ = [
    "GeneratedPlan",
    "PlanConstraintError",
    "PlanRequest",
    "PlannedTouchpoint",
    "generate_plan",
    "new_plan_id",
    "plan_schedule",
    "plans_dir",
]

SIMILARITY_LIMIT = 0.85  # above this two touchpoints "say the same thing"
MAX_ATTEMPTS = 3  # variants tried before a repeated touchpoint is refused
# Per earlier touchpoint: the whole of a chat message or post, so no later one repeats a sentence
# of it; a long article's first part (its lead and first sections) is enough to refer back.
_PREVIOUS_CHARS = 2000


def plans_dir(settings: Settings) -> Path:
    return settings.prompts_dir / "plans"


def new_plan_id() -> str:
    return "plan_" + secrets.token_hex(5)


class PlanRequest(BaseModel):
    """What a salesperson asks for: who, which objective, how long, where, in whose voice."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    segment: SegmentId
    objective: str
    days: int = 7
    industry: Industry
    persona: Persona = "approachable"
    channels: list[Channel] = Field(default_factory=lambda: list(vocab.CHANNELS))
    locale: Locale = "zh-CN"
    start: date
    product: str | None = Field(default=None, max_length=200)
    product_type: ProductType | None = Field(default=None, description="deposit, fund, insurance, drug, health_food...")
    selling_points: list[str] = Field(default_factory=list, max_length=10)
    offer: str | None = Field(default=None, max_length=2000)
    interests: list[str] = Field(default_factory=list, max_length=10)
    preferred_times: list[str] = Field(default_factory=list, max_length=10)
    touch_model: str | None = None
    timezone: str | None = None
    quiet_hours: str | None = Field(default=None, description="HH:MM-HH:MM, local time")
    name: str | None = Field(default=None, max_length=200)

    @field_validator("days")
    @classmethod
    def _days(cls, v: int) -> int:
        if v not in CYCLE_LENGTHS:
            raise ValueError(f"a service cycle is {' or '.join(map(str, CYCLE_LENGTHS))} days, not {v}")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("give at least one channel")
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _parse_checks(self) -> PlanRequest:
        parse_time_preferences(self.preferred_times)  # UsageError with the accepted forms
        if self.quiet_hours:
            parse_quiet_hours(self.quiet_hours)
        zone(self.tz)
        return self

    @property
    def tz(self) -> str:
        return self.timezone or DEFAULT_TIMEZONES[self.locale]

    def policy(self) -> ContactPolicy:
        if not self.quiet_hours:
            return ContactPolicy()
        start, end = parse_quiet_hours(self.quiet_hours)
        return ContactPolicy(quiet_start=start, quiet_end=end)

    @classmethod
    def parse(cls, **data: Any) -> PlanRequest:
        """Build from loose input (CLI, UI); a bad value is one readable UsageError."""
        try:
            return cls(**data)
        except ValidationError as e:
            raise UsageError(validation_message(e)) from None


@dataclass
class PlannedTouchpoint:
    slot: ScheduledTouchpoint
    brief: Brief
    draft: Draft


@dataclass
class GeneratedPlan:
    """A scheduled, generated plan, not yet stored."""

    id: str
    request: PlanRequest
    template: PlanTemplate
    touchpoints: list[PlannedTouchpoint] = field(default_factory=list)

    @property
    def title(self) -> str:
        r = self.request
        return r.name or f"{self.template.title_in(r.locale)} · {r.segment} · {r.days}d"

    def calendar(self) -> list[dict[str, Any]]:
        """One row per touchpoint, as `plan show` and the Plans page list them."""
        return [
            {
                "seq": t.slot.seq,
                "day": t.slot.day,
                "date": t.slot.local_date.isoformat(),
                "weekday": WEEKDAY_NAMES[t.slot.local_date.weekday()][:3],
                "time": t.slot.local_time.strftime("%H:%M"),
                "send_at": t.slot.send_at_iso,
                "channel": t.slot.channel,
                "content_type": t.slot.content_type,
                "purpose": t.slot.purpose,
                "verdict": t.draft.compliance.verdict,
                "title": t.draft.text.split("\n", 1)[0][:60],
                "material_id": t.draft.material_id,
            }
            for t in self.touchpoints
        ]


def plan_schedule(
    request: PlanRequest, *, settings: Settings | None = None, existing: list[Send] | tuple[Send, ...] = ()
) -> tuple[PlanTemplate, list[ScheduledTouchpoint]]:
    """The calendar only (no generation): which touchpoint goes out when and where."""
    settings = settings or Settings.load()
    template = find_template(load_templates(plans_dir(settings)), request.objective)
    missing = [k for k in template.requires if not getattr(request, k)]
    if missing:
        flags = ", ".join("--" + k.replace("_", "-") for k in missing)
        raise UsageError(f"the {template.objective} plan needs {flags}: its touchpoints are written around it")
    slots = schedule(
        template.cycle(request.days),
        start=request.start,
        allowed_channels=request.channels,
        prefs=parse_time_preferences(request.preferred_times),
        policy=request.policy(),
        timezone=request.tz,
        existing=existing,
    )
    return template, slots


def generate_plan(
    request: PlanRequest,
    *,
    settings: Settings | None = None,
    generator: Any = None,
    existing: list[Send] | tuple[Send, ...] = (),
    plan_id: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> GeneratedPlan:
    """Schedule the plan, then generate and check every touchpoint in send order."""
    settings = settings or Settings.load()
    template, slots = plan_schedule(request, settings=settings, existing=existing)
    if generator is None:
        from contentgen.generate import Generator

        generator = Generator(settings)
    product = request.product or default_product(plans_dir(settings), request.industry, request.locale)
    plan = GeneratedPlan(plan_id or new_plan_id(), request, template)
    asyncio.run(_generate_all(plan, slots, product, generator, on_progress))
    return plan


async def _generate_all(
    plan: GeneratedPlan,
    slots: list[ScheduledTouchpoint],
    product: str,
    generator: Any,
    on_progress: Callable[[int, int], None] | None,
) -> None:
    from contentgen.generate import Job

    for slot in slots:
        brief = _brief(plan, slot, product, slots)
        draft: Draft | None = None
        fallback: Draft | None = None
        twin: PlannedTouchpoint | None = None
        for variant in range(1, MAX_ATTEMPTS + 1):
            try:
                candidate = await generator.draft(Job(brief, variant, MAX_ATTEMPTS, f"plan {plan.id} #{slot.seq}"))
            except ContentgenError as e:
                raise _generation_error(slot, e) from None
            twin, same_text = _repeats(candidate, plan.touchpoints)
            if twin is None:
                draft = candidate
                break
            if not same_text and fallback is None:
                fallback = candidate  # only the headline repeats: acceptable if nothing better comes
        draft = draft or fallback
        if draft is None:
            assert twin is not None
            raise PlanConstraintError(
                "coherence",
                f"touchpoint {slot.seq} (day {slot.day}, {slot.channel}) says the same thing as "
                f"touchpoint {twin.slot.seq} (day {twin.slot.day}) after {MAX_ATTEMPTS} attempts; "
                "make their purposes differ in the plan template",
            )
        problems = channel_problems(draft.content, slot.channel, plan.request.locale)
        if problems:
            raise PlanConstraintError("channel limits", f"touchpoint {slot.seq} (day {slot.day}): " + "; ".join(problems))
        # One plan's touchpoint is its own material even if another plan asked the same.
        draft = draft.model_copy(update={"key": f"{plan.id}-{slot.seq}"})
        plan.touchpoints.append(PlannedTouchpoint(slot, brief, draft))
        if on_progress:
            on_progress(len(plan.touchpoints), len(slots))


def _brief(plan: GeneratedPlan, slot: ScheduledTouchpoint, product: str, slots: list[ScheduledTouchpoint]) -> Brief:
    r = plan.request
    earlier = [
        f"day {t.slot.day} ({t.slot.channel}): {t.draft.text[:_PREVIOUS_CHARS]}" for t in plan.touchpoints
    ][-30:]
    kind = _kind(plan.template, r.days, slot)
    # The benefit's deadline is the cycle's last day: the reminders count down to it.
    deadline = r.start + timedelta(days=r.days - 1) if kind in DEADLINE_KINDS else None
    notes = (
        f"Touchpoint {slot.seq} of {len(slots)} in the {r.days}-day service-cycle plan "
        f"'{plan.template.title_in('en-US')}' (day {slot.day}, "
        f"{WEEKDAY_NAMES[slot.local_date.weekday()]} {slot.local_time:%H:%M}). "
        f"Purpose: {slot.purpose}"
        + (f" The benefit ends on {deadline.isoformat()}: name that date." if deadline else "")
        + " This message continues the earlier ones: it may refer to them but must not repeat what "
        "they said, sentence or phrase. " + touchpoint_note(kind, deadline)
    )
    try:
        return Brief(
            industry=r.industry,
            segment=r.segment,
            persona=r.persona,
            content_type=slot.content_type,
            channel=slot.channel,
            locale=r.locale,
            product=product,
            product_type=r.product_type,
            selling_points=r.selling_points,
            offer=r.offer,
            interests=r.interests,
            preferred_times=r.preferred_times,
            preferred_channels=r.channels,
            touch_model=r.touch_model,
            objective=slot.prompt,
            notes=notes[:2000],
            previous_messages=earlier,
        )
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first.get("loc", ()))
        raise UsageError(f"touchpoint {slot.seq}: {loc}: {first.get('msg', '')}") from None


def _kind(template: PlanTemplate, days: int, slot: ScheduledTouchpoint) -> str:
    """The template step's kind for a scheduled slot (the schedule keeps purpose and prompt, not the step)."""
    for step in template.cycle(days):
        if (step.purpose, step.prompt) == (slot.purpose, slot.prompt):
            return step.kind
    return "news"


def _repeats(draft: Draft, earlier: list[PlannedTouchpoint]) -> tuple[PlannedTouchpoint | None, bool]:
    """The earlier touchpoint this one repeats, and whether the whole text (not just the headline) does."""
    headline = draft.text.split("\n", 1)[0].strip()
    same_headline = None
    for t in earlier:
        if difflib.SequenceMatcher(None, t.draft.text, draft.text, autojunk=False).ratio() > SIMILARITY_LIMIT:
            return t, True
        if same_headline is None and t.draft.text.split("\n", 1)[0].strip() == headline:
            same_headline = t
    return same_headline, False


def _generation_error(slot: ScheduledTouchpoint, e: ContentgenError) -> PlanError:
    where = f"touchpoint {slot.seq} (day {slot.day}, {slot.channel}/{slot.content_type})"
    if isinstance(e, ChannelLimitError):
        return PlanConstraintError("channel limits", f"{where}: {e}")
    return PlanError(f"{where} could not be generated, so the plan is incomplete: {e}")
