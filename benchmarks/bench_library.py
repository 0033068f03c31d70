"""Library benchmarks, each a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_library.py [--materials 100000]

Part 1 (inserts): Library.save_drafts of N materials (material + version 1 + audit event +
search index, in committed batches) against raw sqlite-utils `insert_all` of the same
material and version rows into plain tables. Target: ratio >= 0.5.
Part 2 (HTTP, added by the delivery API): register more parts in PARTS.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentgen.compliance.report import ComplianceReport  # noqa: E402
from contentgen.schemas import (  # noqa: E402
    Brief,
    Draft,
    ModelInfo,
    PushContent,
    SendWindow,
    content_text,
)
from library import Library  # noqa: E402
from library._db import dumps, new_material_id, now  # noqa: E402

BODIES = ["好久不见，新品氨基酸洁面乳上市，回复1领取试用装。回T退订",
          "新しい洗顔料のご案内です。詳しくはこちら。配信停止はSTOP",
          "Our gentle cleanser is back: reply 1 for a free sample. Reply STOP to opt out"]
LOCALES = ["zh-CN", "ja-JP", "en-US"]


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


def raw_rows(drafts: list[Draft]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same material and version rows the library writes, built outside the timing."""
    materials, versions = [], []
    for d in drafts:
        mid, at, b = new_material_id(), now(), d.brief
        materials.append({"id": mid, "draft_key": d.key, "industry": b.industry,
                          "segment": b.segment, "persona": b.persona,
                          "content_type": b.content_type, "channel": b.channel,
                          "locale": b.locale, "tags": "[]", "title": d.text[:60],
                          "status": "draft", "current_version": 1, "verdict": "pass",
                          "finding_count": 0, "created_by": "bench", "created_at": at,
                          "updated_at": at})
        versions.append({"material_id": mid, "version": 1, "status": "draft",
                         "content": dumps(d.content.model_dump(mode="json")), "text": d.text,
                         "title": d.text[:60], "source": "generated", "prompt_ref": d.prompt_ref,
                         "model": dumps(d.model.model_dump()), "parameters": "{}",
                         "brief": dumps(b.model_dump(mode="json")),
                         "compliance": dumps(d.compliance.model_dump(mode="json")),
                         "verdict": "pass", "author": "bench", "created_at": at})
    return materials, versions


def bench_inserts(n: int, workdir: Path) -> dict[str, float]:
    drafts = make_drafts(n)
    materials, versions = raw_rows(drafts)

    db = sqlite_utils.Database(workdir / "raw.db")
    db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")
    t0 = time.perf_counter()
    db["materials"].insert_all(materials, batch_size=500)
    db["versions"].insert_all(versions, batch_size=500)
    raw_s = time.perf_counter() - t0
    db.close()

    lib = Library.open(workdir / "lib.db")
    t0 = time.perf_counter()
    saved = lib.save_drafts(drafts, author="bench", batch_size=500)
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
from api_http import part_http  # noqa: E402  (the delivery API's HTTP half, benchmarks/api_http.py)

PARTS["http"] = part_http


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=100_000)
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or PARTS:
            part_dir = Path(tmp) / name
            part_dir.mkdir()
            ok = PARTS[name](args, part_dir) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
