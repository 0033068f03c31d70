"""Batch generation on a task queue every host shares: Procrastinate on the library's PostgreSQL.

    batch, queued = enqueue(lib, jobs, author="olga", options={...}, source="big.jsonl")
    await run_worker(url, concurrency=32, limits=Limits(rpm=1200))   # on each generation host
    batches.progress(lib, batch.id)                                 # from anywhere

Why Procrastinate: it keeps its jobs in the PostgreSQL the library already runs on (one
component fewer than Celery with Redis, and one backup), wakes workers with LISTEN/NOTIFY,
records worker heartbeats so a job of a killed worker can be found and retried, and has
per-job locks so two jobs for the same draft never run at once. Its tables live in their own
schema ("procrastinate"), apart from the library's.

One job is one (brief, variant), keyed like the library's draft_key:
- a worker killed mid-draft: its heartbeat stops; a live worker finds the job stalled and
  retries it; the draft is generated once, because a key already in the library is not
  generated again;
- a transient provider failure (timeouts, 5xx, 429 after the retries): the job is retried
  later, at most MAX_STARTS starts in all;
- a poison brief (one no retry can help: invalid, over its channel's limits after the
  rewrites, a bug for that input, or one that kills the worker each time): recorded failed
  with its reason, never retried forever.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.job_context import JobContext
from procrastinate.jobs import Job as QueueJob

from contentgen.generate import Generator, Job
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ChannelLimitError, ContentgenError, ProviderError, UsageError
from contentgen.kernel.rate import Limits
from contentgen.kernel.schemas import Brief
from contentgen.providers import get_model
from contentgen.providers.rate_limit import RateLimiter
from contentgen.providers.retry import status_of
from contentgen.usecases import learning
from contentgen.usecases.drafts import author_for
from contentgen.usecases.library_access import open_library
from library import batches
from library._db import dumps, is_url
from library.errors import PermissionDenied
from library.rate_limits import SharedRateStore
from library.store import Library

log = logging.getLogger("contentgen.queue")

QUEUE = "generate"
TASK = "contentgen.generate_draft"
SCHEMA = "procrastinate"  # the queue's tables, apart from the library's
MAX_STARTS = 3  # starts of one draft, retries and restarts after a killed worker included
_SCHEMA_LOCK = 0x636F6E7471  # advisory lock while the queue's schema is created


class Transient(Exception):
    """Raised from the task so that Procrastinate retries the job later."""


def _retry() -> RetryStrategy:
    # 1 s, then 3 s: the request-level retries (providers.retry) have already backed off.
    return RetryStrategy(max_attempts=MAX_STARTS, wait=1, linear_wait=2, retry_exceptions=[Transient])


def require_postgres(target: Any) -> str:
    if not is_url(target):
        raise UsageError(
            "the queue needs a PostgreSQL library (CONTENTGEN_DB=postgresql://… or --db URL); "
            f"{target} is a SQLite file: run `contentgen generate` without --queue, in this process")
    return str(target)


def on_postgres(lib: Library) -> bool:
    """Whether this library can have a queue (a SQLite file cannot)."""
    return is_url(lib.target)


def ensure_schema(url: str) -> bool:
    """Create the queue's schema once (several hosts may start at the same moment); True if
    created now."""
    from procrastinate.schema import SchemaManager

    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEMA_LOCK])
            exists = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.procrastinate_jobs"]).fetchone()
            if exists and exists[0] is not None:
                return False
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
            conn.execute(f'SET LOCAL search_path TO "{SCHEMA}"')
            conn.execute(SchemaManager.get_schema())
    return True


def queue_app(url: str, *, pool_size: int = 4) -> App:
    """The Procrastinate app on the library's database, with the one task it runs."""
    connector = PsycopgConnector(conninfo=url, kwargs={"options": f"-c search_path={SCHEMA}"},
                                 min_size=1, max_size=pool_size)
    app = App(connector=connector)
    app.task(name=TASK, queue=QUEUE, pass_context=True, retry=_retry())(generate_draft)
    return app


# ---- enqueueing ------------------------------------------------------------------------------

def batch_id_for(jobs: list[Job], author: str, options: dict[str, Any]) -> str:
    """The same briefs, author and options give the same batch: running the command again
    resumes it instead of starting a second one."""
    digest = hashlib.sha256(dumps([author, options, sorted(j.key for j in jobs)]).encode()).hexdigest()
    return f"bat_{digest[:16]}"


@dataclass(frozen=True)
class Enqueued:
    batch: batches.Batch
    queued: int  # jobs put on the queue now
    waiting: int  # items already on the queue from an earlier run of the same batch


