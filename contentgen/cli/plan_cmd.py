"""`contentgen plan ...`: service-cycle plans — templates, create, show, list, review as a unit."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import UsageError

_as_option = click.option("--as", "actor", envvar="CONTENTGEN_USER", default=None,
                          help="Act as this user, with their role (default: $CONTENTGEN_USER).")


def _library(db: str | None) -> Any:
    from contentgen import usecases

    return usecases.open_library(Settings.load(db=db).db_path)


def _actor(lib: Any, actor: str | None) -> str:
    if not actor:
        raise UsageError("say who acts: --as USER (or set CONTENTGEN_USER)")
    return str(lib.users.get(actor).name)


@click.group("plan")
def plan_group() -> None:
    """Service-cycle plans: 7 or 15 days of touchpoints for one customer group, reviewed as a unit."""


@plan_group.command("templates")
@click.option("--locale", default="en-US", show_default=True, help="Language of the titles.")
@format_option("text", "json")
def templates_cmd(locale: str, fmt: str) -> None:
    """List the plan objectives (prompts/plans/*.yaml) and their cycles."""
    from contentgen.plan_templates import load_templates
    from contentgen.plans import plans_dir

    templates = load_templates(plans_dir(Settings.load()))
    rows: list[dict[str, Any]] = [
        {"objective": t.objective, "title": t.title_in(locale), "cycles": sorted(t.cycles),
         "touchpoints": {str(d): len(s) for d, s in sorted(t.cycles.items())},
         "lifecycles": list(t.lifecycles), "requires": list(t.requires), "description": t.description}
        for t in templates.values()
    ]
    if fmt == "json":
        emit_json(rows)
        return
    for r in rows:
        counts = ", ".join(f"{d} days: {n} touchpoints" for d, n in r["touchpoints"].items())
        needs = f"  needs --{' --'.join(r['requires'])}" if r["requires"] else ""
        click.echo(f"{r['objective']:<12} {r['title']}  ({counts}){needs}")
        click.echo(f"{'':<12} {r['description']}")


@plan_group.command("create")
@click.option("--segment", required=True, help="<lifecycle>.<value tier>, e.g. dormant.high_value")
@click.option("--objective", required=True, help="reactivate, welcome, repurchase, vip_care, event (see plan templates)")
@click.option("--days", type=int, default=7, show_default=True, help="Cycle length: 7 or 15.")
@click.option("--industry", required=True)
@click.option("--persona", default="approachable", show_default=True)
@click.option("--channels", default=None, help="Comma-separated channels the plan may use (default: all).")
@click.option("--locale", default="zh-CN", show_default=True)
@click.option("--start", "start", required=True, help="First day, YYYY-MM-DD (local).")
@click.option("--product", default=None, help="Default: the industry's sample product.")
@click.option("--product-type", "product_type", default=None,
              help="deposit, fund, insurance, loan, drug, medical_device, health_food... (default: inferred).")
@click.option("--selling-point", "selling_points", multiple=True)
@click.option("--offer", default=None)
@click.option("--interest", "interests", multiple=True)
@click.option("--preferred-time", "preferred_times", multiple=True,
              help="Segment's time preference: 'weekend', 'fri 12:00', 'weekday evening'... repeatable.")
@click.option("--timezone", default=None, help="IANA zone (default per locale, e.g. Asia/Shanghai).")
@click.option("--quiet-hours", default=None, help="HH:MM-HH:MM (default 21:30-08:30).")
@click.option("--name", default=None)
@click.option("--dry-run", is_flag=True, help="Only the calendar: schedule without generating.")
@click.option("--save", is_flag=True, help="Store the plan and its touchpoints in the library.")
@click.option("--no-learn", is_flag=True,
              help="With --save: do not show the model what worked before for the plan's audience.")
@_as_option
@format_option("text", "json")
@db_option
def create_cmd(channels: str | None, start: str, dry_run: bool, save: bool, no_learn: bool, actor: str | None,
               fmt: str, db: str | None, **opts: Any) -> None:
    """Schedule a plan and generate every touchpoint (checked for compliance); --save stores it.

    \b
    contentgen plan create --segment dormant.high_value --objective reactivate --days 15 \\
        --persona professional --industry finance --channels wecom_1v1,group,moments,sms \\
        --locale zh-CN --start 2026-12-01 --save --as olga
    """
    from datetime import date

    from contentgen.plans import PlanRequest
    from contentgen.usecases import plans as plan_cases

    try:
        start_date = date.fromisoformat(start)
    except ValueError:
        raise UsageError(f"--start {start!r}: give a date as YYYY-MM-DD") from None
    data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items() if v not in (None, ())}
    if channels:
        data["channels"] = [c.strip() for c in channels.split(",") if c.strip()]
    req = PlanRequest.parse(start=start_date, **data)
    settings = Settings.load(db=db)
    lib = _library(db) if save else None
    # The calendar first: a template or constraint problem is reported before any generation.
    template, slots = plan_cases.schedule(req, settings=settings, lib=lib)
    if dry_run:
        rows = [{"seq": s.seq, "day": s.day, "date": s.local_date.isoformat(), "time": f"{s.local_time:%H:%M}",
                 "send_at": s.send_at_iso, "channel": s.channel, "content_type": s.content_type,
                 "purpose": s.purpose} for s in slots]
        emit_json(rows) if fmt == "json" else _print_calendar(template.title_in(req.locale), rows)
        return
    as_user = actor or os.environ.get("CONTENTGEN_USER")
    if sys.stderr.isatty():
        with click.progressbar(length=len(slots), label="generating", file=sys.stderr) as bar:
            created = plan_cases.create_plan(req, settings=settings, lib=lib, as_user=as_user, learn=not no_learn,
                                             on_progress=lambda done, total: bar.update(1))
    else:
        created = plan_cases.create_plan(req, settings=settings, lib=lib, as_user=as_user, learn=not no_learn)
    plan = created.plan
    rows = plan.calendar()
    plan_id = created.stored.id if created.stored else None
    offline = plan.touchpoints[0].draft.model.offline if plan.touchpoints else False
    if fmt == "json":
        emit_json({"id": plan_id, "title": plan.title, "saved": plan_id is not None, "offline_model": offline,
                   "touchpoints": [{**r, "text": t.draft.text, "findings": len(t.draft.compliance.findings)}
                                   for r, t in zip(rows, plan.touchpoints, strict=True)]})
        return
    _print_calendar(plan.title, rows)
    if offline:
        click.echo("(OFFLINE model: sample text, not the product's LLM)")
    if plan_id:
        click.echo(f"saved plan {plan_id}: review it with `contentgen plan submit {plan_id} --as USER`")
        click.echo(plan_id)
    else:
        click.echo("not saved: add --save to store it for review")


def _print_calendar(title: str, rows: list[dict[str, Any]]) -> None:
    click.secho(title, bold=True)
    for r in rows:
        status = r.get("status") or r.get("verdict") or ""
        mid = f"  {r['material_id']}" if r.get("material_id") else ""
        click.echo(f"{r['seq']:>2}. day {r['day']:>2}  {r['date']} {r.get('weekday', ''):<3} {r['time']}  "
                   f"{r['channel']:<16} {r['content_type']:<18} {status:<17}{mid}")
        click.echo(f"      {r['purpose']}")


@plan_group.command("show")
@click.argument("plan_id")
@click.option("--texts", is_flag=True, help="Also print each touchpoint's text.")
@format_option("text", "json")
@db_option
def show_cmd(plan_id: str, texts: bool, fmt: str, db: str | None) -> None:
    """The plan's calendar: day, time, channel, content type, status of every touchpoint."""
    from contentgen.usecases.plans import get_plan

    lib = _library(db)
    plan = get_plan(lib, plan_id)
    if fmt == "json":
        data = plan.model_dump(mode="json")
        if texts:
            for t in data["touchpoints"]:
                t["text"] = lib.get_version(t["material_id"], t["current_version"]).text
        emit_json(data)
        return
    counts = ", ".join(f"{n} {s}" for s, n in sorted(plan.counts.items()))
    click.secho(f"{plan.id}  {plan.name}", bold=True)
    click.echo(f"status {plan.status} ({counts}); {plan.segment}, {plan.industry}, {plan.locale}, "
               f"{plan.days} days from {plan.start_date} ({plan.timezone}); by {plan.author}")
    for t in plan.touchpoints:
        flag = f" {t.verdict}:{t.finding_count}" if t.finding_count else ""
        click.echo(f"{t.seq:>2}. day {t.day:>2}  {t.local_date} {t.local_time}  {t.channel:<16} "
                   f"{t.content_type:<18} {t.status:<17} v{t.current_version}{flag}  {t.material_id}")
        click.echo(f"      {t.purpose}")
        if texts:
            body = lib.get_version(t.material_id, t.current_version).text
            click.echo("      " + body.replace("\n", "\n      "))


@plan_group.command("list")
@click.option("--status", default=None, help="draft, in_review, changes_requested, approved, released...")
@click.option("--segment", default=None)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@format_option("text", "json")
@db_option
def list_cmd(status: str | None, segment: str | None, limit: int, fmt: str, db: str | None) -> None:
    """Plans, newest first, with their status."""
    from contentgen.usecases.plans import list_plans

    plans = list_plans(_library(db), status=status, segment=segment, limit=limit)
    if fmt == "json":
        emit_json([p.model_dump(mode="json", exclude={"touchpoints"}) for p in plans])
        return
    for p in plans:
        click.echo(f"{p.id}  {p.status:<18} {p.start_date} {p.days:>2}d  {p.segment:<24} {p.objective:<11} {p.name}")
    if not plans:
        click.echo("no plans yet: contentgen plan create ... --save")


def _unit_command(name: str, help_text: str) -> None:
    @plan_group.command(name, help=help_text)
    @click.argument("plan_id")
    @_as_option
    @click.option("--reason", default=None)
    @click.option("--include-warnings", is_flag=True,
                  help="approve: also touchpoints with warning-level findings (after reading them).")
    @format_option("text", "json")
    @db_option
    def cmd(plan_id: str, actor: str | None, reason: str | None, include_warnings: bool, fmt: str,
            db: str | None) -> int:
        from contentgen.usecases.plans import act_on_plan

        lib = _library(db)
        out = act_on_plan(lib, plan_id, name, actor=_actor(lib, actor), reason=reason,
                          include_warnings=include_warnings)
        if fmt == "json":
            emit_json(out.as_dict())
        else:
            done = {"submit": "submitted", "approve": "approved", "release": "released"}[name]
            for seq, mid, version in out.done:
                click.echo(f"#{seq} {mid} v{version}: {done}")
            for seq, mid, why in out.skipped:
                click.echo(f"#{seq} {mid}: held back: {why}")
            click.echo(f"plan {plan_id}: {len(out.done)} {done}, {len(out.skipped)} held back; "
                       f"status {out.status}")
        return 1 if out.skipped and not out.done else 0


_unit_command("submit", "Submit every draft touchpoint of the plan for review.")
_unit_command("approve", "Approve every clean touchpoint in review (four eyes and compliance apply to each).")
_unit_command("release", "Release every approved touchpoint: the schedule endpoint serves it when due.")


@plan_group.command("review")
@click.argument("plan_id")
@click.argument("seq", type=int)
@click.argument("action", type=click.Choice(["approve", "reject", "request-changes", "release", "submit"]))
@_as_option
@click.option("--reason", default=None)
@db_option
def review_cmd(plan_id: str, seq: int, action: str, actor: str | None, reason: str | None, db: str | None) -> None:
    """Act on ONE touchpoint: approve, reject, request-changes, release or submit it."""
    from contentgen.usecases.plans import review_touchpoint

    lib = _library(db)
    mv = review_touchpoint(lib, plan_id, seq, action.replace("-", "_"), actor=_actor(lib, actor), reason=reason)
    click.echo(f"#{seq} {mv.material_id} v{mv.version}: {mv.status}")


@plan_group.command("edit")
@click.argument("plan_id")
@click.argument("seq", type=int)
@click.option("--file", "file", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="JSON object with the content fields (- for stdin).")
@_as_option
@db_option
def edit_cmd(plan_id: str, seq: int, file: str, actor: str | None, db: str | None) -> None:
    """Edit ONE touchpoint into a new version; only it goes back to review."""
    from contentgen.usecases.plans import edit_touchpoint

    raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    try:
        content = json.loads(raw)
    except json.JSONDecodeError as e:
        raise UsageError(f"{file}: not JSON ({e.msg} at line {e.lineno})") from None
    lib = _library(db)
    mv = edit_touchpoint(lib, plan_id, seq, content=content, actor=_actor(lib, actor))
    click.echo(f"#{seq} {mv.material_id} v{mv.version}: {mv.status} (compliance {mv.verdict})")


def register(cli: click.Group) -> None:
    cli.add_command(plan_group)
