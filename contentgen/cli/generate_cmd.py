"""`contentgen generate`: drafts from flags or a briefs file, with progress and saving."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from contextlib import closing
from typing import Any, TextIO

import click

from contentgen.cli._batch_progress import rate_options
from contentgen.cli._common import brief_from_options, brief_options, db_option, emit_json
from contentgen.generate import (
    DEFAULT_DRAFT_DEADLINE_S,
    BatchResult,
    Failure,
    Generator,
    Job,
    jobs_for,
)
from contentgen.kernel.config import Settings
from contentgen.kernel.layout import readable
from contentgen.kernel.schemas import Draft

DEFAULT_HTTP_TIMEOUT_S = 60.0  # one model request; --timeout lowers it


@click.command("generate")
@brief_options
@click.option("--briefs", "briefs_file", type=click.Path(dir_okay=False), help="YAML or JSONL file of briefs.")
@click.option("--variants", type=click.IntRange(1, 20), default=1, show_default=True)
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--seed", type=int, default=None, help="Vary the offline model's choices.")
@click.option("--max-rewrites", type=click.IntRange(0, 2), default=2, show_default=True,
              help="Compliance rewrites per draft before it stays blocked.")
@click.option("--model", "model_name", default=None, help="OpenAI model name (with OPENAI_API_KEY).")
@click.option("--save", is_flag=True,
              help="Store each draft in the library as it completes (adds material_id, version).")
@click.option("--as", "as_user", default=None,
              help="Author of saved drafts: an existing operator or admin (default "
                   "$CONTENTGEN_USER, else the system author 'generator').")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_DRAFT_DEADLINE_S, show_default=True,
              help="Seconds one draft may take, retries and rewrites included; then it fails.")
@click.option("--batch-timeout", "batch_timeout_s", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Seconds the whole batch may take; unfinished drafts then fail.")
@click.option("--queue", "queued", is_flag=True,
              help="Put the batch on the shared queue (PostgreSQL library) for `contentgen worker`s "
                   "on any host; implies --save. Progress shows until it is complete.")
@click.option("--no-wait", is_flag=True, help="With --queue: print the batch id and return at once.")
@click.option("--no-learn", is_flag=True,
              help="Do not show the model what worked before (proven and weak approved content of "
                   "the brief's audience, from the library's outcomes).")
@click.option("--learn-metric", type=click.Choice(["read", "clicked", "replied", "converted"]),
              default="clicked", show_default=True, help="The outcome that decides what worked.")
@rate_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@db_option
def generate_cmd(briefs_file: str | None, variants: int, concurrency: int, seed: int | None,
                 max_rewrites: int, model_name: str | None, save: bool, as_user: str | None,
                 timeout_s: float, batch_timeout_s: float | None, queued: bool, no_wait: bool,
                 no_learn: bool, learn_metric: str, rpm: float | None, tpm: float | None,
                 fmt: str, quiet: bool, db: str | None, **brief_opts: Any) -> None:
    """Generate drafts, check them, print them (and --save them to the library).

    \b
    contentgen generate --industry cosmetics --segment dormant.mass --persona approachable \\
        --content-type short_video_script --channel video_account --locale zh-CN \\
        --product "氨基酸洁面乳" --selling-point "温和不紧绷" --variants 3 --format json
    contentgen generate --briefs briefs.yaml --variants 2 --save --as olga --timeout 90
    CONTENTGEN_DB=postgresql://… contentgen generate --briefs big.jsonl --as olga --queue
    With --save drafts are committed as they complete (a few per transaction, within a
    second): an interrupted batch keeps what it finished, and the same command again
    generates only what is missing.
    """
    failures: list[Failure] = []
    if briefs_file:
        from contentgen.briefs_file import load_jobs

        jobs, failures = load_jobs(briefs_file, default_variants=variants)
    else:
        jobs = jobs_for(brief_from_options(brief_opts), variants)

    settings = Settings.load(db=db, model=model_name)
    if queued:
        _enqueue(settings, jobs, failures, as_user=as_user, briefs_file=briefs_file, no_wait=no_wait,
                 options={"max_rewrites": max_rewrites, "seed": seed, "timeout_s": timeout_s,
                          "learn": None if no_learn else learn_metric},
                 fmt=fmt, quiet=quiet)
        return
    if no_wait:
        raise click.UsageError("--no-wait goes with --queue")
    saver: Any = None
    if save:
        from contentgen import usecases
        from contentgen.usecases.drafts import DraftSaver

        saver = DraftSaver(usecases.open_library(settings.db_path),
                           as_user or os.environ.get("CONTENTGEN_USER"))
        # Idempotent reruns: a (brief, variant) already in the library is not generated again.
        saved = saver.lib.saved_keys(j.key for j in jobs)
        if saved:
            click.echo(f"{len(saved)} draft(s) already in the library, not generated again: "
                       + ", ".join(sorted(set(saved.values()))), err=True)
            jobs = [j for j in jobs if j.key not in saved]
    from contentgen.providers import get_model

    # No single HTTP wait may outlast the draft's own deadline.
    http_timeout = min(DEFAULT_HTTP_TIMEOUT_S, timeout_s)
    handle = get_model(settings, model=model_name, timeout=http_timeout)
    if rpm or tpm:
        from contentgen.kernel.rate import Limits
        from contentgen.providers.rate_limit import RateLimiter

        handle.limiter = RateLimiter(Limits(rpm=rpm, tpm=tpm))  # this process's requests
    learn_lib = None if no_learn else saver.lib if saver else _existing_library(settings, quiet)
    lessons = None
    if learn_lib is not None:
        from contentgen.usecases.learning import lessons as lessons_from

        lessons = lessons_from(learn_lib, learn_metric)
    gen = Generator(settings, handle=handle, max_rewrites=max_rewrites, seed=seed, deadline_s=timeout_s,
                    lessons=lessons)
    if lessons is not None and not quiet:
        _say_what_is_learned(gen, jobs)
    try:
        result = _run_with_progress(gen, jobs, concurrency, quiet or not jobs,
                                    on_draft=saver.save if saver else None, deadline_s=batch_timeout_s)
    finally:
        if saver is not None:
            saver.flush()  # what finished is kept, even when the batch is interrupted
    result.failures = failures + result.failures

    if fmt == "json":
        emit_json(result.drafts)
    else:
        for d in result.drafts:
            _print_draft(d)
    for f in result.failures:
        where = f" ({f.source})" if f.source else ""
        label = f"variant {f.variant}" if f.variant else "brief"
        click.echo(f"Error: {label}{where} failed: {f.error}", err=True)
    if not quiet:
        click.echo(
            f"{len(result.drafts)} drafts, {len(result.failures)} failed, "
            f"{result.elapsed_s:.1f}s on {gen.handle.info.provider}:{gen.handle.info.name}"
            + (" (OFFLINE model)" if gen.handle.info.offline else ""),
            err=True,
        )
    # ctx.exit works under standalone and embedded invocation alike (a return value would not)
    click.get_current_context().exit(1 if result.failures else 0)


def _existing_library(settings: Settings, quiet: bool) -> Any:
    """The library to learn from when drafts are not saved: only one that exists already (a
    file is never created just to read nothing from it). One that cannot be opened is said
    and skipped: drafts that are not saved do not need it."""
    from pathlib import Path

    from contentgen.kernel.errors import ContentgenError
    from library.store import Library

    target = str(settings.db_path)
    if not target.startswith(("postgresql://", "postgres://")) and not Path(target).is_file():
        return None
    try:
        return Library.open(target)
    except ContentgenError as e:
        if not quiet:
            click.echo(f"not learning from past outcomes: the library cannot be opened ({e})", err=True)
        return None


def _say_what_is_learned(gen: Generator, jobs: list[Job]) -> None:
    from contentgen.usecases.learning import describe

    audiences: dict[tuple[str, ...], Job] = {}
    for j in jobs:
        audiences.setdefault((j.brief.industry, j.brief.segment, j.brief.content_type, j.brief.locale), j)
    for n, (audience, job) in enumerate(audiences.items()):
        if n == 5:
            click.echo(f"… and {len(audiences) - 5} more audience(s)", err=True)
            break
        click.echo(f"{' × '.join(a or '-' for a in audience)}: {describe(gen.lessons_for(job.brief))}", err=True)


def _enqueue(settings: Settings, jobs: list[Job], failures: list[Failure], *, as_user: str | None,
             briefs_file: str | None, no_wait: bool, options: dict[str, Any], fmt: str, quiet: bool) -> None:
    """--queue: record the batch, put what is not done on the queue, then follow it."""
    from contentgen import usecases
    from contentgen.cli._batch_progress import line, report_failures, watch
    from contentgen.usecases import batch_queue
    from library import batches

    for f in failures:  # lines of the briefs file that are not briefs: said, never queued
        click.echo(f"Error: brief ({f.source}) failed: {f.error}", err=True)
    batch_queue.require_postgres(settings.db_path)
    with closing(usecases.open_library(settings.db_path)) as lib:
        done = batch_queue.enqueue(lib, jobs, as_user=as_user or os.environ.get("CONTENTGEN_USER"),
                                   options=options, source=briefs_file or "flags")
        again = f", {done.waiting} already on the queue" if done.waiting else ""
        click.echo(f"batch {done.batch.id}: {done.queued} drafts queued{again}, "
                   f"{done.batch.total} in the batch", err=True)
        if no_wait:
            click.echo(done.batch.id)
            click.echo(f"follow it with: contentgen batch status {done.batch.id} --watch", err=True)
            click.get_current_context().exit(1 if failures else 0)
        try:
            p = watch(lib, done.batch.id, quiet=quiet)
        except KeyboardInterrupt:
            click.echo(f"\nstopped watching; the batch goes on on the workers: "
                       f"contentgen batch status {done.batch.id} --watch", err=True)
            raise
        if fmt == "json":
            emit_json([{"key": i.key, "status": i.status, "material_id": i.material_id, "version": i.version,
                        "verdict": i.verdict, "error": i.error, "source": i.source}
                       for i in batches.items(lib, done.batch.id)])
        failed = report_failures(lib, done.batch.id)
        click.echo(line(p), err=True)
    click.get_current_context().exit(1 if failed or failures else 0)


def _run_with_progress(gen: Generator, jobs: list[Job], concurrency: int, quiet: bool, *,
                       on_draft: Callable[[Draft], None] | None = None,
                       deadline_s: float | None = None, file: TextIO | None = None) -> BatchResult:
    """Run the batch; each finished draft goes to on_draft at once; a bar says what still waits."""
    total, done = len(jobs), 0

    def waiting(_: object = None) -> str:
        left = total - done
        return f"{left} waiting ({min(concurrency, left)} in flight)" if left else "done"

    def finished(outcome: Draft | Failure) -> None:
        nonlocal done
        done += 1
        if on_draft is not None and isinstance(outcome, Draft):
            on_draft(outcome)  # saved before the next draft is even looked at
        for bar in bars:
            bar.update(1)

    bars: list[Any] = []
    if quiet:
        return asyncio.run(gen.run(jobs, concurrency=concurrency, on_done=finished,
                                   deadline_s=deadline_s))
    with click.progressbar(length=total, label="generating", file=file or sys.stderr,
                           show_pos=True, item_show_func=waiting) as shown:
        bars.append(shown)
        return asyncio.run(gen.run(jobs, concurrency=concurrency, on_done=finished,
                                   deadline_s=deadline_s))


def _print_draft(d: Draft) -> None:
    offline = "  [OFFLINE model: sample text, not the product's LLM]" if d.model.offline else ""
    saved = f"  saved as {d.material_id} v{d.version}" if d.material_id else ""
    click.secho(f"── variant {d.variant}  {d.brief.channel}/{d.brief.content_type}  "
                f"{d.model.provider}:{d.model.name}{offline}", bold=True)
    click.echo(f"   prompt {d.prompt_ref}  compliance: {d.compliance.verdict}{saved}")
    click.echo(readable(d.content))
    for f in d.compliance.findings:
        fix = f" → {f.suggestion}" if f.suggestion else ""
        field = f"{f.field}:" if f.field else ""
        click.echo(f"   {f.severity}: {field}{f.match!r} {f.rule}: {f.message}{fix}")
    click.echo()


def register(cli: click.Group) -> None:
    cli.add_command(generate_cmd)
