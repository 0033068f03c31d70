"""`contentgen slots create|list|show`: approved variants behind one slot, picked per recipient."""

from __future__ import annotations

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import _actor, _as_option, open_library


@click.group("slots")
def slots_group() -> None:
    """Variant slots: the delivery API picks one released variant per recipient (Thompson sampling)."""


@slots_group.command("create")
@click.option("--materials", required=True, help="Comma-separated material ids: approved variants of one brief.")
@click.option("--metric", type=click.Choice(["clicked", "replied", "converted", "read"]),
              default="clicked", show_default=True, help="The outcome the slot learns from.")
@click.option("--holdout", type=click.FloatRange(0, 0.5), default=0.1, show_default=True,
              help="Share of recipients given a variant uniformly at random (for an unbiased comparison).")
@click.option("--name", default="", help="A label for people.")
@_as_option
@db_option
def create_cmd(materials: str, metric: str, holdout: float, name: str, actor: str | None,
               db: str | None) -> None:
    """Create a slot over approved variants; prints the slot id alone on the last line."""
    from library import slots

    lib = open_library(db)
    slot = slots.create_slot(lib, materials.split(","), metric=metric, actor=_actor(lib, actor),
                             holdout=holdout, name=name)
    click.echo(f"slot on {slot.channel} over {', '.join(slot.variants)}; learns from {metric}, "
               f"holdout {holdout:.0%}. Pick with GET /v1/slots/{slot.id}/pick?recipient=HASH")
    click.echo(slot.id)


@slots_group.command("list")
@format_option("text", "json")
@db_option
def list_cmd(fmt: str, db: str | None) -> None:
    """List slots, newest first: id, channel, metric, variants."""
    from library import slots

    found = slots.list_slots(open_library(db))
    if fmt == "json":
        emit_json([s.as_dict() for s in found])
        return
    for s in found:
        click.echo(f"{s.id}  {s.channel:<16} {s.metric:<9} {len(s.variants)} variants  {s.name}")


@slots_group.command("show")
@click.argument("slot_id")
@click.option("--min-n", "min_n", type=click.IntRange(min=1), default=30, show_default=True,
              help="Fewer picks than this: 'not enough data yet' instead of a rate.")
@format_option("text", "json")
@db_option
def show_cmd(slot_id: str, min_n: int, fmt: str, db: str | None) -> None:
    """One slot's variants: served now or not, picks, outcomes, rate, interval, lift."""
    from contentgen.cli.perf_cmd import show_slot_report
    from library import slots

    lib = open_library(db)
    report = slots.report(lib, slots.get_slot(lib, slot_id), min_n=min_n)
    if fmt == "json":
        emit_json(report)
    else:
        show_slot_report(report)


def register(cli: click.Group) -> None:
    cli.add_command(slots_group)
