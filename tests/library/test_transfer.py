"""Export and import: the whole library round-trips exactly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.errors import UsageError
from contentgen.usecases import open_library
from library import Library
from library.errors import ConflictError


def populate(lib: Library, draft_factory: Any) -> dict[str, str]:
    lib.users.add("pat", "operator", password="correct horse battery")
    token = lib.tokens.create("delivery-app", ["sms", "moments"])
    lib.tokens.create("old-app", ["sms"])
    lib.tokens.revoke("old-app")
    a = lib.save_draft(draft_factory(body="日本語のテキストです"), author="alice",
                       tags=["spring", "试用"], plan_id="plan_1", send_at="2025-05-01T12:00:00+08:00")
    lib.submit(a.material_id, 1, actor="alice")
    lib.approve(a.material_id, 1, actor="rita")
    lib.release(a.material_id, 1, actor="rita")
    b = lib.save_draft(draft_factory(blocked=True, channel="moments"), author="alice")
    lib.override(b.material_id, 1, actor="carl", justification="approved by legal 2025-04")
    lib.edit(b.material_id, base_version=1, actor="bob",
             content={"headline": "春季新品", "body": "温和洁面，最适合干皮", "cta": "咨询"})
    c = lib.save_draft(draft_factory(), author="alice")
    lib.submit(c.material_id, 1, actor="alice")
    lib.approve(c.material_id, 1, actor="ray")
    lib.release(c.material_id, 1, actor="ray")
    lib.retire(c.material_id, actor="carl", reason="season over")
    return {"token": token, "a": a.material_id, "b": b.material_id}


def test_round_trip_is_exact(lib: Library, draft_factory: Any, tmp_path: Path) -> None:
    made = populate(lib, draft_factory)
    first = io.StringIO()
    rows = lib.export_jsonl(first)
    assert rows > 20

    restored = open_library(tmp_path / "restored.db")
    assert restored.import_jsonl(io.StringIO(first.getvalue())) == rows
    second = io.StringIO()
    restored.export_jsonl(second)
    assert second.getvalue() == first.getvalue()

    # And it works like the original: logins, tokens, search, the feed, the workflow.
    assert restored.users.authenticate("pat", "correct horse battery").role == "operator"
    assert restored.tokens.authenticate(made["token"]).channels == ["sms", "moments"]
    assert restored.list(q="日本語").items[0].id == made["a"]
    assert restored.list(q="干皮").items[0].id == made["b"]
    assert [c.kind for c in restored.changes_since(channels=["sms"], after_seq=0)] == [
        "release", "release", "retire"]
    assert restored.history(made["b"]) == lib.history(made["b"])
    assert restored.get_version(made["b"], 1) == lib.get_version(made["b"], 1)
    restored.submit(made["b"], 2, actor="alice")  # v2 passes... after the warn-only edit
    restored.close()


def test_import_refuses_a_non_empty_library(lib: Library, draft_factory: Any) -> None:
    populate(lib, draft_factory)
    dump = io.StringIO()
    lib.export_jsonl(dump)
    with pytest.raises(ConflictError, match="is not empty; import into a new file"):
        lib.import_jsonl(io.StringIO(dump.getvalue()))


def test_import_rejects_what_is_not_an_export(tmp_path: Path) -> None:
    lib = open_library(tmp_path / "x.db")
    with pytest.raises(UsageError, match="not a contentgen library export"):
        lib.import_jsonl(io.StringIO('{"hello": 1}\n'))
    bad = '{"format": "contentgen-library", "version": 1, "migrations": []}\n{"table": "nope", "row": {"a": 1}}\n'
    with pytest.raises(UsageError, match="line 2: unknown table 'nope'"):
        lib.import_jsonl(io.StringIO(bad))
    assert lib.users.list() == []
    lib.close()
