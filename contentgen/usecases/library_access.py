"""Opening the library with the engine wired in: edits, imports and saves are re-checked by the
compliance engine, which the library itself does not import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contentgen.compliance import check_content
from contentgen.kernel.report import ComplianceReport
from library._db import is_url
from library.store import Library


def engine_checker(content: BaseModel, **context: Any) -> ComplianceReport:
    """The library's Checker: the compliance engine over the shipped (or configured) packs."""
    return check_content(content, **context)


def open_library(path: str | Path) -> Library:
    return Library.open(path, checker=engine_checker)


def pooled(target: str | Path) -> bool:
    """Whether one handle of this library serves every thread of a process: a PostgreSQL
    library's handle lends pooled connections per statement; a SQLite handle keeps one
    connection per thread, so faces with short-lived threads open their own."""
    return is_url(target)
