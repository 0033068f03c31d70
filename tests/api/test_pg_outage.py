"""The PostgreSQL server goes away while the API is serving: 503 `unavailable` with Retry-After,
never a 500, never "busy"; the library says "unreachable" in one line. A server of its own,
started and stopped here (the run's shared server must stay up)."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from contentgen.testing_pg import PostgresServer
from library import Library
from library.api.app import create_app
from tests.api.conftest import World, pass_checker

pytestmark = pytest.mark.postgresql_only


def test_a_server_that_goes_away_is_a_503_unavailable_then_a_clear_library_error() -> None:
    server = PostgresServer.start()
    stopped = False
    try:
        url = server.create_database("outage")
        lib = Library.open(url, checker=pass_checker)
        World(lib).released()
        token = lib.tokens.create("pusher", ["sms"])
        with TestClient(create_app(lib), headers={"Authorization": f"Bearer {token}"}) as http:
            assert http.get("/v1/materials").status_code == 200
            server.stop()
            stopped = True
            for _ in range(3):  # a dead pooled connection, then no connection at all
                r = http.get("/v1/materials")
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] == "unavailable" and r.headers["Retry-After"]
        with pytest.raises(sqlite3.OperationalError, match="^database is unreachable: "):
            lib.list(limit=1)
        lib.close()
    finally:
        if not stopped:
            server.stop()
