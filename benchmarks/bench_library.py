"""Library benchmarks, each a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_library.py [--materials 100000]

Part 1 (inserts): Library.save_drafts of N materials (material + version 1 + audit event +
search index, in committed batches) against raw sqlite-utils `insert_all` of the same rows
(all four tables, built beforehand by the library's own row builder) into a database migrated
the same way (same indexes, FTS table, triggers) on the same connection settings, so the ratio
measures the library layer's overhead, not the cost of indexes it needs. Target: ratio >= 0.5.
Part 2 (HTTP, added by the delivery API): register more parts in PARTS.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentgen.kernel.report import ComplianceReport  # noqa: E402
from contentgen.kernel.schemas import (  # noqa: E402
    Brief,
    Draft,
    ModelInfo,
    PushContent,
    SendWindow,
    content_text,
)
from contentgen.usecases import open_library  # noqa: E402
from library import migrations  # noqa: E402
from library._db import Connections  # noqa: E402
from library.batch_save import build_rows  # noqa: E402
from library.store import SYSTEM_ROLE  # noqa: E402

BODIES = ["好久不见，新品氨基酸洁面乳上市，回复1领取试用装。回T退订",
          "新しい洗顔料のご案内です。詳しくはこちら。配信停止はSTOP",
          "Our gentle cleanser is back: reply 1 for a free sample. Reply STOP to opt out"]
LOCALES = ["zh-CN", "ja-JP", "en-US"]
BATCH = 500  # drafts per committed transaction, library and baseline alike


def make_drafts(n: int) -> list[Draft]:
    drafts = []
    for i in range(n):
        locale = LOCALES[i % 3]
        brief = Brief(industry="cosmetics", segment="dormant.mass", content_type="push",
                      channel="sms", locale=locale, product="cleanser")
        content = PushContent(body=f"{BODIES[i % 3]} #{i}",
                              send_window=SendWindow(start="10:00", end="20:00"))
        drafts.append(Draft(
            key=f"bench-{i}", variant=1, brief=brief, content=content, text=content_text(content),
            prompt_ref="push.reactivate@1+abc", model=ModelInfo(provider="offline", name="offline",
                                                               offline=True),
            compliance=ComplianceReport(verdict="pass", locale=locale, channel="sms"),
        ))
    return drafts


def raw_rows(drafts: list[Draft]) -> dict[str, list[dict[str, Any]]]:
    """Table -> every row one save writes (material, version, audit, search), outside the timing."""
    rows = build_rows(drafts, author="bench", role=SYSTEM_ROLE, plan_id=None, send_at=None,
                      tags=[], first_seq=1)
    return rows.as_dicts()


def bench_inserts(n: int, workdir: Path) -> dict[str, float]:
    drafts = make_drafts(n)
    tables = raw_rows(drafts)

    # Same schema (migrations) and connection settings (WAL, synchronous=FULL, foreign keys,
    # cache) as the library, and the same commit unit: one transaction per BATCH drafts. (Bare
    # insert_all commits every ~50-row chunk, and would mostly time fsyncs, not our overhead.)
    conns = Connections(workdir / "raw.db")
    db = conns.db()
    db.enable_wal()
    migrations.apply(db)
    t0 = time.perf_counter()
    for start in range(0, n, BATCH):
        with db.atomic():
            for table, rows in tables.items():
                db[table].insert_all(rows[start:start + BATCH], batch_size=BATCH)
    raw_s = time.perf_counter() - t0
    assert db["materials"].count == n and db["material_search"].count == n
    conns.close()

    lib = open_library(workdir / "lib.db")
    t0 = time.perf_counter()
    saved = lib.save_drafts(drafts, author="bench", batch_size=BATCH)
    lib_s = time.perf_counter() - t0
    assert len(saved) == n and lib.list(limit=1).total == n
    lib.close()
    return {"raw_per_s": n / raw_s, "library_per_s": n / lib_s, "ratio": raw_s / lib_s}


def part_inserts(args: argparse.Namespace, workdir: Path) -> bool:
    r = bench_inserts(args.materials, workdir)
    print(f"inserts: {args.materials:,} materials  library {r['library_per_s']:,.0f}/s  "
          f"raw sqlite-utils {r['raw_per_s']:,.0f}/s  ratio {r['ratio']:.2f} (target >= 0.5)")
    return r["ratio"] >= 0.5


# name -> function(args, workdir) -> met its target; the HTTP half registers here.
PARTS: dict[str, Callable[[argparse.Namespace, Path], bool]] = {"inserts": part_inserts}

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _parts import run_parts  # noqa: E402
from api_http import part_http  # noqa: E402  (the delivery API's HTTP half, benchmarks/api_http.py)

PARTS["http"] = part_http


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=100_000)
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args(argv)
    return run_parts(PARTS, args)


if __name__ == "__main__":
    sys.exit(main())
