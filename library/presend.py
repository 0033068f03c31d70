"""A pre-send score: the outcome rates a draft may expect, read from how similar content did
with the same segment on the same channel, with an interval and the past items it rests on.

    score = presend(lib, text="好久不见…", locale="zh-CN", segment="dormant.mass", channel="sms")
    score.estimates["clicked"].rate      # None when there is no history, or too little
    score.evidence[0].similarity         # the nearest past version first
    score.note                           # "no history" / "not enough history" / None

Similarity is contentgen.kernel.similarity's cosine of character 2- and 3-gram counts. The
k nearest versions above MIN_SIMILARITY are pooled, each recipient counted by its version's
similarity, and a 95% Wilson interval is taken on the pooled counts. Fewer than MIN_REACHED
weighted recipients: the neighbours are shown, but no rate.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contentgen.kernel.similarity import cosine, grams
from library.bandit import wilson
from library.performance import MIN_REACHED, by_version

if TYPE_CHECKING:
    from library.store import Library

METRICS: tuple[str, ...] = ("clicked", "replied", "converted", "unsubscribed")
NEIGHBOURS = 5
MIN_SIMILARITY = 0.2
NO_HISTORY = "no history"
THIN = "not enough history"


@dataclass(frozen=True)
class Neighbour:
    material_id: str
    version: int
    title: str
    similarity: float
    reached: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Estimate:
    metric: str
    weighted_reached: float  # recipients counted by their version's similarity
    rate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class PresendScore:
    segment: str | None
    channel: str
    estimates: dict[str, Estimate]
    evidence: list[Neighbour]  # most similar first
    note: str | None  # NO_HISTORY, THIN, or None when the rates stand


def _estimate(metric: str, near: list[Neighbour], min_reached: int) -> Estimate:
    trials = sum(n.similarity * n.reached for n in near)
    hits = sum(n.similarity * n.counts[metric] for n in near)
    if trials < min_reached:
        return Estimate(metric, trials, None, None, None)
    low, high = wilson(hits, trials)  # weighted counts: fractional
    return Estimate(metric, trials, hits / trials, low, high)


def presend(lib: Library | sqlite3.Connection, *, text: str, locale: str, segment: str | None, channel: str,
            exclude: str | None = None, k: int = NEIGHBOURS, min_reached: int = MIN_REACHED) -> PresendScore:
    """The score of `text` against past versions of the same locale, segment and channel
    (`exclude`: a material id whose own history must not count, the draft's own)."""
    mine = grams(text)
    scored = []
    for v in by_version(lib, locale=locale, segment=segment, channel=channel):
        if v.material_id == exclude:
            continue
        sim = cosine(mine, grams(v.text))
        if sim >= MIN_SIMILARITY:
            scored.append(Neighbour(v.material_id, v.version, v.title, round(sim, 4), v.reached, v.counts))
    near = sorted(scored, key=lambda n: (-n.similarity, -n.reached, n.material_id, n.version))[:k]
    estimates = {m: _estimate(m, near, min_reached) for m in METRICS}
    note = NO_HISTORY if not near else None if any(e.rate is not None for e in estimates.values()) else THIN
    return PresendScore(segment, channel, estimates, near, note)
