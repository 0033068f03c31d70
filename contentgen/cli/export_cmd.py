"""`contentgen export` and `contentgen import`: the whole library as JSON Lines."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import db_option
from contentgen.cli.library_cmd import open_library
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import UsageError

_SQLITE_MAGIC = b"SQLite format 3\x00"


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def check_target(target: Path, library: Path | str, force: bool) -> None:
    """Never replace the library itself, nor (without --force) any other SQLite file."""
    lib_files = [] if not isinstance(library, Path) else [
        library, *(library.with_name(library.name + s) for s in ("-wal", "-shm", "-journal"))]
    if target.exists() and any(target.exists() and f.exists() and target.samefile(f) for f in lib_files):
        raise UsageError(f"{target} is the library itself ({library}); export writes JSON Lines to "
                         "another file, e.g. contentgen export backup.jsonl --db "
                         f"{library}")
    if _is_sqlite(target) and not force:
        raise UsageError(f"{target} is a SQLite database; export writes JSON Lines and would replace it. "
                         "Pick another file, or add --force to overwrite it")


@click.command("export")
@click.argument("file", default="-")
@click.option("--force", is_flag=True, help="Overwrite FILE even if it is a SQLite database "
              "(never the library itself).")
@db_option
def export_cmd(file: str, force: bool, db: str | None) -> None:
    """Write the library (users, tokens hashed, materials, versions, audit) to FILE or stdout."""
    if file != "-":
        check_target(Path(file), Settings.load(db=db).db_path, force)
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
    """Load an export into an empty library (all or nothing), re-checked with today's rules.

    Every row is validated; approved and released versions need a valid review in the file's
    audit trail; what today's rules block is withdrawn from delivery. Prints what came in.
    """
    from library.transfer import import_into

    lib = open_library(db)
    checker = _rule_pack_checker(Settings.load(db=db).rules_dir)
    if file == "-":
        # surrogateescape: a stray byte becomes one error naming its line, not a traceback.
        sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
        report = import_into(lib, sys.stdin, checker=checker)
    else:
        try:
            fp = open(file, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
        except OSError as e:
            raise UsageError(f"cannot read {file}: {e.strerror}") from None
        with fp:
            report = import_into(lib, fp, checker=checker)
    for line in report.lines():
        click.echo(line)
    click.echo(f"into {lib.name}")


def _rule_pack_checker(rules_dir: Path) -> Callable[..., Any]:
    """The compliance engine over one load of the rule packs (not one load per version):
    the library stays free of the engine, the CLI hands it the checks it needs."""
    from contentgen.compliance import check_content, load_packs

    packs = load_packs(rules_dir)

    def check(content: Any, **context: Any) -> Any:
        return check_content(content, packs=packs, **context)

    return check


def register(cli: click.Group) -> None:
    cli.add_command(export_cmd)
    cli.add_command(import_cmd)
