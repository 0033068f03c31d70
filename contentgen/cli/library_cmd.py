"""`contentgen library ...`: list, show, diff, edit and move materials through review."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import UsageError
from library.errors import ConflictError

_as_option = click.option(
    "--as", "actor", envvar="CONTENTGEN_USER", default=None,
    help="Act as this user, with their role (default: $CONTENTGEN_USER).",
)
_version_option = click.option(
    "--version", "version", type=click.IntRange(min=1), default=None,
    help="The version acted on (default: the current one; retire: the released one).",
)


def open_library(db: str | None) -> Any:
    from contentgen import usecases

    return usecases.open_library(Settings.load(db=db).db_path)


def _actor(lib: Any, actor: str | None) -> str:
    """The acting user, who must exist: their role decides what they may do."""
    if not actor:
        raise UsageError("say who acts: --as USER (or set CONTENTGEN_USER)")
    return str(lib.users.get(actor).name)


@click.group("library")
def library_group() -> None:
    """Browse the material library and move materials through review."""


@library_group.command("list")
@click.option("--status", default=None, help="draft, in_review, approved, changes_requested, ...")
@click.option("--industry", default=None)
@click.option("--channel", default=None)
@click.option("--segment", default=None)
@click.option("--locale", default=None)
@click.option("--content-type", "content_type", default=None)
@click.option("--persona", default=None)
@click.option("--plan", "plan_id", default=None, help="Service-cycle plan id.")
@click.option("--findings/--no-findings", "has_findings", default=None,
              help="Only materials with (or without) compliance findings.")
@click.option("--verdict", type=click.Choice(["block", "warn", "pass"]), default=None,
              help="Only materials whose current version has this compliance verdict.")
@click.option("--updated-before", "updated_before", default=None,
              help="Only materials unchanged since this ISO time (how long items have waited).")
@click.option("--compliance-queue", "compliance_queue", is_flag=True, default=False,
              help="Only what waits for compliance: blocked drafts and withdrawn versions.")
@click.option("--q", "q", default=None, help="Full-text search in title and body (any language).")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--order", type=click.Choice(["updated_desc", "updated_asc", "created_desc",
                                            "created_asc"]), default="updated_desc")
@format_option("text", "json")
@db_option
def list_cmd(fmt: str, db: str | None, **filters: Any) -> None:
    """List materials, newest change first: `contentgen library list --status in_review`."""
    page = open_library(db).list(**filters)
    if fmt == "json":
        emit_json(page)
        return
    for m in page.items:
        served = f" (v{m.released_version} released)" if m.released_version and \
            m.released_version != m.current_version else ""
        click.echo(f"{m.id}  {m.status:<17} v{m.current_version}{served}  {m.channel:<16} "
                   f"{m.industry:<13} {m.segment or '-':<22} {m.locale}  {m.verdict:<5}  {m.title}")
    click.echo(f"{len(page.items)} of {page.total} (offset {page.offset})", err=True)


@library_group.command("show")
@click.argument("material_id")
@_version_option
@format_option("text", "json")
@db_option
def show_cmd(material_id: str, version: int | None, fmt: str, db: str | None) -> None:
    """Content, compliance report, provenance and history of one material."""
    lib = open_library(db)
    m = lib.get(material_id)
    v = lib.get_version(material_id, version or m.current_version)
    history = lib.history(material_id)
    if fmt == "json":
        emit_json({"material": m, "version": v, "history": history})
        return
    click.secho(f"{m.id}  {m.channel}/{m.content_type}  {m.industry}  {m.segment}  {m.locale}",
                bold=True)
    released = f", released v{m.released_version}" if m.released_version else ""
    click.echo(f"status {m.status}, current v{m.current_version}{released}; showing v{v.version} "
               f"({v.status}, {v.source} by {v.author} at {v.created_at})")
    model = v.model or {}
    offline = "  [OFFLINE model: sample text, not the product's LLM]" if v.offline else ""
    click.echo(f"provenance: prompt {v.prompt_ref or '-'}; model "
               f"{model.get('provider', '-')}:{model.get('name', '-')}{offline}; "
               f"parameters {json.dumps(v.parameters, ensure_ascii=False)}")
    click.echo("")
    click.echo(v.text)
    click.echo("")
    click.echo(f"compliance: {v.verdict}")
    for f in v.compliance.get("findings", []):
        fix = f" → {f['suggestion']}" if f.get("suggestion") else ""
        click.echo(f"  {f['severity']}: {f.get('field') or ''} {f['match']!r} {f['rule']}: "
                   f"{f['message']}{fix}")
    if v.override:
        click.echo(f"  overridden by {v.override.by} at {v.override.at}: {v.override.justification}")
    click.echo("history:")
    for e in history:
        why = f" — {e.reason}" if e.reason else ""
        click.echo(f"  {e.at}  {e.actor} ({e.role}) {e.action} v{e.version}: "
                   f"{e.from_status or '-'} → {e.to_status or '-'}{why}")


@library_group.command("diff")
@click.argument("material_id")
@click.argument("a", type=click.IntRange(min=1))
@click.argument("b", type=click.IntRange(min=1))
@db_option
def diff_cmd(material_id: str, a: int, b: int, db: str | None) -> None:
    """Unified diff of the text of two versions."""
    click.echo(open_library(db).diff(material_id, a, b) or "(no differences)")


def _step_command(action: str, help_text: str) -> click.Command:
    @click.command(action.replace("_", "-"), help=help_text)
    @click.argument("material_id")
    @_version_option
    @_as_option
    @click.option("--reason", default=None,
                  help="Why (shown in the audit log and to the author); required for reject, "
                       "request-changes and override.")
    @db_option
    def cmd(material_id: str, version: int | None, actor: str | None, reason: str | None,
            db: str | None) -> None:
        lib = open_library(db)
        who = _actor(lib, actor)
        done = action.replace("_", " ")
        if action == "retire":
            mv = lib.retire(material_id, actor=who, reason=reason, version=version)
        else:
            n = version or lib.get(material_id).current_version
            if action == "override":
                withdrawn = lib.withdrawn_versions(material_id)
                # A version the rescan withdrew is what an override is for: reinstating it.
                n = version or ([*withdrawn, n])[0]
                done = "reinstate" if n in withdrawn else done
                mv = lib.override(material_id, n, actor=who, justification=reason or "")
            else:
                mv = getattr(lib, action)(material_id, n, actor=who, reason=reason)
        click.echo(f"{material_id} v{mv.version}: {done} by {who} → {mv.status}")

    return cmd


for _action, _help in (
    ("submit", "Send a draft for review (operators)."),
    ("approve", "Approve a version in review (reviewers; not its authors)."),
    ("reject", "Reject a version in review, with --reason for its authors (reviewers)."),
    ("request_changes", "Send a version back to its authors with --reason saying what to change "
                        "(reviewers)."),
    ("override", "Let error-level findings through, with --reason as justification (compliance); "
                 "on a withdrawn version it reinstates it."),
    ("release", "Make an approved version available to the delivery API (reviewers)."),
    ("retire", "Withdraw a released material; the change feed carries a tombstone."),
):
    library_group.add_command(_step_command(_action, _help))


@library_group.command("edit")
@click.argument("material_id")
@click.option("--file", "file", required=True,
              help="JSON object with the content fields, or a `library show --format json` "
                   "document (its version is the base), or '-' for stdin.")
@click.option("--base", "base_version", type=click.IntRange(min=1), default=None,
              help="The version edited (default: the shown document's version, else the one "
                   "current when the command starts).")
@_as_option
@db_option
def edit_cmd(material_id: str, file: str, base_version: int | None, actor: str | None,
             db: str | None) -> None:
    """Save edited content as a new version (back to draft, re-checked for compliance).

    \b
    Optimistic concurrency: the edit is saved on the version it is based on (--base, the
    version of a `library show --format json` document, or the version current when the
    command started). If anyone saved another version since, nothing is written, the error
    says which version is current, and the edit is kept (exit 1).
    """
    lib = open_library(db)
    who = _actor(lib, actor)
    # Read the base before the edit: what lands while the edit is read (a pipe, a slow editor)
    # is a conflict, never something the edit silently replaces.
    current = lib.get(material_id).current_version
    raw = _read_edit(file)
    content, shown = _edit_content(raw, file, material_id)
    if base_version and shown and base_version != shown:
        raise UsageError(f"--base {base_version} disagrees with {file}, which shows version {shown}")
    base = base_version or shown or current
    try:
        mv = lib.edit(material_id, base_version=base, content=content, actor=who)
    except ConflictError as e:
        now_current = lib.get(material_id).current_version
        raise ConflictError(
            f"{e}; nothing was saved, {_kept(file, raw, material_id)}: merge it with version "
            f"{now_current} and rerun with --base {now_current}"
        ) from None
    click.echo(f"{material_id} v{mv.version}: saved as draft; compliance {mv.verdict}")
    for f in mv.compliance.get("findings", []):
        click.echo(f"  {f['severity']}: {f['match']!r} {f['rule']}: {f['message']}")


def _read_edit(file: str) -> str:
    return sys.stdin.read() if file == "-" else _read(file)


def _edit_content(raw: str, file: str, material_id: str) -> tuple[Any, int | None]:
    """(content, version shown): a `library show --format json` document carries its version."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise UsageError(f"{file}: not JSON ({e.msg} at line {e.lineno})") from None
    version = data.get("version") if isinstance(data, dict) else None
    if not (isinstance(version, dict) and isinstance(data.get("material"), dict)):
        return data, None
    shown_id, n = data["material"].get("id"), version.get("version")
    if shown_id != material_id:
        raise UsageError(f"{file} shows {shown_id!r}, not {material_id}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1 or not isinstance(version.get("content"), dict):
        raise UsageError(f"{file}: version.version and version.content are not a version's")
    return version["content"], n


def _kept(file: str, raw: str, material_id: str) -> str:
    """Where the unsaved edit is: its file, or (from stdin) a private temporary copy."""
    if file != "-":
        return f"your edit is still in {file}"
    fd, path = tempfile.mkstemp(prefix=f"contentgen-edit-{material_id}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(raw)
    return f"your edit is kept in {path}"


def _read(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {file}: {e.strerror}") from None


@library_group.command("history")
@click.argument("material_id")
@format_option("text", "json")
@db_option
def history_cmd(material_id: str, fmt: str, db: str | None) -> None:
    """The audit trail of one material."""
    events = open_library(db).history(material_id)
    if fmt == "json":
        emit_json(events)
        return
    for e in events:
        click.echo(_event_line(e))


@library_group.command("audit")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@format_option("text", "json")
@db_option
def audit_cmd(limit: int, offset: int, fmt: str, db: str | None) -> None:
    """The library-wide audit log, newest first."""
    events = open_library(db).audit_log(limit=limit, offset=offset)
    if fmt == "json":
        emit_json(events)
        return
    for e in events:
        click.echo(_event_line(e, with_material=True))


@library_group.command("stats")
@format_option("text", "json")
@db_option
def stats_cmd(fmt: str, db: str | None) -> None:
    """Counts by status, channel and industry; approval rate; time to approval; top rules."""
    s = open_library(db).stats()
    if fmt == "json":
        emit_json(s)
        return
    for key, value in s.items():
        click.echo(f"{key}: {json.dumps(value, ensure_ascii=False)}")


@library_group.command("rescan")
@click.option("--dry-run", "dry_run", is_flag=True, default=False,
              help="Print what would change and change nothing.")
@click.option("--rules-dir", type=click.Path(file_okay=False), default=None,
              help="Rule packs (default: $CONTENTGEN_RULES_DIR or rules/).")
@format_option("text", "json")
@_as_option
@db_option
def rescan_cmd(dry_run: bool, rules_dir: str | None, fmt: str, actor: str | None,
               db: str | None) -> None:
    """Re-check approved and released versions whose rule packs changed; withdraw what now blocks."""
    from contentgen.usecases import rescan
    from library.rescan import live_count

    lib = open_library(db)
    who = _actor(lib, actor) if actor else None
    if sys.stderr.isatty():
        with click.progressbar(length=live_count(lib), label="rescanning", file=sys.stderr,
                               show_pos=True) as bar:
            result = rescan(lib, rules_dir, dry_run=dry_run, started_by=who, progress=bar.update)
    else:
        result = rescan(lib, rules_dir, dry_run=dry_run, started_by=who)
    if fmt == "json":
        emit_json(result)
    else:
        click.echo(result.summary())
        verb = "would withdraw" if dry_run else "withdrawn"
        for w in result.withdrawals:
            click.echo(f"{verb} {w.material_id} v{w.version} ({w.from_status}, {w.channel}): "
                       f"{', '.join(w.rules)}  {w.title}")
    for failure in result.failed:
        click.echo(f"could not check {failure}", err=True)
    click.get_current_context().exit(1 if result.failed else 0)


def register(cli: click.Group) -> None:
    cli.add_command(library_group)


def _event_line(e: Any, *, with_material: bool = False) -> str:
    """One audit event as a line: when, who (role), what, from → to, why."""
    what = f"{e.action} {e.material_id or ''} " if with_material else f"{e.action} "
    why = f" — {e.reason}" if e.reason else ""
    if e.version is None:  # a library-wide event, e.g. a rescan run
        return f"{e.at}  {e.actor} ({e.role}) {what.rstrip()}{why}"
    return f"{e.at}  {e.actor} ({e.role}) {what}v{e.version}: {e.from_status or '-'} → {e.to_status or '-'}{why}"
