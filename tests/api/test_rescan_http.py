"""The rule rescan seen by a delivery client over real HTTP: a version the new packs block turns
into a tombstone and a 404 at once, and comes back when compliance reinstates it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from contentgen.testing import cli_main, cli_ok
from contentgen.usecases import rescan_before_serving
from library import Library
from library.api.app import create_app
from tests.rescan_rules import CLEAN, FLAGGED, rules_before_and_after


@pytest.fixture
def rules(tmp_path: Path) -> dict[str, str]:
    return {k: str(v) for k, v in rules_before_and_after(tmp_path).items()}


def _delta(client: httpx.Client, cursor: str) -> tuple[dict[str, Any], str]:
    page = client.get("/v1/sync", params={"cursor": cursor}).json()
    return page, page["next_cursor"]


def test_withdrawn_is_a_tombstone_and_a_404_until_compliance_reinstates_it(
        lib: Library, world: Any, client: httpx.Client, rules: dict[str, str]) -> None:
    lib.users.add("cora", "compliance")
    mid = world.released("app_push", industry="cosmetics", body=FLAGGED)
    other = world.released("app_push", industry="cosmetics", body=CLEAN)
    db = str(lib.target)
    first = client.get("/v1/sync").json()
    assert {i["id"] for i in first["items"]} == {mid, other}
    cursor = first["next_cursor"]

    # Old packs: the reports are refreshed and the client sees no change at all.
    cli_ok("library", "rescan", "--db", db, "--rules-dir", rules["old"])
    page, cursor = _delta(client, cursor)
    assert (page["items"], page["deleted"]) == ([], [])
    assert client.get(f"/v1/materials/{mid}").status_code == 200

    out = cli_ok("library", "rescan", "--db", db, "--rules-dir", rules["new"]).output
    assert out.splitlines()[0] == "rescan: checked 2, unchanged 0, re-recorded 1, withdrawn 1"
    page, cursor = _delta(client, cursor)
    assert page["deleted"] == [{"id": mid, "version": 1}] and page["items"] == []
    gone = client.get(f"/v1/materials/{mid}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert [i["id"] for i in client.get("/v1/materials").json()["items"]] == [other]
    queue = cli_ok("library", "list", "--compliance-queue", "--db", db).output
    assert queue.startswith(f"{mid}  withdrawn")

    for who in ("olivia", "rita"):
        code, _, err = cli_main("library", "override", mid, "--as", who, "--reason", "ok", "--db", db)
        assert code == 1 and "may not reinstate" in err
    code, _, err = cli_main("library", "override", mid, "--as", "cora", "--db", db)
    assert code == 2 and "written justification" in err
    assert client.get(f"/v1/materials/{mid}").status_code == 404

    cli_ok("library", "override", mid, "--as", "cora", "--reason", "registered campaign name",
           "--db", db)
    page, cursor = _delta(client, cursor)
    assert [(i["id"], i["version"]) for i in page["items"]] == [(mid, 1)] and page["deleted"] == []
    served = client.get(f"/v1/materials/{mid}")
    assert served.status_code == 200 and served.json()["version"] == 1
    actions = [(e.action, e.actor) for e in lib.history(mid)]
    assert actions[-2:] == [("withdraw", "rescan"), ("reinstate", "cora")]

    # Nothing changed in the packs since: a rescan is a no-op for the client too.
    assert "unchanged 2" in cli_ok("library", "rescan", "--db", db, "--rules-dir", rules["new"]).output
    page, _ = _delta(client, cursor)
    assert (page["items"], page["deleted"]) == ([], [])


def test_server_startup_rescans_before_the_first_request(
        lib: Library, world: Any, token: str, rules: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    mid = world.released("app_push", industry="cosmetics", body=FLAGGED)
    monkeypatch.setenv("CONTENTGEN_RULES_DIR", rules["new"])
    headers = {"Authorization": f"Bearer {token}"}
    # Without on_start: served as before (embedders that rescan on their own).
    app = create_app(lib)
    with TestClient(app, headers=headers) as c:
        assert c.get(f"/v1/materials/{mid}").status_code == 200
    app.state.delivery.close()

    # uvicorn's logging config (if an earlier test applied it) stops propagation at "uvicorn":
    # listen on the logger itself; without it the record reaches the root handler as well.
    logger = logging.getLogger("uvicorn.error.rescan")
    logger.addHandler(caplog.handler)
    try:
        app = create_app(lib, on_start=rescan_before_serving)
        with caplog.at_level(logging.INFO, logger="uvicorn.error.rescan"), \
                TestClient(app, headers=headers) as c:
            assert c.get(f"/v1/materials/{mid}").status_code == 404
    finally:
        logger.removeHandler(caplog.handler)
        app.state.delivery.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.error.rescan"]
    assert set(lines) == {"rescan: checked 1, unchanged 0, re-recorded 0, withdrawn 1"}
    assert token not in caplog.text
    assert lib.get(mid).status == "withdrawn"