def enqueue(lib: Library, jobs: list[Job], *, as_user: str | None, options: dict[str, Any],
            source: str) -> Enqueued:
    """Record the batch and put every item that is not done on the queue (once)."""
    url = require_postgres(lib.target)
    if not jobs:
        raise UsageError("nothing to queue: no briefs")
    author = author_for(lib, as_user)
    ensure_schema(url)
    batch_id = batch_id_for(jobs, author, options)
    items = [{"key": j.key, "variant": j.variant, "variants": j.variants,
              "brief": j.brief.model_dump(mode="json"), "source": j.source} for j in jobs]
    batch, keys = batches.create(lib, batch_id, author=author, source=source, options=options, items=items)
    return asyncio.run(_defer(url, batch, keys))


def may_retry(batch: batches.Batch, user: str, role: str) -> bool:
    """Who may queue a batch's failed drafts again: its author (the drafts are theirs), or an admin."""
    return user == batch.author or role == "admin"


def retry_failed(lib: Library, batch_id: str, *, as_user: str) -> Enqueued:
    """Put a batch's failed items on the queue again (the batch's author, or an admin)."""
    url = require_postgres(lib.target)
    batch = batches.get(lib, batch_id)
    user = lib.users.get(as_user)
    if not may_retry(batch, user.name, user.role):
        raise PermissionDenied(f"{user.name} may not retry batch {batch_id}: its drafts are "
                               f"{batch.author}'s (the author or an admin may)")
    ensure_schema(url)
    keys = batches.resume(lib, batch_id)
    return asyncio.run(_defer(url, batch, keys))


async def _defer(url: str, batch: batches.Batch, keys: list[str]) -> Enqueued:
    app = queue_app(url, pool_size=2)
    async with app.open_async():
        async with app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
            cur = await conn.execute(
                "SELECT args->>'key' FROM procrastinate_jobs WHERE task_name = %s"
                " AND status IN ('todo', 'doing') AND args->>'batch_id' = %s", [TASK, batch.id])
            on_queue = {r[0] for r in await cur.fetchall()}
        todo = [k for k in keys if k not in on_queue]
        for start in range(0, len(todo), 500):
            await app.job_manager.batch_defer_jobs_async([
                QueueJob(id=None, queue=QUEUE, lock=key, queueing_lock=None, task_name=TASK,
                         task_kwargs={"batch_id": batch.id, "key": key})
                for key in todo[start:start + 500]])
        if todo:
            # Fresh statistics for the jobs table: planned on an empty table's, every fetch of
            # a job scans it (136 ms instead of 0.2 ms a job with 2,000 queued).
            async with app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
                await conn.execute("ANALYZE procrastinate_jobs")
    return Enqueued(batch, len(todo), len(keys) - len(todo))


# ---- the worker --------------------------------------------------------------------------------

@dataclass
class WorkerState:
    """What one worker process keeps between jobs."""

    lib: Library
    settings: Settings
    handle: Any
    name: str
    generators: dict[str, Generator] = field(default_factory=dict)
    known: dict[str, batches.Batch] = field(default_factory=dict)  # batches seen, by id
    on_item: Callable[[str, str], None] | None = None  # (key, outcome), for tests and the CLI

    def batch(self, batch_id: str) -> batches.Batch:
        if batch_id not in self.known:
            self.known[batch_id] = batches.get(self.lib, batch_id)
        return self.known[batch_id]

    def generator(self, options: dict[str, Any]) -> Generator:
        key = dumps(options)
        if key not in self.generators:
            metric = options.get("learn")  # absent in batches queued before learning: off
            self.generators[key] = Generator(
                self.settings, handle=self.handle, max_rewrites=int(options.get("max_rewrites", 2)),
                seed=options.get("seed"), deadline_s=options.get("timeout_s"),
                lessons=learning.lessons(self.lib, metric) if metric else None)
        return self.generators[key]


def is_transient(e: ProviderError) -> bool:
    """Worth another start later: not a draft over its channel's limits, not a request the
    provider refused as such (400/401/403/404)."""
    if isinstance(e, ChannelLimitError):
        return False
    status = status_of(e.__cause__) if e.__cause__ is not None else None
    return status is None or status == 429 or status >= 500


