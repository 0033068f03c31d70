"""`contentgen prompts list|show|render|check|test`: a thin wrapper over contentgen.prompts."""

from __future__ import annotations

from typing import Any

import click

from contentgen.cli._common import brief_from_options, brief_options, emit_json, format_option
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import BriefError, PromptError


def _catalog() -> Any:
    from contentgen.prompts import PromptCatalog

    return PromptCatalog.load(Settings.load().prompts_dir)


def _summary(pf: Any) -> dict[str, Any]:
    return {
        "id": pf.id,
        "version": pf.version,
        "ref": pf.ref,
        "description": pf.description,
        "content_type": pf.content_type,
        "output_schema": pf.output_schema,
        "industries": pf.meta.industries,
        "segments": pf.meta.segments,
        "channels": pf.meta.channels,
        "locales": pf.meta.locales,
        "inputs": pf.meta.inputs.model_dump(),
        "model": pf.model_config,
        "examples": len(pf.meta.examples),
        "tests": len(pf.meta.tests),
        "path": str(pf.path),
    }


@click.group("prompts")
def prompts() -> None:
    """List, show, render, check and test the prompt files under prompts/."""


@prompts.command("list")
@format_option("text", "json")
def list_cmd(fmt: str) -> None:
    """List every prompt file with its scope."""
    files = _catalog().files
    if fmt == "json":
        emit_json([_summary(f) for f in files])
        return
    for f in files:
        scope = "/".join(",".join(v) for v in (f.meta.industries, f.meta.segments, f.meta.channels))
        click.echo(f"{f.ref:<48} {scope}")
        click.echo(f"    {f.description}")


@prompts.command("show")
@click.argument("prompt_id")
@click.option("--industry", default=None, help="Show the file this industry resolves to.")
@click.option("--segment", default=None, help="<lifecycle>.<value tier>")
@click.option("--channel", default=None)
@click.option("--locale", default=None)
@format_option("text", "json")
def show_cmd(
    prompt_id: str, industry: str | None, segment: str | None, channel: str | None,
    locale: str | None, fmt: str,
) -> None:
    """Show the file PROMPT_ID resolves to for a context: e.g. push/reactivation --industry finance."""
    catalog = _catalog()
    context = {k: v for k, v in (("industry", industry), ("segment", segment),
                                 ("channel", channel), ("locale", locale)) if v}
    if not context:
        pf = catalog.get(prompt_id)
    else:
        family = prompt_id.split(".", 1)[0]
        members = catalog.family(family)
        if not members:
            raise PromptError(f"no prompt family {family!r}; known ids: {', '.join(catalog.ids())}")
        generic = next((m for m in members if m.id == family), members[0])
        pf = catalog.resolve_in(family, generic.sample_brief(**context))
    if fmt == "json":
        emit_json({**_summary(pf), "body": _body(pf)})
        return
    s = _summary(pf)
    for key in ("ref", "description", "path", "industries", "segments", "channels", "locales",
                "inputs", "model", "examples", "tests"):
        click.echo(f"{key + ':':<13}{s[key]}")
    click.echo("")
    click.echo(_body(pf))


def _body(pf: Any) -> str:
    return "".join(pf.path.read_text(encoding="utf-8").splitlines(keepends=True)[pf.body_line - 1 :])


@prompts.command("render")
@brief_options
@click.option("--variant", type=int, default=1, show_default=True)
@click.option("--variants", type=int, default=1, show_default=True)
@click.option("--explain", is_flag=True, help="Also print how the prompt file was chosen.")
@format_option("text", "json")
def render_cmd(variant: int, variants: int, explain: bool, fmt: str, **options: Any) -> None:
    """Render the prompt for a brief given as flags; prints system and user messages."""
    brief = brief_from_options(options)
    catalog = _catalog()
    pf, resolution = catalog.resolution(brief)
    r = pf.render(brief, variant=variant, variants=variants)
    steps = resolution.steps
    if fmt == "json":
        emit_json({"prompt_ref": r.prompt_ref, "system": r.system, "user": r.user,
                   "few_shot": [list(p) for p in r.few_shot], "model": r.model_config,
                   "output_schema": r.output_schema, "resolution": steps})
        return
    if explain:
        for step in steps:
            click.echo(f"# {step}")
    click.echo(f"=== system ({r.prompt_ref}) ===")
    click.echo(r.system)
    for i, (u, a) in enumerate(r.few_shot, 1):
        click.echo(f"=== example {i}: user ===\n{u}\n=== example {i}: assistant ===\n{a}")
    click.echo("=== user ===")
    click.echo(r.user)


@prompts.command("check")
@format_option("text", "json")
def check_cmd(fmt: str) -> None:
    """Validate every prompt and data file; exit 1 listing file:line problems."""
    from contentgen.prompt_checks import check_dir

    report = check_dir(Settings.load().prompts_dir)
    if fmt == "json":
        emit_json({"ok": report.ok, "files": len(report.files), "problems": report.problems})
    else:
        for p in report.problems:
            click.echo(p)
        click.echo(f"{len(report.files)} prompt files valid, {len(report.problems)} problems")
    if not report.ok:
        click.get_current_context().exit(1)


@prompts.command("test")
@click.argument("prompt_id", required=False)
@format_option("text", "json")
def test_cmd(prompt_id: str | None, fmt: str) -> None:
    """Run every file's `tests:` cases (or one family's); exit 1 on any failure."""
    from contentgen.prompt_checks import run_cases

    results = run_cases(_catalog(), only=prompt_id)
    if prompt_id and not results:
        raise BriefError(f"no test cases for {prompt_id!r}")
    passed = sum(r.ok for r in results)
    failed = len(results) - passed
    if fmt == "json":
        emit_json({"passed": passed, "failed": failed,
                   "results": [{"prompt": r.prompt_id, "case": r.name, "ok": r.ok,
                                "problems": r.problems} for r in results]})
    else:
        for r in results:
            if not r.ok:
                click.echo(f"FAIL {r.prompt_id}: {r.name}: {'; '.join(r.problems)}")
        click.echo(f"{passed} passed, {failed} failed")
    if failed:
        click.get_current_context().exit(1)


def register(cli: click.Group) -> None:
    from contentgen.cli.prompts_eval_cmd import add_commands

    add_commands(prompts)  # eval, promote, versions
    cli.add_command(prompts)
