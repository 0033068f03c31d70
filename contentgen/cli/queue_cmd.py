"""`contentgen worker` and `contentgen batch list|status`: queued generation on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from contextlib import closing

import click

from contentgen.cli._batch_progress import line, rate_options, report_failures, watch
from contentgen.cli._common import db_option


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Drafts this worker generates at once.")
@rate_options
@click.option("--model", "model_name", default=None, help="OpenAI model name (with OPENAI_API_KEY).")
@click.option("--name", default=None, help="This worker's name in logs (default host-pid).")
@click.option("--until-empty", is_flag=True, help="Stop when the queue is empty instead of waiting.")
@click.option("--stalled-after", "stalled_s", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds without a heartbeat after which a worker's drafts are retried elsewhere.")
@db_option
def worker_cmd(concurrency: int, rpm: float | None, tpm: float | None, model_name: str | None,
               name: str | None, until_empty: bool, stalled_s: float, db: str | None) -> None:
    """Generate queued drafts (from `generate --queue`) until stopped (Ctrl-C, SIGTERM).

    \b
    CONTENTGEN_DB=postgresql://contentgen@db/contentgen contentgen worker --concurrency 32 --rpm 1200
    Run one on each generation host; give every worker the same --rpm/--tpm: the limit's
    state is shared through the database, so together they stay under the provider's limit.
    """
    from contentgen.kernel.config import Settings
    from contentgen.kernel.rate import Limits
    from contentgen.usecases import batch_queue
    from library import db_copy

    url = batch_queue.require_postgres(Settings.load(db=db).db_path)
    counts = {"done": 0, "failed": 0, "retry": 0}

    def on_item(key: str, outcome: str) -> None:
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "failed":
            click.echo(f"failed: {key} (see `contentgen batch status`)", err=True)

    limits = Limits(rpm=rpm, tpm=tpm)
    click.echo(f"worker on {db_copy.name(url)}: concurrency {concurrency}"
               + (f", limit {rpm or '-'} rpm / {tpm or '-'} tpm" if limits.active else ", no rate limit")
               + "; loading rule packs and prompts, then taking drafts", err=True)
    state = asyncio.run(batch_queue.run_worker(
        url, concurrency=concurrency, limits=limits, wait=not until_empty, name=name,
        model=model_name, stalled_s=stalled_s, heartbeat_s=min(10.0, stalled_s / 3), on_item=on_item))
    limiter = state.handle.limiter
    paced = f", waited {limiter.waited_s:.1f}s for the rate limit, {limiter.throttles} 429s" if limiter else ""
    click.echo(f"worker stopped: {counts['done']} drafts done, {counts['failed']} failed, "
               f"{counts['retry']} retried later{paced}", err=True)


@click.group("batch")
def batch_group() -> None:
    """Queued batches: where they stand, from any host."""


@batch_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
def list_cmd(fmt: str, db: str | None) -> None:
    """The most recent batches and their progress."""
    from contentgen import usecases
    from contentgen.kernel.config import Settings
    from library import batches

    with closing(usecases.open_library(Settings.load(db=db).db_path)) as lib:
        rows = batches.recent(lib)
        if fmt == "json":
            click.echo(json.dumps([{**p.as_dict(), "created_at": b.created_at, "author": b.author,
                                    "source": b.source} for b, p in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo("no batches yet: `contentgen generate --briefs FILE --queue` makes one")
        for b, p in rows:
            click.echo(f"{b.created_at[:19]}  {b.author:<10} {b.source}  " + line(p))


@batch_group.command("status")
@click.argument("batch_id")
@click.option("--watch", "follow", is_flag=True, help="Show a progress bar until the batch is complete.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
def status_cmd(batch_id: str, follow: bool, fmt: str, db: str | None) -> None:
    """Where one batch stands; failed items with their reasons. Exit 1 if any failed."""
    from contentgen import usecases
    from contentgen.kernel.config import Settings
    from library import batches

    with closing(usecases.open_library(Settings.load(db=db).db_path)) as lib:
        p = watch(lib, batch_id) if follow else batches.progress(lib, batch_id)
        if fmt == "json":
            items = [{"key": i.key, "status": i.status, "starts": i.starts, "material_id": i.material_id,
                      "version": i.version, "verdict": i.verdict, "error": i.error, "source": i.source}
                     for i in batches.items(lib, batch_id)]
            click.echo(json.dumps({**p.as_dict(), "items": items}, ensure_ascii=False, indent=2))
        else:
            click.echo(line(p))
        failed = report_failures(lib, batch_id)
    click.get_current_context().exit(1 if failed else 0)


def register(cli: click.Group) -> None:
    cli.add_command(worker_cmd)
    cli.add_command(batch_group)
