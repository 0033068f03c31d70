"""The learning loop's benchmarks, each a ratio against baselines measured in the same run.

    .venv/bin/python benchmarks/bench_bandit.py [--sends 20000] [--runs 10] [--only policy|library|ingest]

policy: a simulated audience, 3 variants with true click rates 2%, 2.5% and 4%, SENDS sends per
  run. The slot's allocation (library.bandit.choose: a 10% holdout allocated uniformly, Thompson
  sampling for the rest, counts refreshed every REFRESH sends as the API's cache does) against
  uniform A/B and against the oracle that always sends the best variant. Each recipient draws
  one uniform number u and clicks variant k when u < rate(k), so the three policies meet the
  same audience. Targets: the bandit's clicks >= 0.9 of the oracle's (mean over RUNS runs) and
  ahead of uniform in every run.
library: one run of the same audience through the real pick path (library.slots.pick on a
  library file, an assignment recorded per recipient, clicks ingested as outcome events every
  REFRESH sends, slots.arm_stats re-read): the same targets, and the slot's report must count
  exactly the clicks the simulation made (attribution).
ingest: outcome events into the library (validated, checked against released versions and
  PII, idempotency checked, stored) in batches of 1,000, against raw inserts of the same rows
  into the same table. Target: >= 5,000 events/s (the issue's figure; the ratio is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentgen.kernel.report import ComplianceReport  # noqa: E402
from contentgen.kernel.schemas import Brief, Draft, ModelInfo, PushContent, SendWindow, content_text  # noqa: E402
from library import Library, bandit, outcomes, slots  # noqa: E402
from library._db import Connections  # noqa: E402
from library.bandit import Arm  # noqa: E402

RATES = {"a": 0.02, "b": 0.025, "c": 0.04}
REFRESH = 200  # sends between re-reads of the arm counts (the API caches them ~2 s)
HOLDOUT = slots.DEFAULT_HOLDOUT
BATCH = 1000


def recipient(i: int) -> str:
    return hashlib.sha256(f"bench-customer-{i}".encode()).hexdigest()


def simulate(seed: int, sends: int) -> dict[str, int]:
    """Clicks of the bandit, uniform A/B and the oracle on one simulated audience."""
    audience, draws = random.Random(seed), random.Random(seed + 10_000)
    names = sorted(RATES)
    trials, wins = dict.fromkeys(names, 0), dict.fromkeys(names, 0)
    arms: dict[str, Arm] = {}
    clicks = {"bandit": 0, "uniform": 0, "oracle": 0}
    best = max(RATES.values())
    for i in range(sends):
        u = audience.random()
        if i % REFRESH == 0:
            arms = {k: Arm(trials[k], wins[k]) for k in names}
        held = bandit.in_holdout(f"slot_sim{seed}", recipient(i), HOLDOUT)
        k = bandit.choose(names, arms, holdout=held, rng=draws)
        trials[k] += 1
        if u < RATES[k]:
            wins[k] += 1
            clicks["bandit"] += 1
        clicks["uniform"] += u < RATES[names[draws.randrange(len(names))]]
        clicks["oracle"] += u < best
    return clicks


def _verdict(bandit_clicks: list[int], uniform: list[int], oracle: list[int], label: str) -> bool:
    ratios = [b / o for b, o in zip(bandit_clicks, oracle, strict=True)]
    mean = sum(ratios) / len(ratios)
    ahead = sum(b > u for b, u in zip(bandit_clicks, uniform, strict=True))
    uni = sum(u / o for u, o in zip(uniform, oracle, strict=True)) / len(ratios)
    vs_uniform = sum(bandit_clicks) / max(sum(uniform), 1)
    print(f"{label}: bandit/oracle {mean:.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}), "
          f"uniform/oracle {uni:.3f}, bandit/uniform {vs_uniform:.2f}, ahead of uniform in "
          f"{ahead}/{len(ratios)} runs (targets: >= 0.9 of the oracle, ahead in every run)")
    return mean >= 0.9 and ahead == len(ratios)


def part_policy(args: argparse.Namespace, workdir: Path) -> bool:
    t0 = time.perf_counter()
    runs = [simulate(seed, args.sends) for seed in range(args.runs)]
    ok = _verdict([r["bandit"] for r in runs], [r["uniform"] for r in runs], [r["oracle"] for r in runs],
                  f"policy: {args.runs} runs x {args.sends:,} sends, holdout {HOLDOUT:.0%}")
    print(f"  mean clicks per run: bandit {sum(r['bandit'] for r in runs) / len(runs):.0f}, uniform "
          f"{sum(r['uniform'] for r in runs) / len(runs):.0f}, oracle {sum(r['oracle'] for r in runs) / len(runs):.0f}"
          f" ({time.perf_counter() - t0:.1f} s)")
    return ok


# ---- through the library ----------------------------------------------------------------------


def _pass(content: Any, **kw: Any) -> ComplianceReport:
    return ComplianceReport(verdict="pass")


def _released(lib: Library, n: int, tag: str) -> list[str]:
    """n released sms variants of one brief (the workflow's own steps: few, so not timed)."""
    brief = Brief(industry="cosmetics", segment="dormant.mass", content_type="push", channel="sms",
                  locale="zh-CN", product="cleanser")
    mids = []
    for i in range(n):
        content = PushContent(body=f"好久不见，新品洁面乳上市，回复1领取试用装。{tag}{i} 回T退订",
                              send_window=SendWindow(start="10:00", end="20:00"))
        draft = Draft(key=f"{tag}-{i}", variant=i + 1, brief=brief, content=content,
                      text=content_text(content), prompt_ref="push.reactivate@1+bench",
                      model=ModelInfo(provider="offline", name="offline", offline=True),
                      compliance=ComplianceReport(verdict="pass"))
        mid = lib.save_draft(draft, author="olivia").material_id
        lib.submit(mid, 1, actor="olivia")
        lib.approve(mid, 1, actor="rita")
        lib.release(mid, 1, actor="rita")
        mids.append(mid)
    return mids


def _library(workdir: Path) -> Library:
    lib = Library.open(workdir / "lib.db", checker=_pass)
    lib.users.add("olivia", "operator")
    lib.users.add("rita", "reviewer")
    return lib


def part_library(args: argparse.Namespace, workdir: Path) -> bool:
    lib = _library(workdir)
    mids = _released(lib, 3, "variant")
    rate_of = dict(zip(mids, sorted(RATES.values()), strict=True))
    slot = slots.create_slot(lib, mids, metric="clicked", actor="olivia")
    conn = lib._db().conn
    audience, draws = random.Random(1), random.Random(2)
    clicks = {"bandit": 0, "uniform": 0, "oracle": 0}
    pending: list[outcomes.OutcomeEventIn] = []
    arms: dict[str, Arm] = {}
    t0 = time.perf_counter()
    for i in range(args.sends):
        if i % REFRESH == 0:
            if pending:
                outcomes.ingest(conn, pending, source="bench")
                pending = []
            arms = slots.arm_stats(conn, slot)
        u, who = audience.random(), recipient(i)
        got = slots.pick(conn, slot, who, arms=arms, rng=draws)
        assert got is not None and got.new
        if u < rate_of[got.released.id]:
            clicks["bandit"] += 1
            pending.append(outcomes.OutcomeEventIn(
                id=f"click-{i}", material_id=got.released.id, version=got.released.version, channel="sms",
                recipient=who, type="clicked", at=datetime.now(UTC)))
        clicks["uniform"] += u < rate_of[mids[draws.randrange(3)]]
        clicks["oracle"] += u < max(RATES.values())
    if pending:
        outcomes.ingest(conn, pending, source="bench")
    spent = time.perf_counter() - t0
    reported = sum(v["clicked"] for v in slots.report(lib, slot)["variants"])
    lib.close()
    ok = _verdict([clicks["bandit"]], [clicks["uniform"]], [clicks["oracle"]],
                  f"library: {args.sends:,} picks through slots.pick")
    print(f"  clicks: bandit {clicks['bandit']}, uniform {clicks['uniform']}, oracle {clicks['oracle']}; "
          f"the slot's report counts {reported} ({'equal' if reported == clicks['bandit'] else 'DIFFERENT'}); "
          f"{args.sends / spent:,.0f} picks/s with their writes")
    return ok and reported == clicks["bandit"]


# ---- ingest -----------------------------------------------------------------------------------


def part_ingest(args: argparse.Namespace, workdir: Path) -> bool:
    lib = _library(workdir)
    mids = _released(lib, 20, "ingest")
    lib.close()
    shutil.copy(workdir / "lib.db", workdir / "raw.db")  # the same library state, for the baseline
    kinds = ("delivered", "delivered", "read", "clicked", "replied")
    stamp = datetime.now(UTC).isoformat()
    events = [{"id": f"ev-{i}", "material_id": mids[i % len(mids)], "version": 1, "channel": "sms",
               "recipient": recipient(i // len(kinds)), "type": kinds[i % len(kinds)], "at": stamp}
              for i in range(args.events)]
    batches = [events[i:i + BATCH] for i in range(0, len(events), BATCH)]

    conns = Connections(workdir / "lib.db")  # the API's settings: WAL, synchronous FULL
    conn = conns.db().conn
    rows = []
    for batch in batches:  # the rows the library stores, built outside the raw timing
        rows.append(outcomes.prepare(conn, [outcomes.OutcomeEventIn.model_validate(e) for e in batch],
                                     source="bench"))
    t0 = time.perf_counter()
    for batch in batches:
        outcomes.ingest(conn, [outcomes.OutcomeEventIn.model_validate(e) for e in batch], source="bench")
    lib_s = time.perf_counter() - t0
    assert outcomes.count(conn) == len(events)
    replay = outcomes.ingest(conn, [outcomes.OutcomeEventIn.model_validate(e) for e in batches[0]],
                             source="bench")
    assert replay.duplicates == len(batches[0]) and outcomes.count(conn) == len(events)
    conns.close()

    raw = Connections(workdir / "raw.db")
    raw_conn = raw.db().conn
    sql = outcomes.insert_sql()
    t0 = time.perf_counter()
    for chunk in rows:
        raw_conn.execute("BEGIN IMMEDIATE")
        raw_conn.executemany(sql, chunk)
        raw_conn.execute("COMMIT")
    raw_s = time.perf_counter() - t0
    assert outcomes.count(raw_conn) == len(events)
    raw.close()
    per_s = len(events) / lib_s
    print(f"ingest: {len(events):,} events in batches of {BATCH:,}  library {per_s:,.0f}/s  raw inserts "
          f"{len(events) / raw_s:,.0f}/s  ratio {raw_s / lib_s:.2f} (target >= 5,000 events/s)")
    return per_s >= 5000


PARTS: dict[str, Callable[[argparse.Namespace, Path], bool]] = {
    "policy": part_policy, "library": part_library, "ingest": part_ingest}


sys.path.insert(0, str(Path(__file__).resolve().parent))
from _parts import run_parts  # noqa: E402  (benchmarks/_parts.py)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args(argv)
    return run_parts(PARTS, args)


if __name__ == "__main__":
    sys.exit(main())
