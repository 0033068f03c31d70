"""`contentgen export` never writes over the library or another database (issue 10, item 9)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from contentgen.testing import cli_main
from library import Library


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.sqlite_only  # the library as a file
def test_export_onto_the_library_itself_is_refused(lib: Library, draft_factory: Any, force: bool) -> None:
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    args = ["export", str(lib.target), "--db", str(lib.target)] + (["--force"] if force else [])
    code, _, err = cli_main(*args)
    assert code == 2 and "is the library itself" in err and "backup.jsonl" in err, err
    assert lib.path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert lib.get(mid).id == mid  # the library is still there, whole
    assert list(lib.path.parent.glob(".*.tmp")) == []


def test_export_onto_another_sqlite_file_needs_force(lib: Library, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    code, _, err = cli_main("export", str(other), "--db", str(lib.target))
    assert code == 2 and "is a SQLite database" in err and "--force" in err, err
    assert other.read_bytes()[:16] == b"SQLite format 3\x00"
    code, _, err = cli_main("export", str(other), "--db", str(lib.target), "--force")
    assert code == 0, err
    assert other.read_text(encoding="utf-8").startswith('{"format": "contentgen-library"')


def test_export_replaces_an_earlier_export(lib: Library, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    backup.write_text("old\n", encoding="utf-8")
    code, _, err = cli_main("export", str(backup), "--db", str(lib.target))
    assert code == 0, err
    assert backup.read_text(encoding="utf-8").startswith('{"format"')
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
