"""`contentgen serve`: clear errors through the CLI, and a real server process over HTTP."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import httpx
from click.testing import CliRunner

from contentgen.cli import cli, main
from contentgen.usecases import open_library
from tests.api.served import serve


def test_serve_has_help() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for flag in ("--host", "--port", "--db"):
        assert flag in result.output


def test_busy_port_is_one_clear_line(tmp_path: Path, capsys: object) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        try:
            main(["serve", "--port", str(port), "--db", str(tmp_path / "x.db")])
        except SystemExit as e:
            assert e.code == 2
        err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.strip().splitlines() == [f"Error: cannot listen on 127.0.0.1:{port} (Address already in use); "
                                        "pick another with --port"]


def test_bad_port_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "70000" in result.output


def test_real_server_process_serves_and_never_logs_the_token(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    lib = open_library(db)
    token = lib.tokens.create("app", ["sms"])
    lib.close()
    proc, url, first = serve(db)
    try:
        ok = httpx.get(url + "/v1/materials", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json() == {"items": [], "next_cursor": None}
        bad = httpx.get(url + "/v1/sync", headers={"Authorization": f"Bearer {token}x"})
        assert bad.status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    log = first + out
    assert "GET /v1/materials" in log  # the access log is there...
    assert token not in log and token[4:20] not in log  # ...the secret is not
