"""The arithmetic of the learning loop: Wilson intervals, Thompson sampling, the holdout bucket.

    wilson(30, 1000)                       # (0.0211, 0.0426): a 95% interval for 3.0%
    choose(["mat_a", "mat_b"], {"mat_a": Arm(trials=900, successes=20)}, rng=rng)
    in_holdout("slot_x", "9f86d081…", share=0.1)   # the same answer for the same recipient, always

Pure functions, no database: the pick path (library.slots) and the benchmark
(benchmarks/bench_bandit.py) run exactly this code.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95%


@dataclass(frozen=True)
class Arm:
    """What is known of one variant: recipients it was picked for, and how many of them did it."""

    trials: int = 0
    successes: int = 0


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial rate; stays inside [0, 1] and sane at 0 or n."""
    if n <= 0:
        return (0.0, 1.0)
    k = min(max(successes, 0), n)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Exact at the ends (rounding would leave 0.9999999999999999 for 10 of 10).
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return (low, high)


def thompson(arms: Mapping[str, Arm], candidates: Sequence[str], rng: random.Random) -> str:
    """One draw from each candidate's Beta(1 + successes, 1 + failures); the highest wins.

    A variant with no data draws from Beta(1, 1), i.e. uniformly: new variants get tried.
    """
    best, best_draw = candidates[0], -1.0
    for c in candidates:
        arm = arms.get(c, Arm())
        failures = max(arm.trials - arm.successes, 0)
        draw = rng.betavariate(1 + max(arm.successes, 0), 1 + failures)
        if draw > best_draw:
            best, best_draw = c, draw
    return best


def bucket(slot_id: str, recipient: str) -> float:
    """A recipient's fixed place in [0, 1) for this slot: a hash, so no state is needed."""
    digest = hashlib.sha256(f"{slot_id}\x00{recipient}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_holdout(slot_id: str, recipient: str, share: float) -> bool:
    return bucket(slot_id, recipient) < share


def choose(candidates: Sequence[str], arms: Mapping[str, Arm], *, holdout: bool,
           rng: random.Random) -> str:
    """The variant for one new assignment: uniform in the holdout, Thompson sampling otherwise."""
    if not candidates:
        raise ValueError("no candidate variant")
    ordered = sorted(candidates)  # the draw must not depend on the order ids came from the db
    if holdout:
        return ordered[rng.randrange(len(ordered))]
    return thompson(arms, ordered, rng)
