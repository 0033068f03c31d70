"""Batch generation on the queue: real PostgreSQL, real Procrastinate workers, a loopback
OpenAI-compatible provider. Nothing stands in for the queue."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from contentgen.testing import cli_main
from contentgen.testing_provider import LimitedProvider
from contentgen.usecases import batch_queue
from library import Library, batches
from tests.queue._briefs import briefs

pytestmark = pytest.mark.postgresql_only

OPTIONS = {"max_rewrites": 2, "seed": None, "timeout_s": 60.0}


def _write_briefs(path: Path, jobs: list[Any]) -> Path:
    seen: dict[str, Any] = {}
    for j in jobs:
        seen.setdefault(j.brief.key(), j.brief)
    path.write_text("".join(b.model_dump_json() + "\n" for b in seen.values()), encoding="utf-8")
    return path


def _work(url: str, **kw: Any) -> batch_queue.WorkerState:
    return asyncio.run(batch_queue.run_worker(url, wait=False, concurrency=4, **kw))


def _draft_keys(lib: Library) -> list[str]:
    return [r[0] for r in lib._db().conn.execute("SELECT draft_key FROM materials ORDER BY draft_key")]


def test_a_queued_batch_is_generated_once_saved_and_a_rerun_resumes_it(
        pg_url: str, provider: LimitedProvider, lib: Library, tmp_path: Path) -> None:
    path = _write_briefs(tmp_path / "briefs.jsonl", briefs(6))
    args = ("generate", "--briefs", str(path), "--variants", "2", "--as", "olga", "--queue", "--db", pg_url)
    code, out, err = cli_main(*args, "--no-wait")
    assert code == 0, err
    batch_id = out.strip()
    assert "12 drafts queued, 12 in the batch" in err and batch_id.startswith("bat_")
    # Progress is in the database, for any host: nothing has run yet.
    code, out, _ = cli_main("batch", "status", batch_id, "--format", "json", "--db", pg_url)
    assert json.loads(out)["queued"] == 12 and code == 0

    _work(pg_url)
    p = batches.progress(lib, batch_id)
    assert (p.done, p.failed, p.complete) == (12, 0, True)
    keys = _draft_keys(lib)
    assert len(keys) == 12 == len(set(keys))  # one material per (brief, variant)
    assert {i.material_id for i in batches.items(lib, batch_id)} == set(lib.saved_keys(keys).values())
    assert {lib.get_version(i.material_id, 1).author for i in batches.items(lib, batch_id)} == {"olga"}

    # The same command again: the same batch, nothing to queue, complete at once.
    code, out, err = cli_main(*args, "--format", "json")
    assert code == 0, err
    assert f"batch {batch_id}: 0 drafts queued" in err and "complete: 12 done" in err
    assert {r["status"] for r in json.loads(out)} == {"done"}
    assert _draft_keys(lib) == keys
    code, out, _ = cli_main("batch", "list", "--db", pg_url)
    assert batch_id in out and "complete: 12 done" in out


def test_a_poison_brief_ends_failed_with_its_reason_and_the_rest_is_done(
        pg_url: str, provider: LimitedProvider, lib: Library) -> None:
    queued = batch_queue.enqueue(lib, briefs(4, poison=2), as_user="olga", options=OPTIONS, source="t")
    requests_before = provider.stats()["requests"]
    _work(pg_url)
    p = batches.progress(lib, queued.batch.id)
    assert (p.done, p.failed) == (3, 1)
    (bad,) = batches.items(lib, queued.batch.id, "failed")
    assert bad.source == "briefs:3" and "not a valid" in (bad.error or "")
    assert bad.starts == batch_queue.MAX_STARTS  # retried, but a bounded number of times
    # Three good drafts (one request each) and three starts of the poison one (answer + repair).
    assert provider.stats()["requests"] - requests_before == 3 + 2 * batch_queue.MAX_STARTS
    code, _, err = cli_main("batch", "status", queued.batch.id, "--db", pg_url)
    assert code == 1 and "briefs:3" in err and "not a valid" in err


def test_a_provider_outage_is_retried_by_the_queue(pg_url: str, provider: LimitedProvider, lib: Library) -> None:
    provider.fail_next(4)  # every request-level retry of the first draft's first start fails
    queued = batch_queue.enqueue(lib, briefs(1), as_user="olga", options=OPTIONS, source="t")
    asyncio.run(batch_queue.run_worker(pg_url, wait=False, concurrency=1))
    (item,) = batches.items(lib, queued.batch.id)
    assert (item.status, item.starts) == ("done", 2)
    assert provider.stats()["failed"] == 4


def test_a_worker_killed_mid_draft_loses_nothing_and_duplicates_nothing(
        pg_url: str, provider: LimitedProvider, lib: Library, tmp_path: Path) -> None:
    provider.latency = 1.5  # drafts in flight when the worker dies
    queued = batch_queue.enqueue(lib, briefs(3, variants=2), as_user="olga", options=OPTIONS, source="t")
    log = tmp_path / "worker.log"
    with log.open("wb") as err:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "contentgen"), "worker", "--concurrency", "3",
             "--stalled-after", "2", "--db", pg_url], env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 60
            while batches.progress(lib, queued.batch.id).running < 3:
                assert time.monotonic() < deadline and worker.poll() is None, log.read_text()
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
    assert batches.progress(lib, queued.batch.id).running == 3  # left running by the dead worker
    provider.latency = 0.02
    _work(pg_url, stalled_s=2.0, heartbeat_s=0.5)  # finds the dead worker's jobs and retries them
    p = batches.progress(lib, queued.batch.id)
    assert (p.done, p.failed) == (6, 0)
    keys = _draft_keys(lib)
    assert len(keys) == 6 == len(set(keys))
    assert sorted(i.starts for i in batches.items(lib, queued.batch.id)).count(2) >= 3


def _worker(pg_url: str, log: Any, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(Path(sys.executable).parent / "contentgen"), "worker", "--db", pg_url, *args],
                            env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=log)


def test_two_worker_processes_share_one_rate_limit(
        pg_url: str, provider: LimitedProvider, lib: Library, tmp_path: Path) -> None:
    provider.limit(600)  # 10 a second; each worker alone would go as fast as that
    queued = batch_queue.enqueue(lib, briefs(30, variants=2), as_user="olga", options=OPTIONS, source="t")
    log = tmp_path / "workers.log"
    with log.open("wb") as err:
        workers = [_worker(pg_url, err, "--until-empty", "--rpm", "600", "--concurrency", "4", "--name", f"w{i}")
                   for i in (1, 2)]
        codes = [w.wait(timeout=120) for w in workers]
    assert codes == [0, 0], log.read_text()
    p = batches.progress(lib, queued.batch.id)
    assert (p.done, p.failed) == (60, 0)
    stats = provider.stats()
    assert stats["throttled"] == 0, log.read_text()  # together they stayed under the limit
    assert stats["requests"] == 60
    assert stats["last_at"] - stats["first_at"] >= 59 * 0.1 * 0.9  # and went at it, not faster
    by_worker = {r[0] for r in lib._db().conn.execute(
        "SELECT worker FROM batch_items WHERE batch_id = ?", [queued.batch.id])}
    assert by_worker == {"w1", "w2"}, "both workers took drafts"
    assert "waited" in log.read_text() and "0 429s" in log.read_text()
