"""`contentgen db migrate|copy`: a library's schema, and moving a library to another backend."""

from __future__ import annotations

import click

from contentgen.cli._common import db_option


@click.group("db")
def db_group() -> None:
    """Create or upgrade a library's schema; copy a library to PostgreSQL (verified)."""


@db_group.command("migrate")
@db_option
def migrate_cmd(db: str | None) -> None:
    """Create the library's tables, or apply the migrations it lacks (safe to rerun)."""
    from contentgen.kernel.config import Settings
    from library import db_copy

    target = Settings.load(db=db).db_path
    applied = db_copy.migrate(target)
    click.echo(f"{db_copy.name(target)}: " + (f"applied {len(applied)} migrations: "
                                              + ", ".join(applied) if applied else "up to date"))
    # A PostgreSQL URL (a file is a Path): the task queue lives in that database, in its own schema.
    if isinstance(target, str):
        from contentgen.usecases import batch_queue

        created = batch_queue.ensure_schema(str(target))
        click.echo(f"task queue (schema {batch_queue.SCHEMA}): " + ("created" if created else "up to date"))


@db_group.command("copy")
@click.option("--from", "source", required=True, metavar="PATH|URL", help="The library to copy.")
@click.option("--to", "target", required=True, metavar="PATH|URL",
              help="An empty library to copy into, e.g. postgresql://contentgen@db/contentgen.")
def copy_cmd(source: str, target: str) -> None:
    """Copy every row to an empty library, then verify counts and digests table by table."""
    from library import db_copy

    report = db_copy.copy_library(source, target, progress=lambda line: click.echo(line, err=True))
    for table, (rows, digest) in report.tables.items():
        click.echo(f"  {table:<18} {rows:>8} rows  sha256 {digest[:16]}")
    click.echo(f"copied {report.rows} rows from {report.source} to {report.target}: verified")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
