"""`contentgen perf`: outcome rates with 95% intervals, grouped; or one slot's variants."""

from __future__ import annotations

from typing import Any

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import open_library


def _pct(rate: dict[str, Any]) -> str:
    return f"{rate['rate']:.1%} [{rate['low']:.1%}–{rate['high']:.1%}]"


def show_slot_report(report: dict[str, Any]) -> None:
    """A slot's variants as text (shared with `contentgen slots show`)."""
    slot = report["slot"]
    metric = slot["metric"]
    click.echo(f"{slot['id']}  {slot['channel']}  on {metric}, holdout {slot['holdout']:.0%}"
               + (f"  ({slot['name']})" if slot["name"] else ""))
    for v in report["variants"]:
        served = f"v{v['released_version']} released" if v["released_version"] else "not served now"
        head = f"  {v['material_id']}  {served:<16} picked {v['picked']:>6}  {metric} {v[metric]:>5}"
        if v["rate"] is None:
            click.echo(f"{head}  {v['note']}")
            continue
        lift = "" if v["lift_vs_others"] is None else f"  lift vs others {v['lift_vs_others']:+.0%}"
        click.echo(f"{head}  {_pct(v)}{lift}")


@click.command("perf")
@click.option("--by", "by", default="material", show_default=True,
              help="Comma-separated: material, version, prompt, segment, channel, persona, industry, "
              "content_type, locale, plan, touchpoint, day, week, edited (sent as approved, edited after "
              "approval, or sent text not reported).")
@click.option("--since", default=None, help="First day (UTC, YYYY-MM-DD) of sends counted.")
@click.option("--until", default=None, help="Day after the last one counted (UTC, YYYY-MM-DD).")
@click.option("--min-n", "min_n", type=click.IntRange(min=1), default=30, show_default=True,
              help="Fewer recipients than this: 'not enough data yet' instead of a rate.")
@click.option("--slot", "slot_id", default=None,
              help="One slot's variants instead: rate, interval and lift against the others.")
@format_option("text", "json")
@db_option
def perf(by: str, since: str | None, until: str | None, min_n: int, slot_id: str | None, fmt: str,
         db: str | None) -> None:
    """Outcome rates (read, clicked, replied, converted, ...) with 95% Wilson intervals."""
    from library import performance, slots

    lib = open_library(db)
    if slot_id is not None:
        report = slots.report(lib, slots.get_slot(lib, slot_id), min_n=min_n)
        if fmt == "json":
            emit_json(report)
        else:
            show_slot_report(report)
        return
    result = performance.performance(lib, by=performance.parse_by(by), since=since, until=until,
                                     min_reached=min_n)
    if fmt == "json":
        emit_json(result)
        return
    if not result["groups"]:
        click.echo("no outcome events yet" + (f" since {since}" if since else "")
                   + ": POST /v1/events or contentgen events import")
        return
    for g in result["groups"]:
        key = "  ".join(f"{k}={v if v is not None else '-'}" for k, v in g["key"].items())
        if g["note"]:
            click.echo(f"{key}  reached {g['reached']}: {g['note']}")
            continue
        click.echo(f"{key}  reached {g['reached']}")
        rates = g["rates"]
        click.echo("    " + "  ".join(f"{name} {_pct(rates[name])}" for name in result["rates"]))


def register(cli: click.Group) -> None:
    cli.add_command(perf)
