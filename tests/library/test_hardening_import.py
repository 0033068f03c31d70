"""Import is untrusted input (issue 10, items 2, 3, 10, 12): validated, consistent, re-checked."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contentgen.kernel.errors import UsageError
from contentgen.kernel.schemas import CONTENT_MODELS, content_text
from contentgen.testing import cli_main
from contentgen.usecases import open_library
from library import Library
from library import released as dq
from library.transfer import import_into

Records = list[dict[str, Any]]


def export(lib: Library) -> tuple[str, Records]:
    buf = io.StringIO()
    lib.export_jsonl(buf)
    header, *lines = buf.getvalue().splitlines()
    return header, [json.loads(line) for line in lines]


def dump(header: str, records: Records) -> str:
    return "\n".join([header, *(json.dumps(r, ensure_ascii=False) for r in records)]) + "\n"


def rows(records: Records, table: str, **match: Any) -> list[dict[str, Any]]:
    return [r["row"] for r in records if r["table"] == table
            and all(r["row"].get(k) == v for k, v in match.items())]


def released(lib: Library, draft_factory: Callable[..., Any], **kw: Any) -> str:
    mid = lib.save_draft(draft_factory(**kw), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    lib.approve(mid, 1, actor="rita")
    lib.release(mid, 1, actor="rita")
    return str(mid)


@pytest.fixture
def fresh(tmp_path: Path) -> Any:
    from tests.library.conftest import word_checker

    restored = Library.open(tmp_path / "restored.db", checker=word_checker)
    yield restored
    restored.close()


def assert_nothing_written(lib: Library) -> None:
    assert lib.users.list() == [] and lib.tokens.list() == [] and lib.list().total == 0
    assert lib.audit_log() == []


# ---- item 10: keys are never SQL ------------------------------------------------------------


def test_a_crafted_key_is_refused_not_spliced_into_sql(lib: Library, fresh: Library) -> None:
    lib.users.add("root", "admin", password="correct horse battery")
    header, records = export(lib)
    key = ("role], [password_hash], [created_at]) SELECT ?, 'admin', (SELECT password_hash FROM users"
           " WHERE name = ?), '2025-01-01T00:00:00Z' --")
    records.insert(0, {"table": "users", "row": {"name": "mallory", key: "root"}})
    with pytest.raises(UsageError, match=r"^line 2: table users has no column .role\], \[password_hash"):
        fresh.import_jsonl(io.StringIO(dump(header, records)))
    assert_nothing_written(fresh)


# ---- item 2: no approved or released state without a valid review --------------------------


def test_a_released_draft_with_an_extra_admin_and_token_is_refused(lib: Library, draft_factory: Any,
                                                                   fresh: Library) -> None:
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    header, records = export(lib)
    for r in rows(records, "materials", id=mid):
        r.update(status="released", released_version=1)
    for r in rows(records, "versions", material_id=mid):
        r["status"] = "released"
    records.insert(0, {"table": "users", "row": {"name": "mallory", "role": "admin",
                                                 "created_at": "2025-01-01T00:00:00Z"}})
    records.append({"table": "changes", "row": {"seq": 1, "material_id": mid, "version": 1, "kind": "release",
                                                "channel": "sms", "at": "2025-01-01T00:00:00Z"}})
    with pytest.raises(UsageError, match=f"{mid} v1 is released but has no approval by a reviewer"):
        fresh.import_jsonl(io.StringIO(dump(header, records)))
    assert_nothing_written(fresh)


@pytest.mark.parametrize("approver,role", [("alice", "operator"), ("alice", "reviewer"), ("bob", "reviewer"),
                                           ("nobody", "admin")])
def test_a_forged_approval_is_refused(lib: Library, draft_factory: Any, fresh: Library,
                                      approver: str, role: str) -> None:
    """The author herself, a role the users table does not give, someone unknown: no approval."""
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    header, records = export(lib)
    for table in ("materials", "versions"):
        for r in rows(records, table, **({"id": mid} if table == "materials" else {"material_id": mid})):
            r["status"] = "approved"
    records.append({"table": "audit", "row": {
        "id": 99, "at": "2025-01-01T00:00:00Z", "actor": approver, "role": role, "action": "approve",
        "material_id": mid, "version": 1, "from_status": "in_review", "to_status": "approved"}})
    with pytest.raises(UsageError, match="is approved but has no approval by a reviewer who did not author it"):
        fresh.import_jsonl(io.StringIO(dump(header, records)))
    assert_nothing_written(fresh)


def test_violating_text_marked_pass_is_withdrawn_not_served(lib: Library, draft_factory: Any,
                                                            fresh: Library) -> None:
    mid = released(lib, draft_factory)
    header, records = export(lib)
    (version,) = rows(records, "versions", material_id=mid)
    content = json.loads(version["content"])
    content["body"] = "保本高收益，稳赚不赔"  # an error for word_checker; the stored report still says pass
    version["content"] = json.dumps(content, ensure_ascii=False)
    report = import_into(fresh, io.StringIO(dump(header, records)))
    assert [w.split(" ")[0] for w in report.withdrawn] == [mid]
    m = fresh.get(mid)
    assert m.released_version is None and m.status == "withdrawn"
    v = fresh.get_version(mid, 1)
    assert v.verdict == "block" and "保本" in v.text  # shown as it is: the content, not a stale text
    assert dq.released_page_rows(fresh._db().conn, channels=["sms"]) == ([], False)
    assert [c.kind for c in fresh.changes_since(channels=["sms"])] == ["release", "retire"]
    assert fresh.history(mid)[-1].action == "withdraw"


def test_shown_text_is_the_served_content(lib: Library, draft_factory: Any, fresh: Library) -> None:
    mid = released(lib, draft_factory)
    header, records = export(lib)
    (version,) = rows(records, "versions", material_id=mid)
    version["text"], version["title"] = "an innocent text nobody will send", "innocent"
    report = import_into(fresh, io.StringIO(dump(header, records)))
    assert report.rederived >= 1
    v = fresh.get_version(mid, 1)
    served = CONTENT_MODELS["push"].model_validate(v.content)
    assert v.text == content_text(served) and "innocent" not in v.text
    assert fresh.list(q="innocent").total == 0


# ---- item 3: the author of record and the audit trail agree --------------------------------


def test_a_rewritten_author_is_refused(lib: Library, draft_factory: Any, fresh: Library) -> None:
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    header, records = export(lib)
    for r in rows(records, "versions", material_id=mid):
        r["author"] = "bob"  # so that alice could approve her own version after the import
    for r in rows(records, "materials", id=mid):
        r["created_by"] = "bob"
    with pytest.raises(UsageError, match=r"versions.author of .* is 'bob', but the audit trail \(line \d+\) "
                                         r"says 'alice' made it"):
        fresh.import_jsonl(io.StringIO(dump(header, records)))
    assert_nothing_written(fresh)


def test_a_cut_lineage_is_refused(lib: Library, draft_factory: Any, fresh: Library) -> None:
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    lib.edit(mid, base_version=1, actor="bob", content={"body": "新版文案，回复1领取。", "title": "",
                                                         "send_window": {"start": "10:00", "end": "20:00"}})
    lib.submit(mid, 2, actor="bob")
    header, records = export(lib)
    rows(records, "versions", material_id=mid, version=2)[0]["parent_version"] = None
    with pytest.raises(UsageError, match="parent_version of .* v2 must be 1"):
        fresh.import_jsonl(io.StringIO(dump(header, records)))
    assert_nothing_written(fresh)


def test_the_imported_lineage_binds_four_eyes(lib: Library, draft_factory: Any, fresh: Library) -> None:
    from library.errors import PermissionDenied

    mid = lib.save_draft(draft_factory(), author="ada").material_id  # an admin may approve...
    lib.edit(mid, base_version=1, actor="bob", content={"body": "新版文案，回复1领取。", "title": "",
                                                         "send_window": {"start": "10:00", "end": "20:00"}})
    lib.submit(mid, 2, actor="bob")
    header, records = export(lib)
    import_into(fresh, io.StringIO(dump(header, records)))
    with pytest.raises(PermissionDenied, match="four eyes: ada authored version 1, an ancestor of version 2"):
        fresh.approve(mid, 2, actor="ada")  # ...but not what she wrote, in any version of it
    assert fresh.approve(mid, 2, actor="rita").status == "approved"


def test_in_review_content_that_now_blocks_goes_back_to_draft(lib: Library, draft_factory: Any,
                                                              fresh: Library) -> None:
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    draft = lib.save_draft(draft_factory(), author="alice").material_id
    header, records = export(lib)
    for target in (mid, draft):
        (version,) = rows(records, "versions", material_id=target)
        content = json.loads(version["content"])
        content["body"] = "保本理财，回复1了解"
        version["content"] = json.dumps(content, ensure_ascii=False)
    report = import_into(fresh, io.StringIO(dump(header, records)))
    assert [h.split(" ")[0] for h in report.held_back] == [mid]
    assert fresh.get(mid).status == "draft" and fresh.get_version(mid, 1).verdict == "block"
    assert fresh.history(mid)[-1].action == "recheck"
    # A draft keeps its stored report (the library does the same when packs change) and is named.
    assert report.milder_drafts == [f"{draft} v1"] and fresh.get_version(draft, 1).verdict == "pass"
    assert any("milder than today's rules" in line and draft in line for line in report.lines())


def test_an_honest_export_still_round_trips_with_the_checker(lib: Library, draft_factory: Any,
                                                              fresh: Library) -> None:
    mid = released(lib, draft_factory)
    header, records = export(lib)
    report = import_into(fresh, io.StringIO(dump(header, records)))
    assert report.withdrawn == [] and report.rechecked == 1
    assert export(fresh) == (header, records)
    assert fresh.get(mid).released_version == 1
    assert "admin ada" in report.lines()[1] and "compliance carl" in report.lines()[1]


# ---- item 12: malformed files are one line naming line and field, nothing written -----------

USER = {"name": "eve", "role": "operator", "created_at": "2025-01-01T00:00:00Z"}
HEADER = json.dumps({"format": "contentgen-library", "version": 1, "migrations": ["m001_initial"]})
MALFORMED: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "not a contentgen library export"),
    ("header without migrations", b'{"format": "contentgen-library", "version": 1}\n', "migrations must be a list"),
    ("header migrations not a list", b'{"format": "contentgen-library", "version": 1, "migrations": 3}\n',
     "migrations must be a list"),
    ("role superuser", json.dumps({"table": "users", "row": {**USER, "role": "superuser"}}).encode(),
     "line 2: users.role: 'superuser' is not allowed"),
    ("name not a string", json.dumps({"table": "users", "row": {**USER, "name": ["x"]}}).encode(),
     "line 2: users.name: Input should be a valid string"),
    ("bad time", json.dumps({"table": "users", "row": {**USER, "created_at": "yesterday"}}).encode(),
     "line 2: users.created_at: 'yesterday' is not an ISO-8601 time"),
    ("missing column", json.dumps({"table": "users", "row": {"name": "eve", "role": "operator"}}).encode(),
     "line 2: users.created_at: Field required"),
    ("unknown column", json.dumps({"table": "users", "row": {**USER, "is_admin": 1}}).encode(),
     "line 2: table users has no column 'is_admin'"),
    ("weak hash", json.dumps({"table": "users", "row": {**USER, "password_hash": "md5$abc"}}).encode(),
     "line 2: users.password_hash: not a password hash"),
    ("tags not json", b"", "line 2: materials.tags: not JSON"),
    ("huge integer", b"", "line 2: materials.seq: Input should be less than or equal to"),
    ("thousands of digits", b"", "line 2: "),
    ("not utf-8", b'{"table": "users", "row": {"name": "\xff\xfe"}}', "line 2: not UTF-8 text"),
    ("deep nesting", b'{"table": "users", "row": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "line 2: JSON nested too deeply"),
    ("NaN", b'{"table": "users", "row": {"name": NaN}}', "line 2: NaN is not a JSON number"),
    ("cut short", b'{"table": "users", "row": {"name": "ev', "line 2: not JSON"),
    ("row not an object", b'{"table": "users", "row": [1, 2]}', "line 2: the row of a users record must be"),
    ("extra record key", b'{"table": "users", "row": {"name": "x"}, "sql": "DROP"}', "line 2: not a"),
    ("unknown table", b'{"table": "sqlite_master", "row": {"name": "x"}}', "line 2: unknown table 'sqlite_master'"),
    ("token channel", json.dumps({"table": "tokens", "row": {"name": "t", "token_hash": "a" * 64,
                                  "channels": '["fax"]', "created_at": "2025-01-01T00:00:00Z"}}).encode(),
     "line 2: tokens.channels: channels has unknown channel 'fax'"),
    ("bad base64", json.dumps({"table": "users", "row": {**USER, "password_hash": {"$base64": "!!"}}}).encode(),
     "line 2: users: bad $base64 value"),
    ("duplicate user", (json.dumps({"table": "users", "row": USER}) + "\n"
                        + json.dumps({"table": "users", "row": USER})).encode(), "line 3: users: users.name appears twice"),
    ("orphan version", b"", "line 2: versions.material_id 'mat_x' is not a material listed before it"),
    ("lone surrogate", b"", "line 2: materials.title: Input should be a valid string"),
    ("escaped surrogate in content", b"", "line 2: versions.content: content holds text that is not valid Unicode"),
]
MATERIAL = {"seq": 1, "id": "mat_1", "industry": "retail", "content_type": "push", "channel": "sms",
            "locale": "zh-CN", "tags": "[]", "status": "draft", "current_version": 1, "created_by": "a",
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}

VERSION = {"material_id": "mat_x", "version": 1, "status": "draft", "content": "{}", "text": "", "source": "generated",
           "author": "a", "created_at": "2025-01-01T00:00:00Z"}


def _body(case: str, raw: bytes) -> bytes:
    if case == "tags not json":
        raw = json.dumps({"table": "materials", "row": {**MATERIAL, "tags": "not json"}}).encode()
    elif case == "huge integer":
        raw = json.dumps({"table": "materials", "row": {**MATERIAL, "seq": 10**30}}).encode()
    elif case == "lone surrogate":
        raw = json.dumps({"table": "materials", "row": {**MATERIAL, "title": "\udc80"}}).encode()
    elif case == "orphan version":
        raw = json.dumps({"table": "versions", "row": VERSION}).encode()
    elif case == "escaped surrogate in content":
        raw = json.dumps({"table": "versions", "row": {**VERSION, "content": '{"body": "\\udc80"}'}}).encode()
    elif case == "thousands of digits":
        raw = json.dumps({"table": "materials", "row": MATERIAL}).replace('"seq": 1', '"seq": ' + "9" * 5000).encode()
    if case.startswith(("empty", "header")):
        return raw
    return HEADER.encode() + b"\n" + raw + b"\n"


@pytest.mark.parametrize("case,raw,expected", MALFORMED, ids=[c for c, _, _ in MALFORMED])
def test_a_malformed_file_is_one_line_and_writes_nothing(tmp_path: Path, case: str, raw: bytes,
                                                         expected: str) -> None:
    path = tmp_path / "crafted.jsonl"
    path.write_bytes(_body(case, raw))
    db = tmp_path / "new.db"
    code, out, err = cli_main("import", str(path), "--db", str(db))
    assert code == 2, (out, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert expected in err, err
    restored = open_library(db)
    try:
        assert_nothing_written(restored)
    finally:
        restored.close()


SMS_PACK = """\
id: test.sms
version: "1"
title: opt-out line on marketing SMS (test pack)
locales: [zh-CN]
rules:
  - id: test.sms-opt-out
    kind: requires
    level: error
    message: a marketing SMS says how to opt out
    reference: test pack
    scope:
      channels: [sms]
    any_of: [回T退订]
    examples:
      hit: [会员日全场8折]
      clean: [会员日全场8折。回T退订]
"""


def test_the_cli_reports_people_tokens_and_what_it_withdrew(lib: Library, draft_factory: Any,
                                                            tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "rules" / "zh-CN").mkdir(parents=True)
    (tmp_path / "rules" / "zh-CN" / "sms.yaml").write_text(SMS_PACK, encoding="utf-8")
    monkeypatch.setenv("CONTENTGEN_RULES_DIR", str(tmp_path / "rules"))
    mid = released(lib, draft_factory)  # an sms with no opt-out line: today's rules block it
    lib.tokens.create("app", ["sms"])
    backup = tmp_path / "backup.jsonl"
    code, _, err = cli_main("export", str(backup), "--db", str(lib.target))
    assert code == 0, err
    code, out, err = cli_main("import", str(backup), "--db", str(tmp_path / "new.db"))
    assert code == 0, err
    assert "users: admin ada; compliance carl; operator alice, bob; reviewer ray, rita" in out
    assert "active tokens: app (sms)" in out
    assert f"withdrawn (now blocked, not served): {mid} v1 (released; blocked by" in out
