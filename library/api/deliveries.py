"""Delivery acknowledgements: what the delivery system says it sent, idempotent by key."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlite_utils

from library._db import now
from library.errors import ConflictError
from library.migrations import migration

_COLUMNS = ("id", "material_id", "version", "channel", "recipients", "sent_at", "received_at")


@migration
def m050_deliveries(db: sqlite_utils.Database) -> None:
    # One statement per execute: executescript would commit the migration's transaction.
    db.execute(
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            material_id TEXT NOT NULL REFERENCES materials(id),
            version INTEGER NOT NULL,
            channel TEXT NOT NULL,
            recipients INTEGER NOT NULL,
            sent_at TEXT,
            received_at TEXT NOT NULL,
            UNIQUE (client, idempotency_key)
        )
        """
    )
    db.execute("CREATE INDEX idx_deliveries_material ON deliveries (material_id, version)")


def request_hash(body: dict[str, Any]) -> str:
    """A canonical fingerprint of a request body: key order and spacing do not matter."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _row(conn: sqlite3.Connection, where: str, params: list[Any]) -> tuple[dict[str, Any], str] | None:
    found = conn.execute(
        f"SELECT {', '.join(_COLUMNS)}, request_hash FROM deliveries WHERE {where}", params
    ).fetchone()
    if found is None:
        return None
    return dict(zip(_COLUMNS, found[:-1], strict=True)), str(found[-1])


def replay(conn: sqlite3.Connection, *, client: str, key: str, body_hash: str) -> dict[str, Any] | None:
    """The stored answer for this client's key, None if unseen; ConflictError if the body differs."""
    found = _row(conn, "client = ? AND idempotency_key = ?", [client, key])
    if found is None:
        return None
    ack, stored_hash = found
    if stored_hash != body_hash:
        raise ConflictError(
            f"Idempotency-Key {key!r} was already used with a different request body; "
            "use a new key for a new delivery"
        )
    return ack


def record(
    conn: sqlite3.Connection, *, client: str, key: str, body_hash: str, ack: dict[str, Any],
    then: Callable[[sqlite3.Connection, dict[str, Any]], None] | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store one acknowledgement once; (stored ack, True when it was a replay of the same key).
    `then(conn, stored)` runs in the same transaction for a new one (library.sent_text)."""
    conn.execute("BEGIN IMMEDIATE")  # check-and-insert under the write lock: no double insert
    try:
        existing = replay(conn, client=client, key=key, body_hash=body_hash)
        if existing is None:
            cur = conn.execute(
                "INSERT INTO deliveries (client, idempotency_key, request_hash, material_id, version,"
                " channel, recipients, sent_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                [
                    client, key, body_hash, ack["material_id"], ack["version"], ack["channel"],
                    ack["recipients"], ack.get("sent_at"), now(),
                ],
            )
            found = _row(conn, "id = ?", [cur.fetchone()[0]])
            assert found is not None
            existing, replayed = found[0], False
            if then is not None:
                then(conn, existing)
        else:
            replayed = True
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return existing, replayed


def for_material(conn: sqlite3.Connection, material_id: str) -> list[dict[str, Any]]:
    """Every acknowledged delivery of one material, oldest first (for the UI and reports)."""
    rows = conn.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM deliveries WHERE material_id = ? ORDER BY id", [material_id]
    ).fetchall()
    return [dict(zip(_COLUMNS, r, strict=True)) for r in rows]
