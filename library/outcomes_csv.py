"""Outcome events from a CSV export, for channels without webhooks (e.g. a WeCom 1:1 export).

    result = import_csv(lib, open("wecom_export.csv", newline=""), channel="wecom_1v1")

Columns (a header line first, any order): `material_id`, `version`, `recipient`, `type`, `at`,
and optionally `id`, `channel` (else the `channel` argument), `delivery_id`, `value`. Other
columns are ignored and never stored (exports often carry nicknames or phone numbers); the
result names them. A row without an id gets one derived from what it says, so importing the
same file twice adds nothing. The file is all or nothing, as an API batch is: every problem is
listed with its line number, and nothing is stored until none is left.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from library.outcomes import EventsRefused, OutcomeEventIn, connection, prepare, store

if TYPE_CHECKING:
    from library.store import Library

COLUMNS = ("id", "delivery_id", "material_id", "version", "channel", "recipient", "type", "at", "value")
REQUIRED = ("recipient", "type", "at")
DEFAULT_SOURCE = "csv-import"
_CHUNK = 5000  # rows checked per query round; the whole file is stored in one transaction


@dataclass(frozen=True)
class CsvImport:
    received: int
    accepted: int
    duplicates: int
    ignored_columns: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "accepted": self.accepted, "duplicates": self.duplicates,
                "ignored_columns": list(self.ignored_columns)}


def _derived_id(row: dict[str, str]) -> str:
    canonical = "|".join(row.get(c, "").strip() for c in COLUMNS if c != "id")
    return "row-" + hashlib.blake2b(canonical.encode(), digest_size=12).hexdigest()


def _event(row: dict[str, str], channel: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {c: (row.get(c) or "").strip() for c in COLUMNS}
    data = {k: v for k, v in data.items() if v != ""}
    if "channel" not in data and channel:
        data["channel"] = channel
    data["id"] = data.get("id") or _derived_id(row)
    return data


def import_csv(lib: Library | sqlite3.Connection, fp: IO[str], *, channel: str | None = None,
               source: str = DEFAULT_SOURCE) -> CsvImport:
    """Check every row, then store them all once each (duplicates counted, never added twice)."""
    conn = connection(lib)
    reader = csv.DictReader(fp)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise EventsRefused(["the file is empty; the first line names the columns: "
                             + ", ".join(COLUMNS)])
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if "delivery_id" not in header:
        missing += [c for c in ("material_id", "version") if c not in header]
    if missing:
        raise EventsRefused([f"the header has no {', '.join(missing)} column; columns: "
                             + ", ".join(COLUMNS)])
    ignored = tuple(h for h in header if h not in COLUMNS)
    problems: list[str] = []
    advice: list[str] = []
    rows: list[tuple[Any, ...]] = []
    chunk: list[OutcomeEventIn] = []
    labels: list[str] = []

    def check() -> None:
        try:
            rows.extend(prepare(conn, chunk, source=source, labels=labels))
        except EventsRefused as e:
            problems.extend(e.problems)
            advice.extend([e.advice] if e.advice else [])
        chunk.clear()
        labels.clear()

    for raw in reader:
        line = reader.line_num
        try:
            chunk.append(OutcomeEventIn.model_validate(_event(raw, channel)))
            labels.append(f"line {line}")
        except ValidationError as e:
            for err in e.errors():
                where = ".".join(str(x) for x in err.get("loc", ())) or "row"
                problems.append(f"line {line}: {where}: {err.get('msg', 'invalid').removeprefix('Value error, ')}")
        if len(chunk) >= _CHUNK:
            check()
    check()
    if problems:
        raise EventsRefused(problems, advice[0] if advice else None)
    done = store(conn, rows)
    return CsvImport(done.received, done.accepted, done.duplicates, ignored)
