"""`contentgen export` and `contentgen import`: the whole library as JSON Lines."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from contentgen.cli._common import db_option
from contentgen.cli.library_cmd import open_library
from contentgen.errors import UsageError


@click.command("export")
@click.argument("file", default="-")
@db_option
def export_cmd(file: str, db: str | None) -> None:
    """Write the library (users, tokens hashed, materials, versions, audit) to FILE or stdout."""
    lib = open_library(db)
    if file == "-":
        n = lib.export_jsonl(sys.stdout)
        sys.stdout.flush()
    else:
        target = Path(file)
        if not target.parent.is_dir():
            raise UsageError(f"cannot write {file}: folder {target.parent} does not exist")
        # Write beside the target, then rename: an interrupted export never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fp:
                n = lib.export_jsonl(fp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    click.echo(f"exported {n} rows", err=True)


@click.command("import")
@click.argument("file")
@db_option
def import_cmd(file: str, db: str | None) -> None:
    """Load an export into an empty library (all or nothing)."""
    lib = open_library(db)
    if file == "-":
        n = lib.import_jsonl(sys.stdin)
    else:
        try:
            fp = open(file, encoding="utf-8")  # noqa: SIM115
        except OSError as e:
            raise UsageError(f"cannot read {file}: {e.strerror}") from None
        with fp:
            n = lib.import_jsonl(fp)
    click.echo(f"imported {n} rows into {lib.path}")


def register(cli: click.Group) -> None:
    cli.add_command(export_cmd)
    cli.add_command(import_cmd)
