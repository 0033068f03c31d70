"""`contentgen events import`: outcome events from a channel's CSV export (no webhook needed)."""

from __future__ import annotations

import sys

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import open_library


@click.group("events")
def events_group() -> None:
    """Outcome events (delivered, read, clicked, replied, converted, ...) for released versions."""


@events_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--channel", default=None,
              help="Channel of rows without a channel column, e.g. wecom_1v1.")
@click.option("--source", default="csv-import", show_default=True,
              help="Whose event ids these are: importing the same ids from one source twice adds nothing.")
@format_option("text", "json")
@db_option
def import_cmd(file: str, channel: str | None, source: str, fmt: str,
               db: str | None) -> None:
    """Import a CSV of events (FILE or - for stdin); all or nothing, every bad line listed."""
    from contentgen.kernel import vocab
    from contentgen.kernel.errors import check_identifier
    from library.outcomes_csv import import_csv

    if channel is not None:
        check_identifier("channel", channel, vocab.CHANNELS)
    from contentgen.kernel.errors import UsageError

    lib = open_library(db)
    if file == "-":
        result = import_csv(lib, sys.stdin, channel=channel, source=source)
    else:
        try:
            # utf-8-sig: spreadsheet exports often start with a byte-order mark.
            with open(file, encoding="utf-8-sig", newline="") as fp:
                result = import_csv(lib, fp, channel=channel, source=source)
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"cannot read {file}: {e}") from None
    if fmt == "json":
        emit_json(result.as_dict())
        return
    click.echo(f"{result.received} events read: {result.accepted} stored, "
               f"{result.duplicates} duplicates (already stored, not added again)")
    if result.ignored_columns:
        click.echo(f"ignored columns (not stored): {', '.join(result.ignored_columns)}")


def register(cli: click.Group) -> None:
    cli.add_command(events_group)