async def generate_draft(context: JobContext, batch_id: str, key: str) -> None:
    """The task: one (brief, variant) of a batch, generated once, saved, recorded.

    The library's calls are blocking; they run on threads (each with its own connection) so
    the event loop keeps every other draft in flight moving meanwhile."""
    w: WorkerState = context.additional_context["contentgen"]
    item = await _db(batches.start, w.lib, batch_id, key, w.name)
    if item is None:
        return  # done or failed already (a second job for the same item)

    def outcome(what: str) -> None:
        if w.on_item is not None:
            w.on_item(key, what)

    if item.starts > MAX_STARTS:
        why = item.error or "the worker stopped while generating this draft"
        await _db(batches.fail, w.lib, batch_id, key, f"given up after {MAX_STARTS} starts; last: {why}")
        return outcome("failed")
    saved = await _db(w.lib.saved_keys, [key])
    if saved:  # generated and saved before (a worker killed after its save): not again
        material = await _db(w.lib.get, saved[key])
        await _db(batches.finish, w.lib, batch_id, key, material_id=material.id,
                  version=material.current_version, verdict=material.verdict)
        return outcome("done")
    batch = await _db(w.batch, batch_id)
    try:
        job = Job(Brief.model_validate(item.brief), item.variant, item.variants, item.source)
        draft = await w.generator(batch.options).draft(job)
    except ProviderError as e:
        if is_transient(e) and item.starts < MAX_STARTS:
            await _db(batches.requeue, w.lib, batch_id, key, str(e))
            outcome("retry")
            raise Transient(str(e)) from None
        await _db(batches.fail, w.lib, batch_id, key, str(e))
        return outcome("failed")
    except (ContentgenError, ValueError) as e:  # a brief no retry can help (pydantic: ValueError)
        await _db(batches.fail, w.lib, batch_id, key, str(e).splitlines()[0] if str(e) else type(e).__name__)
        return outcome("failed")
    except Exception as e:  # noqa: BLE001 - a bug for this input: recorded, the worker goes on
        log.exception("draft %s of %s failed", key, batch_id)
        await _db(batches.fail, w.lib, batch_id, key, f"{type(e).__name__}: {e}")
        return outcome("failed")
    mv = await _db(w.lib.save_draft, draft, author=batch.author)
    await _db(batches.finish, w.lib, batch_id, key, material_id=mv.material_id, version=mv.version,
              verdict=draft.compliance.verdict)
    outcome("done")


_db = asyncio.to_thread  # a blocking library call, off the event loop


def worker_limiter(lib: Library, handle: Any, limits: Limits) -> RateLimiter | None:
    """The provider's limit, shared through the library by every worker of this model."""
    if not limits.active:
        return None
    return RateLimiter(limits, store=SharedRateStore(lib, f"{handle.info.provider}:{handle.info.name}"))


async def _recover_stalled(app: App, stalled_s: float, every_s: float) -> None:
    """Jobs left running by a worker whose heartbeat stopped go back on the queue."""
    while True:
        try:
            for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_s):
                log.warning("retrying %s: its worker stopped", job.task_kwargs.get("key"))
                await app.job_manager.retry_job(job)
        except Exception:  # noqa: BLE001 - a failed check is logged; the next one runs anyway
            log.exception("checking for stalled jobs failed")
        await asyncio.sleep(every_s)


async def _jobs_left(app: App) -> int:
    async with app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
        cur = await conn.execute("SELECT COUNT(*) FROM procrastinate_jobs WHERE queue_name = %s"
                                 " AND status IN ('todo', 'doing')", [QUEUE])
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def run_worker(url: str, *, concurrency: int = 8, limits: Limits | None = None,
                     wait: bool = True, name: str | None = None, model: str | None = None,
                     heartbeat_s: float = 10.0, stalled_s: float = 30.0,
                     on_item: Callable[[str, str], None] | None = None) -> WorkerState:
    """Run jobs until stopped (wait=True: SIGINT/SIGTERM end it after the drafts in flight)
    or, with wait=False, until the queue is empty."""
    require_postgres(url)
    ensure_schema(url)
    lib = open_library(url)
    settings = Settings.load(db=url, model=model)
    handle = get_model(settings, model=model)
    handle.limiter = worker_limiter(lib, handle, limits or Limits())
    state = WorkerState(lib, settings, handle, name or f"{socket.gethostname()}-{os.getpid()}", on_item=on_item)
    # Rule packs, matchers and prompts load once per process (seconds): before the first job,
    # not inside it, where they would stall every draft the worker has taken.
    state.generator({})
    app = queue_app(url, pool_size=max(2, min(concurrency, 8)))
    try:
        async with app.open_async():
            recover = asyncio.create_task(_recover_stalled(app, stalled_s, max(0.5, stalled_s / 3)))
            options: dict[str, Any] = {
                "queues": [QUEUE], "concurrency": concurrency, "name": state.name,
                "additional_context": {"contentgen": state}, "update_heartbeat_interval": heartbeat_s,
                "stalled_worker_timeout": stalled_s, "install_signal_handlers": wait,
                "fetch_job_polling_interval": 1.0, "delete_jobs": "successful"}
            try:
                if wait:
                    await app.run_worker_async(wait=True, **options)
                else:  # until no job is left: retries scheduled for later and other workers' included
                    while True:
                        await app.run_worker_async(wait=False, **options)
                        if not await _jobs_left(app):
                            break
                        await asyncio.sleep(0.2)
            finally:
                recover.cancel()
    finally:
        await handle.aclose()
        lib.close()
    return state
