"""Named, recorded schema migrations, each in its own transaction, component by component in
the order COMPONENTS declares (core first: the others build on its tables).

Each component owns its migrations in its own module; to change its schema, append a function
there (never edit an applied one):

    @migration
    def m002_something(db: sqlite_utils.Database) -> None:
        db["materials"].add_column("priority", int)

A migration's function name is its recorded name, unique across components. A module that
registers migrations without being a declared component is refused, not run in import order.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from library import pg_schema

Migration = Callable[[sqlite_utils.Database], None]
# (component, module that owns its migrations), applied in this order.
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("core", "library.schema"),  # materials, versions, audit, users, tokens
    ("plans", "library.plan_schema"),
    ("api", "library.api.deliveries"),  # delivery acknowledgements
    ("prompt_evals", "library.prompt_evals"),
    ("outcomes", "library.outcomes"),  # outcome events (issue 15)
    ("slots", "library.slots"),  # variant slots and their picks (issue 15)
    ("sent_text", "library.sent_text"),  # texts as actually sent, edits after approval (issue 15)
    ("rate_limits", "library.rate_limits"),  # the provider's limit shared by every worker (issue 14)
    ("batches", "library.batches"),  # queued generation batches and their items (issue 14)
    ("feedback", "library.feedback"),  # decisions on rules mined from reviewer edits (issue 15)
)
_REGISTERED: dict[str, list[Migration]] = {}  # module → its migrations, in definition order


def migration(fn: Migration) -> Migration:
    """Register a migration of the module it is defined in; its name is its recorded name."""
    if any(m.__name__ == fn.__name__ for ms in _REGISTERED.values() for m in ms):
        raise ValueError(f"migration {fn.__name__} is registered twice")
    _REGISTERED.setdefault(fn.__module__, []).append(fn)
    return fn


def ordered() -> list[Migration]:
    """Every migration, component by component in declared order."""
    for _, module in COMPONENTS:
        importlib.import_module(module)
    declared = {module for _, module in COMPONENTS}
    stray = sorted(m for m in _REGISTERED if m not in declared and _REGISTERED[m])
    if stray:
        raise ValueError(f"migrations registered by {', '.join(stray)}, which is not a declared "
                         "component: add it to library.migrations.COMPONENTS")
    return [fn for _, module in COMPONENTS for fn in _REGISTERED.get(module, [])]


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied now."""
    # Under the write lock: two processes opening a new library do not both create the table
    # (PostgreSQL would refuse the second CREATE TABLE IF NOT EXISTS mid-race).
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        if getattr(db, "dialect", "sqlite") == "postgresql":
            db.conn.executescript(pg_schema.FUNCTIONS)  # as written: no type translation  # CREATE OR REPLACE: current on every open
        db.conn.execute("COMMIT")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    applied_now: list[str] = []
    for fn in ordered():
        # BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file
        # do not both run the same migration.
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            done = db.execute("SELECT 1 FROM migrations WHERE name = ?", [fn.__name__]).fetchone()
            if not done:
                fn(db)
                db.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    [fn.__name__, datetime.now(UTC).isoformat()],
                )
                applied_now.append(fn.__name__)
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
    return applied_now
