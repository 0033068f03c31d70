"""No secret in any log line (issue 10, item 13): a real `contentgen serve`, its logs grepped."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import httpx

from contentgen.usecases import open_library
from library.api.guard import RedactSecrets
from tests.api.served import serve


def test_a_token_in_the_query_string_never_reaches_the_log(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    lib = open_library(db)
    token = lib.tokens.create("app", ["sms"])
    lib.close()
    proc, url, first = serve(db)
    try:
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(url + "/v1/materials", params={"token": token}).status_code == 401
        assert httpx.get(url + "/v1/sync", params={"access_token": token, "limit": 5}).status_code == 401
        assert httpx.get(url + "/v1/materials", params={"api_key": token}, headers=auth).status_code == 400
        assert httpx.get(url + f"/v1/materials/{token}", headers=auth).status_code == 404
        assert httpx.get(url + "/v1/materials", params={"limit": 7}, headers=auth).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    log = first + out
    assert "GET /v1/materials?token=" in log  # the request is logged...
    assert "GET /v1/materials?limit=7" in log  # ...harmless parameters as they were...
    for secret in (token, token[4:20], token[-16:]):
        assert secret not in log  # ...the secret nowhere, in any line


def test_the_filter_redacts_every_argument_and_the_message() -> None:
    token = "cgt_" + "A1b2" * 10
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", f"/v1/x/{token}?cursor=abc&key={token}", "1.1", 404), None)
    assert RedactSecrets().filter(record)
    line = record.getMessage()
    assert token not in line and "cursor=abc" in line and "key=***" in line
    plain = logging.LogRecord("x", logging.ERROR, __file__, 1, f"bad token {token}", None, None)
    RedactSecrets().filter(plain)
    assert token not in plain.getMessage()
