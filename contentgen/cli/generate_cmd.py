"""`contentgen generate`: drafts from flags or a briefs file, with progress and saving."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import click

from contentgen.cli._common import brief_from_options, brief_options, db_option, emit_json
from contentgen.config import Settings
from contentgen.generate import BatchResult, Draft, Failure, Generator, Job, jobs_for


@click.command("generate")
@brief_options
@click.option("--briefs", "briefs_file", type=click.Path(dir_okay=False), help="YAML or JSONL file of briefs.")
@click.option("--variants", type=click.IntRange(1, 20), default=1, show_default=True)
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--seed", type=int, default=None, help="Vary the offline model's choices.")
@click.option("--max-rewrites", type=click.IntRange(0, 2), default=2, show_default=True,
              help="Compliance rewrites per draft before it stays blocked.")
@click.option("--model", "model_name", default=None, help="OpenAI model name (with OPENAI_API_KEY).")
@click.option("--save", is_flag=True, help="Store drafts in the library (adds material_id, version).")
@click.option("--as", "as_user", default=None, help="Author of saved drafts (default $CONTENTGEN_USER or 'generator').")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@db_option
def generate_cmd(briefs_file: str | None, variants: int, concurrency: int, seed: int | None,
                 max_rewrites: int, model_name: str | None, save: bool, as_user: str | None,
                 fmt: str, quiet: bool, db: str | None, **brief_opts: Any) -> None:
    """Generate drafts, check them, print them (and --save them to the library).

    \b
    contentgen generate --industry cosmetics --segment dormant.mass --persona approachable \\
        --content-type short_video_script --channel video_account --locale zh-CN \\
        --product "氨基酸洁面乳" --selling-point "温和不紧绷" --variants 3 --format json
    contentgen generate --briefs briefs.yaml --variants 2 --save --format json
    """
    failures: list[Failure] = []
    if briefs_file:
        from contentgen.briefs_file import load_jobs

        jobs, failures = load_jobs(briefs_file, default_variants=variants)
    else:
        jobs = jobs_for(brief_from_options(brief_opts), variants)

    settings = Settings.load(db=db, model=model_name)
    if save:  # idempotent reruns: a (brief, variant) already in the library is not generated again
        from library import Library

        saved = Library.open(settings.db_path).saved_keys(j.key for j in jobs)
        if saved:
            click.echo(f"{len(saved)} draft(s) already in the library, not generated again: "
                       + ", ".join(sorted(set(saved.values()))), err=True)
            jobs = [j for j in jobs if j.key not in saved]
    from contentgen.providers import get_model

    gen = Generator(settings, handle=get_model(settings, model=model_name), max_rewrites=max_rewrites, seed=seed)
    result = _run_with_progress(gen, jobs, concurrency, quiet or not jobs)
    result.failures = failures + result.failures
    if save and result.drafts:
        _save(result.drafts, settings, as_user or os.environ.get("CONTENTGEN_USER") or "generator")

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


def _run_with_progress(gen: Generator, jobs: list[Job], concurrency: int, quiet: bool) -> BatchResult:
    if quiet:
        return asyncio.run(gen.run(jobs, concurrency=concurrency))
    with click.progressbar(length=len(jobs), label="generating", file=sys.stderr,
                           show_pos=True) as bar:
        return asyncio.run(gen.run(jobs, concurrency=concurrency, on_done=lambda _: bar.update(1)))


def _save(drafts: list[Draft], settings: Settings, author: str) -> None:
    from library import Library

    lib = Library.open(settings.db_path)
    for d in drafts:
        mv = lib.save_draft(d, author=author)
        d.material_id, d.version = mv.material_id, mv.version


def _print_draft(d: Draft) -> None:
    offline = "  [OFFLINE model: sample text, not the product's LLM]" if d.model.offline else ""
    saved = f"  saved as {d.material_id} v{d.version}" if d.material_id else ""
    click.secho(f"── variant {d.variant}  {d.brief.channel}/{d.brief.content_type}  "
                f"{d.model.provider}:{d.model.name}{offline}", bold=True)
    click.echo(f"   prompt {d.prompt_ref}  compliance: {d.compliance.verdict}{saved}")
    click.echo(d.text)
    for f in d.compliance.findings:
        fix = f" → {f.suggestion}" if f.suggestion else ""
        field = f"{f.field}:" if f.field else ""
        click.echo(f"   {f.severity}: {field}{f.match!r} {f.rule}: {f.message}{fix}")
    click.echo()


def register(cli: click.Group) -> None:
    cli.add_command(generate_cmd)
