"""Service-cycle plan templates: data in prompts/plans/*.yaml, one file per objective.

    templates = load_templates(settings.prompts_dir / "plans")
    tpl = find_template(templates, "reactivate")
    steps = tpl.cycle(15)            # -> list[TouchpointSpec]

Each touchpoint names a day offset, the channels it may go out on (first choice first;
the scheduler falls back along the list), a content type, its purpose in the story and the
prompt family that writes it. A channel that does not take the content type uses its own
first content type (a video script falls back to a moments post, for instance).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contentgen.kernel import vocab
from contentgen.kernel.errors import PlanError, UnknownIdentifierError

CYCLE_LENGTHS: tuple[int, ...] = (7, 15)

# What a touchpoint does in the story. The purpose text says it to a real model; the kind says
# it to the offline writer and to the tests (a check-in sells nothing, a benefit names its deadline).
TOUCHPOINT_KINDS: tuple[str, ...] = (
    "re_presence", "welcome", "intro", "check_in", "news", "teaser", "community", "guide", "follow_up",
    "story", "behind_scenes", "benefit", "reminder", "social_proof", "recap", "preference_check",
    "thank_you", "insight", "invitation", "event_details", "upgrade", "restock",
)  # fmt: skip
# Kinds that may carry the offer and a buying call to action; every other kind sells nothing.
SELLING_KINDS: frozenset[str] = frozenset({"benefit", "reminder", "event_details", "invitation", "upgrade", "restock"})
# Kinds whose message is built around a date: the plan passes its benefit deadline to them.
DEADLINE_KINDS: frozenset[str] = frozenset({"benefit", "reminder", "event_details", "invitation"})
_NOTE = re.compile(r"\[touchpoint kind=(?P<kind>[a-z_]+)(?: deadline=(?P<deadline>\d{4}-\d{2}-\d{2}))?\]")


def touchpoint_note(kind: str, deadline: date | None) -> str:
    """The machine-readable line a plan puts in a touchpoint brief's notes."""
    return f"[touchpoint kind={kind}" + (f" deadline={deadline.isoformat()}" if deadline else "") + "]"


def parse_touchpoint_note(notes: str | None) -> tuple[str | None, date | None]:
    """The kind and deadline a plan wrote into notes (None, None for a brief outside a plan)."""
    m = _NOTE.search(notes or "")
    if not m or m["kind"] not in TOUCHPOINT_KINDS:
        return None, None
    return m["kind"], date.fromisoformat(m["deadline"]) if m["deadline"] else None


