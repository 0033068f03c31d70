"""Wilson intervals, Thompson sampling, the holdout, and variant slots in the library."""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.report import ComplianceReport, Finding
from library import Library, bandit, slots
from library.bandit import Arm
from library.errors import NotFoundError, PermissionDenied
from library.outcomes import OutcomeEventIn, RecipientRefused, ingest
from library.rescan import rescan
from tests.outcome_data import h, released


@pytest.fixture
def variants(lib: Library, draft_factory: Any) -> list[str]:
    return [released(lib, draft_factory, body=f"久违了，新品洁面乳回来了，第{i}版。") for i in range(3)]


def click(mid: str, recipient: str, n: int, *, at: datetime | None = None, kind: str = "clicked",
          version: int = 1) -> OutcomeEventIn:
    return OutcomeEventIn(id=f"e-{mid}-{recipient[:8]}-{kind}-{n}", material_id=mid, version=version,
                          channel="sms", recipient=recipient, type=kind,  # type: ignore[arg-type]
                          at=at or datetime.now(UTC))


# ---- the arithmetic ---------------------------------------------------------------------------


def test_wilson_matches_the_textbook_values() -> None:
    low, high = bandit.wilson(30, 1000)
    assert (round(low, 4), round(high, 4)) == (0.0211, 0.0425)
    assert bandit.wilson(0, 10)[0] == 0.0 and round(bandit.wilson(0, 10)[1], 4) == 0.2775
    assert bandit.wilson(10, 10)[1] == 1.0
    assert bandit.wilson(0, 0) == (0.0, 1.0)


def test_thompson_favours_the_better_arm_and_still_tries_an_unseen_one() -> None:
    rng = random.Random(7)
    arms = {"a": Arm(2000, 20), "b": Arm(2000, 100)}
    wins = Counter(bandit.thompson(arms, ["a", "b"], rng) for _ in range(500))
    assert wins["b"] >= 495
    with_new = Counter(bandit.thompson(arms, ["a", "b", "new"], rng) for _ in range(500))
    assert with_new["new"] > 300  # Beta(1, 1) beats a 5% arm most of the time: new variants get tried


def test_the_holdout_is_a_fixed_share_and_uniform() -> None:
    share = sum(bandit.in_holdout("slot_x", h(i), 0.1) for i in range(20_000)) / 20_000
    assert 0.09 < share < 0.11
    assert bandit.in_holdout("slot_x", h(1), 0.1) == bandit.in_holdout("slot_x", h(1), 0.1)
    rng = random.Random(3)
    counts = Counter(bandit.choose(["c", "a", "b"], {"a": Arm(1000, 500)}, holdout=True, rng=rng)
                     for _ in range(3000))
    assert all(900 < counts[k] < 1100 for k in "abc"), counts


# ---- creating slots ---------------------------------------------------------------------------


def test_a_slot_holds_approved_variants_of_one_brief(lib: Library, draft_factory: Any,
                                                     variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants, metric="clicked", actor="alice")
    assert slot.variants == tuple(variants) and slot.channel == "sms" and slot.holdout == 0.1
    assert slots.get_slot(lib, slot.id) == slot and slots.list_slots(lib) == [slot]
    assert any(e.action == "slot_create" and slot.id in (e.reason or "") for e in lib.audit_log())
    approved = lib.save_draft(draft_factory(), author="alice").material_id
    lib.submit(approved, 1, actor="alice")
    lib.approve(approved, 1, actor="rita")
    assert slots.create_slot(lib, [variants[0], approved], metric="replied", actor="rita").variants[1] == approved


@pytest.mark.parametrize("case,message", [
    ("one", "2 to 20 different materials"), ("draft", "approved or released variants only"),
    ("channel", "share their channel"), ("metric", "unknown metric"), ("holdout", "between 0 and 0.5"),
])
def test_a_slot_refuses_what_is_not_variants_of_one_approved_brief(
        lib: Library, draft_factory: Any, variants: list[str], case: str, message: str) -> None:
    kw: dict[str, Any] = {"metric": "clicked", "actor": "alice"}
    mids = variants[:2]
    if case == "one":
        mids = [variants[0], variants[0]]
    elif case == "draft":
        mids = [variants[0], lib.save_draft(draft_factory(), author="alice").material_id]
    elif case == "channel":
        mids = [variants[0], released(lib, draft_factory, channel="moments")]
    elif case == "metric":
        kw["metric"] = "liked"
    else:
        kw["holdout"] = 0.9
    with pytest.raises(Exception, match=message):
        slots.create_slot(lib, mids, **kw)
    with pytest.raises(PermissionDenied, match="may not create slots"):
        slots.create_slot(lib, variants, metric="clicked", actor="carl")
    with pytest.raises(NotFoundError):
        slots.create_slot(lib, [variants[0], "mat_nope"], metric="clicked", actor="alice")


# ---- picking ----------------------------------------------------------------------------------


def _picks(lib: Library, slot_id: str) -> list[tuple[Any, ...]]:
    return lib._db().conn.execute("SELECT recipient, material_id, version, holdout FROM slot_picks"
                                  " WHERE slot_id = ? ORDER BY id", [slot_id]).fetchall()


def test_a_pick_is_stable_per_recipient_and_recorded_once(lib: Library, variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants, metric="clicked", actor="alice")
    conn = lib._db().conn
    first = slots.pick(conn, slot, h(1))
    assert first is not None and first.new and first.released.id in variants
    for _ in range(5):
        again = slots.pick(conn, slot, h(1))
        assert again is not None and not again.new and again.released.id == first.released.id
    assert _picks(lib, slot.id) == [(h(1), first.released.id, 1, int(first.holdout))]


