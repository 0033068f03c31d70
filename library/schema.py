"""The core component's schema: materials, versions, audit, users, tokens, login attempts.

Migrations of the other components live with them (library.plan_schema, library.api.deliveries,
library.prompt_evals); library.migrations applies all of them in its declared order.
"""

from __future__ import annotations

import sqlite_utils

from library.migrations import migration


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("users").create(
        {"name": str, "role": str, "password_hash": str, "created_at": str},
        pk="name",
        not_null={"role", "created_at"},
    )
    db.table("tokens").create(
        {"name": str, "token_hash": str, "channels": str, "created_at": str, "revoked_at": str},
        pk="name",
        not_null={"token_hash", "channels", "created_at"},
    )
    db.table("tokens").create_index(["token_hash"], unique=True)
    # seq gives FTS a stable integer rowid; id is the public, stable identifier.
    db.executescript(
        """
        CREATE TABLE materials (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            draft_key TEXT UNIQUE,
            industry TEXT NOT NULL,
            segment TEXT,
            persona TEXT,
            content_type TEXT NOT NULL,
            channel TEXT NOT NULL,
            locale TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            plan_id TEXT,
            send_at TEXT,
            title TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            current_version INTEGER NOT NULL,
            released_version INTEGER,
            verdict TEXT NOT NULL DEFAULT 'pass',
            finding_count INTEGER NOT NULL DEFAULT 0,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE versions (
            material_id TEXT NOT NULL REFERENCES materials(id),
            version INTEGER NOT NULL,
            parent_version INTEGER,
            status TEXT NOT NULL,
            content TEXT NOT NULL,
            text TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            prompt_ref TEXT,
            model TEXT,
            parameters TEXT NOT NULL DEFAULT '{}',
            brief TEXT,
            generation TEXT NOT NULL DEFAULT '{}',
            compliance TEXT NOT NULL DEFAULT '{}',
            verdict TEXT NOT NULL DEFAULT 'pass',
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            override_by TEXT,
            override_justification TEXT,
            override_at TEXT,
            PRIMARY KEY (material_id, version)
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            action TEXT NOT NULL,
            material_id TEXT REFERENCES materials(id),
            version INTEGER,
            from_status TEXT,
            to_status TEXT,
            reason TEXT
        );
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            material_id TEXT NOT NULL REFERENCES materials(id),
            version INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('release', 'retire')),
            channel TEXT NOT NULL,
            at TEXT NOT NULL
        );
        -- The audit log is append-only: the database itself refuses edits and deletions.
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE VIRTUAL TABLE material_search USING fts5(title, body, tokenize = 'trigram');
        CREATE INDEX idx_materials_updated ON materials (updated_at);
        CREATE INDEX idx_materials_status ON materials (status, updated_at);
        CREATE INDEX idx_materials_industry ON materials (industry, updated_at);
        CREATE INDEX idx_materials_channel ON materials (channel, updated_at);
        CREATE INDEX idx_materials_segment ON materials (segment, updated_at);
        CREATE INDEX idx_materials_locale ON materials (locale, updated_at);
        CREATE INDEX idx_materials_content_type ON materials (content_type, updated_at);
        CREATE INDEX idx_materials_persona ON materials (persona, updated_at);
        CREATE INDEX idx_materials_plan ON materials (plan_id, send_at);
        CREATE INDEX idx_materials_released ON materials (channel, id) WHERE released_version IS NOT NULL;
        CREATE INDEX idx_audit_material ON audit (material_id, id);
        CREATE INDEX idx_changes_channel ON changes (channel, seq);
        """
    )


@migration
def m080_rescan_withdrawn(db: sqlite_utils.Database) -> None:
    """A version the rule rescan withdrew remembers the status it had, to be reinstated to it."""
    # execute, not executescript: executescript would COMMIT the migration's transaction early.
    db.execute("ALTER TABLE versions ADD COLUMN withdrawn_from TEXT")
    # (status, rowid): the rescan walks approved and released versions in rowid order, one
    # keyset page at a time; the compliance queue looks up the withdrawn ones.
    db.execute("CREATE INDEX idx_versions_status ON versions (status)")


@migration
def m085_audit_no_replace(db: sqlite_utils.Database) -> None:
    # INSERT OR REPLACE / REPLACE INTO resolve an id conflict by deleting the old row, and that
    # delete fires no DELETE trigger (recursive_triggers is off by default); refuse any insert
    # that reuses an existing id instead, so no statement can swap an event for another.
    db.execute(
        """
        CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
            WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """
    )


@migration
def m095_login_attempts(db: sqlite_utils.Database) -> None:
    """Every login try, so throttling holds across processes (UI sessions, CLI, several servers)."""
    # at: unix seconds (REAL), compared arithmetically against the throttle's window. outcome
    # 'pending' is a try reserved before the slow password check: it counts as a failure until
    # settled, so parallel guesses cannot all slip in before the first one is recorded.
    db.execute(
        """
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            name TEXT NOT NULL,
            client TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'ok', 'failed', 'refused'))
        )
        """
    )
    db.execute("CREATE INDEX idx_login_attempts_name ON login_attempts (name, at)")
    db.execute("CREATE INDEX idx_login_attempts_client ON login_attempts (client, at)")
    db.execute("CREATE INDEX idx_login_attempts_at ON login_attempts (at)")
