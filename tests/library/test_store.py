"""Store, search, stats, users and tokens, migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

import library
from contentgen.kernel.errors import UsageError
from contentgen.testing_pg import raw_connection
from contentgen.usecases import open_library
from library import Library, migrations
from library._db import connections
from library.errors import ConflictError, NotFoundError, PermissionDenied


def test_public_surface() -> None:
    assert set(library.__all__) == {"AuditEvent", "Change", "Library", "Material",
                                    "MaterialVersion", "Page", "Released", "Token", "User"}


@pytest.mark.sqlite_only
def test_open_sets_up_wal_foreign_keys_and_records_migrations(lib_path: Path) -> None:
    lib = open_library(lib_path)
    db = lib._db()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    # rowid = order applied (without ORDER BY, SQLite may walk the name index instead).
    names = [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY rowid")]
    assert names == [m.__name__ for m in migrations.ordered()]
    assert names[0] == "m001_initial"  # core first: the other components build on its tables
    lib.close()
    assert migrations.apply(sqlite_utils.Database(lib_path)) == []  # reopening applies nothing


def test_an_appended_migration_runs_once_and_a_failing_one_rolls_back(
        lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_library(lib_path).close()

    def m900_test_priority(db: sqlite_utils.Database) -> None:
        db.execute("ALTER TABLE materials ADD COLUMN priority INTEGER")

    def m901_test_broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (x TEXT)")
        raise RuntimeError("boom")

    registered = migrations._REGISTERED
    monkeypatch.setattr(migrations, "_REGISTERED", {k: list(v) for k, v in registered.items()})
    migrations.migration(m900_test_priority)
    # Registered by this module, which is no declared component: refused, not run.
    with pytest.raises(ValueError, match="not a declared component"):
        migrations.apply(connections(lib_path).db())
    monkeypatch.setattr(migrations, "COMPONENTS", (*migrations.COMPONENTS, ("test", __name__)))
    assert migrations.apply(connections(lib_path).db()) == ["m900_test_priority"]
    assert migrations.apply(connections(lib_path).db()) == []
    migrations.migration(m901_test_broken)
    with pytest.raises(RuntimeError):
        migrations.apply(connections(lib_path).db())
    assert "half_done" not in connections(lib_path).db().table_names()


def test_version_keeps_provenance(lib: Library, draft_factory: Any) -> None:
    d = draft_factory()
    mv = lib.get_version(lib.save_draft(d, author="alice", tags=["spring"]).material_id, 1)
    assert mv.content == d.content.model_dump(mode="json") and mv.text == d.text
    assert mv.prompt_ref == d.prompt_ref and mv.model == {"provider": "offline",
                                                          "name": "offline-v1", "offline": True}
    assert mv.offline and mv.parameters == {"temperature": 0.7} and mv.source == "generated"
    assert mv.brief == d.brief.model_dump(mode="json")
    assert mv.compliance == d.compliance.model_dump(mode="json") and mv.author == "alice"
    m = lib.get(mv.material_id)
    assert (m.industry, m.segment, m.channel, m.content_type, m.tags) == (
        "cosmetics", "dormant.mass", "sms", "push", ["spring"])


def test_list_filters_search_and_pages(lib: Library, draft_factory: Any) -> None:
    ids = {
        "fin": lib.save_draft(draft_factory(industry="finance", body="稳健理财产品，欢迎咨询"), author="alice").material_id,
        "ja": lib.save_draft(draft_factory(locale="ja-JP", body="新しい洗顔料のご案内です"), author="alice").material_id,
        "en": lib.save_draft(draft_factory(locale="en-US", body="Our gentle cleanser is back"), author="alice").material_id,
        "block": lib.save_draft(draft_factory(blocked=True, segment="new.high_value"), author="alice").material_id,
    }
    lib.submit(ids["fin"], 1, actor="alice")
    assert [m.id for m in lib.list(status="in_review").items] == [ids["fin"]]
    assert [m.id for m in lib.list(industry="finance").items] == [ids["fin"]]
    assert [m.id for m in lib.list(locale="ja-JP").items] == [ids["ja"]]
    assert [m.id for m in lib.list(segment="new.high_value").items] == [ids["block"]]
    assert [m.id for m in lib.list(has_findings=True).items] == [ids["block"]]
    assert lib.list(has_findings=False).total == 3
    assert [m.id for m in lib.list(q="理财").items] == [ids["fin"]]          # 2 CJK characters
    assert [m.id for m in lib.list(q="理财产品").items] == [ids["fin"]]      # trigram index
    assert [m.id for m in lib.list(q="洗顔料").items] == [ids["ja"]]
    assert [m.id for m in lib.list(q="GENTLE cleanser").items] == [ids["en"]]
    assert lib.list(q='"; DROP TABLE materials; --').total == 0
    page = lib.list(limit=2, offset=0, order="created_asc")
    assert page.total == 4 and [m.id for m in page.items] == [ids["fin"], ids["ja"]]
    assert [m.id for m in lib.list(limit=2, offset=2, order="created_asc").items] == [
        ids["en"], ids["block"]]
    assert lib.list().items[0].id == ids["fin"]  # most recently updated first
    for bad, match in (({"status": "done"}, "unknown status 'done'"),
                       ({"industry": "toys"}, "unknown industry 'toys'"),
                       ({"limit": 0}, "limit must be between"),
                       ({"order": "random"}, "unknown order")):
        with pytest.raises(UsageError, match=match):
            lib.list(**bad)


@pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN is SQLite's
def test_filtered_list_uses_indexes_not_a_table_scan(lib: Library) -> None:
    conn = lib._db().conn
    for column in ("status", "industry", "channel", "segment", "locale"):
        plan = " ".join(r[3] for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM materials m WHERE m.{column} = 'x'"
            " ORDER BY m.updated_at DESC, m.seq DESC LIMIT 50"))
        assert f"USING INDEX idx_materials_{column}" in plan, plan
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM material_search WHERE material_search MATCH 'abc'"))
    assert "VIRTUAL TABLE INDEX" in plan


def test_diff_and_stats(lib: Library, draft_factory: Any) -> None:
    mid = lib.save_draft(draft_factory(body="第一行\n第二行"), author="alice").material_id
    lib.edit(mid, base_version=1, actor="bob",
             content={"body": "第一行\n第二行改了，最好", "send_window": {"start": "09:00", "end": "11:00"}})
    diff = lib.diff(mid, 1, 2)
    assert "-第二行" in diff and "+第二行改了，最好" in diff and diff.startswith(f"--- {mid} v1")
    lib.submit(mid, 2, actor="alice")
    lib.approve(mid, 2, actor="rita")
    other = lib.save_draft(draft_factory(), author="alice").material_id
    lib.submit(other, 1, actor="alice")
    lib.reject(other, 1, actor="rita", reason="off-brand")
    s = lib.stats()
    assert s["total"] == 2 and s["by_status"] == {"approved": 1, "rejected": 1}
    assert s["by_channel"] == {"sms": 2} and s["approval_rate"] == 0.5
    assert s["median_seconds_to_approval"] is not None and s["median_seconds_to_approval"] >= 0
    assert s["top_rules"] == [{"rule": "ad_law.superlative", "count": 1}]


def test_users_and_passwords(lib: Library) -> None:
    u = lib.users.add("pat", "reviewer", password="s3cret-passphrase")
    assert u.has_password and lib.users.get("pat").role == "reviewer"
    assert lib.users.authenticate("pat", "s3cret-passphrase").name == "pat"
    for name, pw in (("pat", "wrong-password"), ("ghost", "s3cret-passphrase"), ("alice", "x")):
        with pytest.raises(PermissionDenied, match="^unknown user or wrong password$"):
            lib.users.authenticate(name, pw)
    stored = lib._db().execute("SELECT password_hash FROM users WHERE name='pat'").fetchone()[0]
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    with pytest.raises(ConflictError, match="already exists"):
        lib.users.add("pat", "operator")
    with pytest.raises(UsageError, match="unknown role 'boss'"):
        lib.users.add("zed", "boss")
    with pytest.raises(UsageError, match="not valid"):
        lib.users.add("bad name!", "operator")
    assert [x.name for x in lib.users.list()] == sorted(["alice", "bob", "rita", "ray", "carl", "ada", "pat"])


def test_tokens_hashed_scoped_revocable(lib: Library) -> None:
    token = lib.tokens.create("app", ["sms", "app_push"])
    assert lib.tokens.authenticate(token).channels == ["sms", "app_push"]
    raw = raw_connection(lib.target).execute("SELECT * FROM tokens").fetchall()
    assert token not in repr(raw)
    with pytest.raises(ConflictError, match="revoke it first"):
        lib.tokens.create("app", ["sms"])
    with pytest.raises(UsageError, match="unknown channel 'fax'"):
        lib.tokens.create("other", ["fax"])
    with pytest.raises(UsageError, match="at least one channel"):
        lib.tokens.create("other", [])
    lib.tokens.revoke("app")
    for bad in (token, "cgt_guess", ""):
        with pytest.raises(PermissionDenied, match="invalid or revoked token"):
            lib.tokens.authenticate(bad)
    with pytest.raises(NotFoundError):
        lib.tokens.revoke("nope")
    fresh = lib.tokens.create("app", ["moments"])
    assert lib.tokens.authenticate(fresh).channels == ["moments"]