def test_holdout_recipients_are_allocated_uniformly_the_rest_by_the_bandit(
        lib: Library, variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants, metric="clicked", actor="alice", holdout=0.3)
    conn = lib._db().conn
    # Counts that make variants[2] the clear winner: the bandit sends it nearly everyone.
    arms = {variants[0]: Arm(5000, 50), variants[1]: Arm(5000, 60), variants[2]: Arm(5000, 400)}
    rng = random.Random(11)
    got = [slots.pick(conn, slot, h(i), arms=arms, rng=rng) for i in range(1500)]
    held = Counter(p.released.id for p in got if p is not None and p.holdout)
    bandit_side = Counter(p.released.id for p in got if p is not None and not p.holdout)
    assert 0.26 < sum(held.values()) / 1500 < 0.34
    assert all(110 < held[m] < 200 for m in variants), held
    assert bandit_side[variants[2]] / sum(bandit_side.values()) > 0.99
    assert len(_picks(lib, slot.id)) == 1500


def test_retiring_a_variant_removes_it_at_once(lib: Library, variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants[:2], metric="clicked", actor="alice")
    conn = lib._db().conn
    first = slots.pick(conn, slot, h(1))
    assert first is not None
    lib.retire(first.released.id, actor="rita")
    other = next(m for m in variants[:2] if m != first.released.id)
    for i in range(30):
        got = slots.pick(conn, slot, h(i))
        assert got is not None and got.released.id == other
    assert (h(1), other, 1, 0) in _picks(lib, slot.id) or (h(1), other, 1, 1) in _picks(lib, slot.id)
    lib.retire(other, actor="rita")
    assert slots.pick(conn, slot, h(1)) is None


def test_a_withdrawn_variant_is_never_picked_and_a_new_release_replaces_the_version(
        lib: Library, variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants[:2], metric="clicked", actor="alice")
    conn = lib._db().conn

    class Blocks:
        def packs(self, scope: Any) -> frozenset[tuple[str, str]]:
            return frozenset({("test.pack", "2")})

        def check(self, content: Any, scope: Any) -> ComplianceReport:
            if "第0版" not in content.model_dump_json():
                return ComplianceReport(verdict="pass")
            return ComplianceReport(verdict="block", findings=[Finding(
                rule="test.blocked", severity="error", start=0, end=1, match="第", message="blocked")])

    rescan(lib, engine=Blocks())
    assert all(slots.pick(conn, slot, h(i)).released.id == variants[1] for i in range(20))  # type: ignore[union-attr]
    n = lib.edit(variants[1], base_version=1, content={"body": "久违了，洁面乳第二版。",
                 "send_window": {"start": "10:00", "end": "20:00"}}, actor="alice").version
    lib.submit(variants[1], n, actor="alice")
    lib.approve(variants[1], n, actor="rita")
    lib.release(variants[1], n, actor="rita")
    again = slots.pick(conn, slot, h(1))
    assert again is not None and again.new and (again.released.id, again.released.version) == (variants[1], 2)


def test_a_pick_refuses_a_recipient_that_is_not_a_hash(lib: Library, variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants[:2], metric="clicked", actor="alice")
    for value in ("13812345678", "ana@example.com", "王小明"):
        with pytest.raises(RecipientRefused) as e:
            slots.pick(lib._db().conn, slot, value)
        assert value not in str(e.value)


# ---- attribution ------------------------------------------------------------------------------


def test_outcomes_attribute_to_the_picked_variant_only(lib: Library, variants: list[str]) -> None:
    slot = slots.create_slot(lib, variants[:2], metric="clicked", actor="alice", holdout=0.0)
    conn = lib._db().conn
    rng = random.Random(5)
    by_variant: dict[str, list[str]] = {m: [] for m in variants[:2]}
    for i in range(80):
        got = slots.pick(conn, slot, h(i), arms={}, rng=rng)
        assert got is not None
        by_variant[got.released.id].append(h(i))
    a, b = variants[:2]
    events = [click(a, r, 0) for r in by_variant[a][:10]]
    events += [click(b, r, 0) for r in by_variant[a][:10]]  # clicked B without being given B
    events += [click(b, r, 0, kind="replied") for r in by_variant[b]]  # not the slot's metric
    events += [click(b, r, 0, at=datetime.now(UTC) - timedelta(days=3)) for r in by_variant[b][:5]]
    events += [click(b, r, 1) for r in by_variant[b][:4]] + [click(b, r, 2) for r in by_variant[b][:4]]
    ingest(conn, events, source="test")
    arms = slots.arm_stats(conn, slot)
    assert arms[a] == Arm(len(by_variant[a]), 10)
    # Clicks from before the pick (3 days ago) are not the slot's; two clicks are one recipient.
    assert arms[b] == Arm(len(by_variant[b]), 4)
    report = slots.report(lib, slot, min_n=10)
    row = {v["material_id"]: v for v in report["variants"]}
    assert row[a]["clicked"] == 10 and row[a]["rate"] == pytest.approx(10 / len(by_variant[a]))
    assert row[a]["lift_vs_others"] == pytest.approx(
        (10 / len(by_variant[a])) / (4 / len(by_variant[b])) - 1)
    thin = slots.report(lib, slot, min_n=1000)["variants"][0]
    assert thin["rate"] is None and thin["note"].startswith("not enough data yet")


def test_the_benchmark_runs_end_to_end_at_a_tiny_size(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_bandit.py"
    spec = importlib.util.spec_from_file_location("bench_bandit", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--sends", "400", "--runs", "1", "--events", "1000"])  # too small to meet targets
    out = capsys.readouterr().out
    assert "policy: 1 runs x 400 sends" in out and "bandit/oracle" in out
    assert "the slot's report counts" in out and "(equal)" in out
    assert "ingest: 1,000 events" in out and "raw inserts" in out
