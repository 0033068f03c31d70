"""The plans component's tables: a plan row and its touchpoints, each tied to one material.

Registered in library.migrations.COMPONENTS as "plans"; append migrations, never edit one applied.
"""

from __future__ import annotations

import sqlite_utils

from library.migrations import migration


@migration
def m060_plans(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE plans (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            objective TEXT NOT NULL,
            segment TEXT NOT NULL,
            industry TEXT NOT NULL,
            persona TEXT NOT NULL,
            locale TEXT NOT NULL,
            days INTEGER NOT NULL,
            start_date TEXT NOT NULL,
            timezone TEXT NOT NULL,
            channels TEXT NOT NULL,
            request TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE plan_touchpoints (
            plan_id TEXT NOT NULL REFERENCES plans(id),
            seq INTEGER NOT NULL,
            day INTEGER NOT NULL,
            local_date TEXT NOT NULL,
            local_time TEXT NOT NULL,
            send_at TEXT NOT NULL,
            channel TEXT NOT NULL,
            content_type TEXT NOT NULL,
            purpose TEXT NOT NULL,
            prompt TEXT NOT NULL,
            material_id TEXT NOT NULL UNIQUE REFERENCES materials(id),
            PRIMARY KEY (plan_id, seq)
        );
        CREATE INDEX idx_plans_segment ON plans (segment, start_date);
        CREATE INDEX idx_plans_created ON plans (created_at);
        CREATE INDEX idx_materials_send_at ON materials (send_at) WHERE plan_id IS NOT NULL;
        """
    )
