"""Move a library to another backend (a team's SQLite file up to PostgreSQL), verified.

    report = copy_library("contentgen.db", "postgresql://contentgen@db/contentgen")
    report.tables    # {"materials": (1204, "9f2c…"), …}: rows and a digest per table, equal on both

The source is exported (one consistent snapshot, library.transfer) and imported into the target
in one transaction, so a failure leaves the target as empty as it was. The target must be empty:
a copy never merges. Afterwards both are exported again and compared table by table (row count
and a SHA-256 over every row's canonical JSON); any difference is an error naming the table.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from library import migrations
from library._db import connections, redacted
from library.errors import ConflictError, LibraryError
from library.store import Library
from library.transfer import import_library

Digests = dict[str, tuple[int, str]]  # table -> (rows, digest)


@dataclass
class CopyReport:
    source: str
    target: str
    rows: int = 0
    tables: Digests = field(default_factory=dict)


def migrate(target: str | Path) -> list[str]:
    """Create or bring a library's schema up to date; the names of the migrations applied now."""
    conns = connections(target)
    try:
        return migrations.apply(conns.db())
    finally:
        conns.close()


def digests(fp: IO[str]) -> Digests:
    """Rows and a digest per table of an export: order-free (sorted row hashes), key-order-free."""
    per_table: dict[str, list[str]] = {}
    fp.readline()  # the header
    for line in fp:
        if not line.strip():
            continue
        rec = json.loads(line)
        row = json.dumps(rec["row"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        per_table.setdefault(rec["table"], []).append(hashlib.sha256(row.encode()).hexdigest())
    return {t: (len(h), hashlib.sha256("".join(sorted(h)).encode()).hexdigest())
            for t, h in sorted(per_table.items())}


def _export(lib: Library, fp: IO[str]) -> Digests:
    fp.seek(0)
    fp.truncate()
    lib.export_jsonl(fp)
    fp.seek(0)
    return digests(fp)


def copy_library(source: str | Path, target: str | Path, *,
                 progress: Callable[[str], None] = lambda _: None) -> CopyReport:
    if str(source) == str(target):
        raise ConflictError("the source and the target are the same library")
    if not str(source).startswith(("postgresql://", "postgres://")) and not Path(source).is_file():
        raise LibraryError(f"no library at {source}: give the file to copy with --from")
    src, dst = Library.open(source), Library.open(target)
    report = CopyReport(source=src.name, target=dst.name)
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as fp:
            before = _export(src, fp)
            report.rows = sum(n for n, _ in before.values())
            progress(f"exported {report.rows} rows from {src.name}")
            fp.seek(0)
            # No re-check: the same rows, already checked; import refuses a non-empty target.
            import_library(dst._db(), fp, checker=None)
            progress(f"imported into {dst.name}; verifying")
            after = _export(dst, fp)
        wrong = [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]
        if wrong:
            raise LibraryError("the copy differs from the source in " + ", ".join(
                f"{t} ({before.get(t, (0, ''))[0]} rows there, {after.get(t, (0, ''))[0]} here)"
                for t in wrong))
        report.tables = after
        return report
    finally:
        src.close()
        dst.close()


def name(target: str | Path) -> str:
    return redacted(str(target))
