"""`contentgen library edited-after-approval`: sends whose text differs from what was approved."""

from __future__ import annotations

from typing import Any

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import _actor, _as_option, open_library


def _show(item: dict[str, Any]) -> None:
    """One edited send as plain text: a header line, the finding, the diff indented."""
    where = f"delivery {item['delivery_id']}" if item["delivery_id"] is not None else ""
    if item["event_id"] is not None:
        where = f"event {item['event_id']}"
    verdict = item["recheck_verdict"] or "not re-checked"
    click.echo(f"#{item['id']}  {item['material_id']} v{item['version']}  {item['channel']}  "
               f"{item['status']}  re-check {verdict}  sent by {item['sender'] or '-'} via "
               f"{item['client']} ({where}) at {item['received_at']}")
    if item["finding"]:
        click.echo(f"    {item['finding']['severity']}: {item['finding']['message']}")
    for rule in (item["recheck"] or {}).get("findings", []):
        click.echo(f"    {rule['severity']} {rule['rule']}: {rule['match']!r} {rule['message']}")
    for line in (item["diff"] or "").splitlines():
        click.echo(f"    {line}")
    if item["status"] == "reviewed":
        click.echo(f"    reviewed by {item['reviewed_by']} at {item['reviewed_at']}: {item['review_note']}")


@click.command("edited-after-approval")
@click.option("--status", type=click.Choice(["open", "reviewed", "all"]), default="open",
              show_default=True, help="open: the reviewer's queue; reviewed: done; all: both.")
@click.option("--material", "material_id", default=None, help="Only this material's sends.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@format_option("text", "json")
@db_option
def edited_after_approval_cmd(status: str, material_id: str | None, limit: int, offset: int,
                              fmt: str, db: str | None) -> None:
    """Sends whose text was edited after approval: diff, sender and compliance re-check."""
    from library import sent_text

    items = sent_text.edited_after_approval(open_library(db), status=None if status == "all" else status,
                                            material_id=material_id, limit=limit, offset=offset)
    if fmt == "json":
        emit_json(items)
        return
    if not items:
        click.echo("no edited sends" + (" waiting for review" if status == "open" else ""))
        return
    for item in items:
        _show(item)


@click.command("edited-after-approval-done")
@click.argument("item_id", type=click.IntRange(min=1))
@click.option("--note", required=True, help="What was done (talked to the sender, a new version...).")
@_as_option
@format_option("text", "json")
@db_option
def edited_after_approval_done_cmd(item_id: int, note: str, actor: str | None, fmt: str,
                                   db: str | None) -> None:
    """Take an edited send out of the queue, with a note (reviewers and compliance)."""
    from library import sent_text

    lib = open_library(db)
    item = sent_text.resolve(lib, item_id, actor=_actor(lib, actor), note=note)
    if fmt == "json":
        emit_json(item)
        return
    click.echo(f"edited send #{item_id} reviewed by {item['reviewed_by']}")


def register(cli: click.Group) -> None:
    group = cli.commands["library"]  # library_cmd registers it first (COMMAND_MODULES order)
    assert isinstance(group, click.Group)
    group.add_command(edited_after_approval_cmd)
    group.add_command(edited_after_approval_done_cmd)
