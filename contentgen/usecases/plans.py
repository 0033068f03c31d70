"""Creating a service-cycle plan: the calendar around what other live plans already send to
the same segment, every touchpoint generated and checked, then (with a library) stored for
review as a unit.

    created = create_plan(req, settings=settings, lib=lib, as_user="olga", on_progress=bar)
    created.plan.calendar(); created.stored.id if created.stored else None
    outcome = act_on_plan(lib, plan_id, "approve", actor="rita")   # review as a unit
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contentgen.generate import Generator
from contentgen.kernel.calendar import Send
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import UsageError
from contentgen.plans import GeneratedPlan, PlanRequest, generate_plan, plan_schedule
from contentgen.usecases.drafts import author_for
from contentgen.usecases.learning import lessons
from library import plans as store
from library.plans import (  # the plan's reads and single-touchpoint steps, for faces
    PlanOutcome,
    StoredPlan,
    edit_touchpoint,
    get_plan,
    list_plans,
    review_touchpoint,
    save_plan,
    scheduled_sends,
    touchpoint,
    unit_approval_summary,
)
from library.store import Library


@dataclass
class CreatedPlan:
    plan: GeneratedPlan
    stored: StoredPlan | None  # None when no library was given (not saved)


def _existing(lib: Library | None, req: PlanRequest) -> list[Send]:
    return scheduled_sends(lib, req.segment) if lib is not None else []


def schedule(req: PlanRequest, *, settings: Settings, lib: Library | None = None) -> tuple[Any, list[Any]]:
    """The template and calendar slots only (a dry run): problems show before any generation."""
    return plan_schedule(req, settings=settings, existing=_existing(lib, req))


def create_plan(req: PlanRequest, *, settings: Settings, lib: Library | None = None,
                as_user: str | None = None, learn: bool = True,
                on_progress: Callable[[int, int], None] | None = None) -> CreatedPlan:
    """Generate every touchpoint; with a library, store the plan as `as_user` (who must exist
    and may author; nobody named is the system author). The author is checked first. With a
    library and `learn`, each touchpoint is shown what worked before for its audience."""
    author = author_for(lib, as_user) if lib is not None else None
    generator = Generator(settings, lessons=lessons(lib)) if lib is not None and learn else None
    plan = generate_plan(req, settings=settings, existing=_existing(lib, req), on_progress=on_progress,
                         generator=generator)
    stored = save_plan(lib, plan, author=author) if lib is not None and author else None
    return CreatedPlan(plan, stored)


UNIT_ACTIONS = ("submit", "approve", "release")


def act_on_plan(lib: Library, plan_id: str, action: str, *, actor: str, reason: str | None = None,
                include_warnings: bool = False) -> PlanOutcome:
    """One step on every touchpoint it applies to: submit the drafts, approve the clean ones in
    review (warnings too only with include_warnings), release the approved ones."""
    if action == "submit":
        return store.submit_plan(lib, plan_id, actor=actor)
    if action == "approve":
        return store.approve_plan(lib, plan_id, actor=actor, reason=reason,
                                  include_warnings=include_warnings)
    if action == "release":
        return store.release_plan(lib, plan_id, actor=actor)
    raise UsageError(f"unknown plan action {action!r}; choose one of: {', '.join(UNIT_ACTIONS)}")


__all__ = ["CreatedPlan", "PlanOutcome", "StoredPlan", "act_on_plan", "create_plan", "edit_touchpoint",
           "get_plan", "list_plans", "review_touchpoint", "schedule", "touchpoint",
           "unit_approval_summary"]