class TouchpointSpec(BaseModel):
    """One step of a template: when, where, what and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: int = Field(ge=0, description="offset from the plan's start date")
    channels: tuple[str, ...] = Field(min_length=1)
    content_type: str
    prompt: str = Field(min_length=1, description="prompt family, passed as Brief.objective")
    purpose: str = Field(min_length=1, max_length=500)
    kind: str = Field(default="news", description="what the step does: one of TOUCHPOINT_KINDS")
    anchor: bool = Field(default=False, description="the step that asks: moved to the preferred weekday")
    images: int | None = Field(default=None, ge=0, description="images the post needs (copy only)")

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for c in v:
            if c not in vocab.CHANNELS:
                raise ValueError(f"unknown channel {c!r}; choose one of: {', '.join(vocab.CHANNELS)}")
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in TOUCHPOINT_KINDS:
            raise ValueError(f"unknown touchpoint kind {v!r}; choose one of: {', '.join(TOUCHPOINT_KINDS)}")
        return v

    @model_validator(mode="after")
    def _content_type_fits(self) -> TouchpointSpec:
        if self.content_type not in vocab.CONTENT_TYPES:
            raise ValueError(f"unknown content type {self.content_type!r}")
        if self.content_type not in vocab.CHANNEL_CONTENT_TYPES[self.channels[0]]:
            raise ValueError(
                f"content type {self.content_type!r} does not go out on {self.channels[0]!r}, "
                "the first channel of the touchpoint"
            )
        return self

    def content_type_on(self, channel: str) -> str:
        """The content type this step takes on one of its channels."""
        allowed = vocab.CHANNEL_CONTENT_TYPES[channel]
        return self.content_type if self.content_type in allowed else allowed[0]


class PlanTemplate(BaseModel):
    """An objective and its touchpoint sequences for 7 and 15 days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    objective: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: dict[str, str]
    description: str = ""
    lifecycles: tuple[str, ...] = ()
    requires: tuple[Literal["offer", "selling_points", "interests"], ...] = ()
    cycles: dict[int, tuple[TouchpointSpec, ...]]
    path: str = ""

    @field_validator("lifecycles")
    @classmethod
    def _lifecycles(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for lc in v:
            if lc not in vocab.LIFECYCLES:
                raise ValueError(f"unknown lifecycle {lc!r}; choose one of: {', '.join(vocab.LIFECYCLES)}")
        return v

    @model_validator(mode="after")
    def _cycles_fit(self) -> PlanTemplate:
        if not self.cycles:
            raise ValueError("cycles: give at least one cycle (7 or 15 days)")
        for days, steps in self.cycles.items():
            if days not in CYCLE_LENGTHS:
                raise ValueError(f"cycle of {days} days: cycles are {' or '.join(map(str, CYCLE_LENGTHS))} days")
            if not steps:
                raise ValueError(f"cycle {days}: no touchpoints")
            for s in steps:
                if s.day >= days:
                    raise ValueError(f"cycle {days}: touchpoint on day {s.day} falls outside days 0..{days - 1}")
        return self

    def cycle(self, days: int) -> tuple[TouchpointSpec, ...]:
        if days not in self.cycles:
            have = ", ".join(str(d) for d in sorted(self.cycles))
            raise PlanError(f"template {self.objective!r} has no {days}-day cycle; it has: {have}")
        return self.cycles[days]

    def title_in(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("en-US") or self.objective


_CACHE: dict[tuple[str, tuple[tuple[str, float], ...]], dict[str, PlanTemplate]] = {}


def load_templates(plans_dir: str | Path) -> dict[str, PlanTemplate]:
    """All templates by objective; files starting with '_' are data, not templates."""
    root = Path(plans_dir)
    if not root.is_dir():
        raise PlanError(f"no plan templates folder at {root}; create it with one YAML file per objective")
    files = sorted(p for p in root.glob("*.yaml") if not p.name.startswith("_"))
    stamp = (str(root.resolve()), tuple((p.name, p.stat().st_mtime) for p in files))
    if stamp in _CACHE:
        return _CACHE[stamp]
    templates: dict[str, PlanTemplate] = {}
    for path in files:
        tpl = _load_one(path)
        if tpl.objective in templates:
            raise PlanError(f"{path}: objective {tpl.objective!r} is already defined in {templates[tpl.objective].path}")
        templates[tpl.objective] = tpl
    if not templates:
        raise PlanError(f"no plan templates in {root}; add e.g. reactivate.yaml")
    _CACHE[stamp] = templates
    return templates


def _load_one(path: Path) -> PlanTemplate:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise PlanError(f"{path}{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: expected a mapping with objective, title and cycles")
    try:
        return PlanTemplate(**data, path=str(path))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first.get("loc", ()))
        raise PlanError(f"{path}: {loc}: {first.get('msg', '').removeprefix('Value error, ')}") from None
    except TypeError as e:
        raise PlanError(f"{path}: {e}") from None


def find_template(templates: dict[str, PlanTemplate], objective: str) -> PlanTemplate:
    if objective not in templates:
        raise UnknownIdentifierError("plan objective", objective, sorted(templates))
    return templates[objective]


def default_product(plans_dir: str | Path, industry: str, locale: str) -> str:
    """The product a plan talks about when none is given (prompts/plans/_products.yaml)."""
    path = Path(plans_dir) / "_products.yaml"
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    per_locale = (data or {}).get(industry) or {}
    product = per_locale.get(locale) or per_locale.get("en-US")
    if not product:
        raise PlanError(f"no default product for {industry} in {path}; pass --product")
    return str(product)
