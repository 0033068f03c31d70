"""The approved content that worked best, and worst, for an audience: what the next draft of
the same industry × segment × content type × locale is shown as examples and as notes to avoid.

    lessons = exemplars(lib, industry="food", segment="dormant.mass", content_type="push",
                        locale="zh-CN", metric="clicked")
    lessons.examples, lessons.avoid      # empty lists when the data is thin

Only versions with at least `min_reached` recipients count. The group's pooled rate is the
yardstick: an example's 95% Wilson interval lies wholly above it, an "avoid" note's wholly
below, so a lucky handful of clicks is never held up as proven. Both sides are versions a
reviewer approved (approved, released or retired); a version the rescan withdrew is never
shown to the model, neither as an example nor as a note.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from contentgen.kernel.errors import UsageError
from contentgen.kernel.exemplars import Exemplar, Exemplars
from library.bandit import wilson
from library.performance import MIN_REACHED, RATES, VersionOutcome, by_version

if TYPE_CHECKING:
    from library.store import Library

APPROVED = ("approved", "released", "retired")
PER_SIDE = 2  # examples, and notes to avoid, at most


def _exemplar(v: VersionOutcome, metric: str) -> Exemplar:
    low, high = wilson(v.counts[metric], v.reached)
    return Exemplar(material_id=v.material_id, version=v.version, text=v.text, rate=v.rate(metric),
                    low=low, high=high, reached=v.reached)


def exemplars(lib: Library | sqlite3.Connection, *, industry: str, segment: str | None, content_type: str,
              locale: str, metric: str = "clicked", min_reached: int = MIN_REACHED,
              per_side: int = PER_SIDE) -> Exemplars:
    if metric not in RATES:
        raise UsageError(f"unknown metric {metric!r}; choose from: {', '.join(RATES)}")
    versions = [v for v in by_version(lib, locale=locale, industry=industry, segment=segment,
                                      content_type=content_type) if v.reached >= min_reached]
    reached = sum(v.reached for v in versions)
    pooled = sum(v.counts[metric] for v in versions) / reached if reached else 0.0
    ranked = sorted((_exemplar(v, metric) for v in versions), key=lambda e: (-e.rate, e.material_id, e.version))
    status = {(v.material_id, v.version): v.status for v in versions}
    best = [e for e in ranked if e.low > pooled and status[(e.material_id, e.version)] in APPROVED]
    worst = [e for e in reversed(ranked) if e.high < pooled and status[(e.material_id, e.version)] in APPROVED]
    return Exemplars(metric=metric, pooled_rate=pooled, examples=best[:per_side], avoid=worst[:per_side])
