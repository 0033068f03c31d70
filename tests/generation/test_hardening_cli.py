"""Who saves and on which version: `generate --save --as` and `library edit` (issue 10, items 7, 8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from contentgen.testing import cli_main
from contentgen.usecases import open_library

GENERATE = ["generate", "--industry", "food", "--segment", "new.mass", "--content-type", "push",
            "--channel", "app_push", "--product", "燕麦脆", "--save", "--format", "json", "-q"]
EXE = Path(sys.executable).parent / "contentgen"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "lib.db"
    lib = open_library(path)
    for name, role in (("olga", "operator"), ("bob", "operator"), ("rui", "reviewer")):
        lib.users.add(name, role)
    lib.close()
    return path


def _count(db: Path) -> int:
    lib = open_library(db)
    try:
        return int(lib.list(limit=1).total)
    finally:
        lib.close()


# ---- item 7: generate --save --as ----------------------------------------------------------


def test_save_as_an_unknown_user_is_refused_before_generating(db: Path) -> None:
    code, out, err = cli_main(*GENERATE, "--as", "ghost", "--db", str(db))
    assert code == 1 and out == ""
    assert err == ("Error: unknown user 'ghost'; add one with: contentgen users add ghost "
                   "--role operator\n")
    assert _count(db) == 0


def test_save_as_a_role_that_may_not_author_is_refused(db: Path) -> None:
    code, _, err = cli_main(*GENERATE, "--as", "rui", "--db", str(db))
    assert code == 1 and "rui (reviewer) may not create" in err
    assert _count(db) == 0


def test_contentgen_user_is_checked_the_same(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTGEN_USER", "ghost")
    code, _, err = cli_main(*GENERATE, "--db", str(db))
    assert code == 1 and "unknown user 'ghost'" in err


def test_save_as_an_operator_records_them_as_author(db: Path) -> None:
    code, out, err = cli_main(*GENERATE, "--as", "olga", "--db", str(db))
    assert code == 0, err
    [draft] = json.loads(out)
    lib = open_library(db)
    try:
        assert lib.get_version(draft["material_id"], 1).author == "olga"
        assert [(e.actor, e.role) for e in lib.history(draft["material_id"])] == [("olga", "operator")]
    finally:
        lib.close()


# ---- item 8: library edit acts on the version it read ---------------------------------------


@pytest.fixture
def material(db: Path) -> str:
    code, out, err = cli_main(*GENERATE, "--as", "olga", "--db", str(db))
    assert code == 0, err
    return str(json.loads(out)[0]["material_id"])


def _content(db: Path, mid: str, body: str) -> dict[str, object]:
    lib = open_library(db)
    try:
        content = dict(lib.get_version(mid, lib.get(mid).current_version).content)
    finally:
        lib.close()
    content["body"] = body
    return content


def _bob_edits(db: Path, mid: str) -> None:
    lib = open_library(db)
    try:
        lib.edit(mid, base_version=1, content=_content(db, mid, "燕麦脆上新，bob 的修改。"), actor="bob")
    finally:
        lib.close()


def test_a_change_made_while_the_edit_is_read_is_a_conflict_not_a_lost_update(
        db: Path, material: str, tmp_path: Path) -> None:
    """The CLI reads the current version first; saving on it after someone else saved fails."""
    fifo = tmp_path / "edit.json"
    os.mkfifo(fifo)
    proc = subprocess.Popen([str(EXE), "library", "edit", material, "--file", str(fifo), "--as", "olga",
                             "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Opening the FIFO waits until the CLI opens it to read its edit: it has started.
        with fifo.open("w", encoding="utf-8") as w:
            _bob_edits(db, material)  # a concurrent edit lands while olga's is on its way
            w.write(json.dumps(_content(db, material, "燕麦脆上新，olga 的修改。"), ensure_ascii=False))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "version 1 of" in err and "stale" in err and "--base 2" in err
    lib = open_library(db)
    try:
        m = lib.get(material)
        assert m.current_version == 2  # bob's change is kept, olga's is not written over it
        assert "bob" in lib.get_version(material, 2).content["body"]
    finally:
        lib.close()


def test_edit_from_a_show_document_uses_the_version_shown(db: Path, material: str, tmp_path: Path) -> None:
    code, shown, _ = cli_main("library", "show", material, "--format", "json", "--db", str(db))
    assert code == 0
    _bob_edits(db, material)  # after olga looked at v1
    doc = json.loads(shown)
    doc["version"]["content"]["body"] = "燕麦脆上新，olga 看着 v1 改的。"
    f = tmp_path / "mine.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, err = cli_main("library", "edit", material, "--file", str(f), "--as", "olga", "--db", str(db))
    assert code == 1 and "version 1 of" in err and "stale" in err and str(f) in err
    assert _count(db) == 1


def test_stdin_edit_that_conflicts_is_kept_in_a_file(db: Path, material: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from contentgen.cli import library_cmd

    real_read = library_cmd._read_edit
    body = "燕麦脆上新，olga 从 stdin 写的。"

    def slow_read(file: str) -> str:
        text = real_read(file)
        _bob_edits(db, material)  # lands after the CLI read v1, before it saves
        return text

    monkeypatch.setattr(library_cmd, "_read_edit", slow_read)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(
        json.dumps(_content(db, material, body), ensure_ascii=False)))
    code, _, err = cli_main("library", "edit", material, "--file", "-", "--as", "olga", "--db", str(db))
    assert code == 1 and "stale" in err
    kept = Path(err.split("your edit is kept in ")[1].split()[0].rstrip(";,.:"))
    assert json.loads(kept.read_text(encoding="utf-8"))["body"] == body
    kept.unlink()


def test_edit_without_a_race_still_works(db: Path, material: str, tmp_path: Path) -> None:
    f = tmp_path / "ok.json"
    f.write_text(json.dumps(_content(db, material, "燕麦脆上新，第二版。"), ensure_ascii=False),
                 encoding="utf-8")
    code, out, err = cli_main("library", "edit", material, "--file", str(f), "--as", "olga", "--db", str(db))
    assert code == 0, err
    assert "v2: saved as draft" in out


def test_many_concurrent_edits_never_lose_one(db: Path, material: str, tmp_path: Path) -> None:
    """Four editors that all read v1: exactly one wins, the others are told, none is silently lost."""
    results: list[int] = []
    files = []
    for i in range(4):
        f = tmp_path / f"e{i}.json"
        f.write_text(json.dumps(_content(db, material, f"燕麦脆上新，第 {i} 位编辑。"), ensure_ascii=False),
                     encoding="utf-8")
        files.append(f)
    doc = json.loads(cli_main("library", "show", material, "--format", "json", "--db", str(db))[1])

    def edit(f: Path) -> None:
        mine = {**doc, "version": {**doc["version"], "content": json.loads(f.read_text(encoding="utf-8"))}}
        f.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run([str(EXE), "library", "edit", material, "--file", str(f), "--as", "olga",
                               "--db", str(db)], capture_output=True, text=True, timeout=120)
        results.append(proc.returncode)

    threads = [threading.Thread(target=edit, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 1, 1]
    lib = open_library(db)
    try:
        assert lib.get(material).current_version == 2
    finally:
        lib.close()
