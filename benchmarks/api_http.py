"""The HTTP half of bench_library: delivery API latency against a bare FastAPI endpoint.

N released materials; a real uvicorn server (subprocess, loopback) serving the delivery API,
and another serving a bare FastAPI app whose endpoints return the same JSON documents from
memory. A keep-alive httpx client walks 100-item pages of /v1/sync (first sync, by cursor)
and of a filtered /v1/materials (locale=ja-JP, by cursor), CYCLE pages over and over; p50/p99
latency of each, and throughput as a ratio against the bare endpoint (target >= 0.5). The
first pass, which renders every payload, is reported on its own.

    .venv/bin/python benchmarks/bench_library.py --only http --materials 100000
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from contentgen.usecases import open_library

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or imported by a bench
from _parts import stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGE = 100
# Pages walked before starting over: the first pass renders payloads (cold), later passes
# are the steady state of delivery systems re-reading released items (payload cache warm).
CYCLE = 50
QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "sync page": ("/v1/sync", {"limit": PAGE}),
    "filtered list": ("/v1/materials", {"limit": PAGE, "locale": "ja-JP", "content_type": "push"}),
}


def release_all(db_path: Path) -> None:
    """Benchmark setup only: mark every saved draft released in one transaction (the workflow
    itself is measured by the library's tests, not here), with its change-feed entries."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE versions SET status = 'released'")
        conn.execute("UPDATE materials SET status = 'released', released_version = 1")
        conn.execute("INSERT INTO changes (material_id, version, kind, channel, at)"
                     " SELECT id, 1, 'release', channel, updated_at FROM materials ORDER BY seq")
    conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, __file__, *args, str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def _walk(client: httpx.Client, path: str, params: dict[str, Any], requests: int,
          cycle: int = CYCLE) -> list[float]:
    """Latencies (s) of `requests` successive pages, following next_cursor and starting over
    after `cycle` pages (or at the end)."""
    out, cursor = [], None
    for i in range(requests):
        if i % cycle == 0:
            cursor = None
        q = params | ({"cursor": cursor} if cursor else {})
        t0 = time.perf_counter()
        r = client.get(path, params=q)
        out.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text
        body = r.json()
        if not body["items"]:
            raise AssertionError(f"{path}: empty page")
        more = body.get("has_more", body["next_cursor"] is not None)
        cursor = body["next_cursor"] if more else None
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def bench_http(db_path: Path, token: str, requests: int, workdir: Path) -> dict[str, dict[str, float]]:
    api_port, bare_port = _free_port(), _free_port()
    api = _start(["--serve-api", str(db_path)], api_port)
    results: dict[str, dict[str, float]] = {}
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", headers=headers, timeout=30) as c:
            docs = {name: c.get(path, params=params).json() for name, (path, params) in QUERIES.items()}
            (workdir / "bare.json").write_text(json.dumps(docs, ensure_ascii=False))
            bare = _start(["--serve-bare", str(workdir / "bare.json")], bare_port)
            try:
                with httpx.Client(base_url=f"http://127.0.0.1:{bare_port}", timeout=30) as b:
                    for name, (path, params) in QUERIES.items():
                        cold = _walk(c, path, params, CYCLE)  # first pass: every payload rendered
                        _walk(b, "/bare" + path, {}, CYCLE)
                        api_t = _walk(c, path, params, requests)
                        bare_t = _walk(b, "/bare" + path, {}, requests)
                        results[name] = {
                            "api_p50": _p(api_t, 50), "api_p99": _p(api_t, 99),
                            "bare_p50": _p(bare_t, 50), "bare_p99": _p(bare_t, 99),
                            "cold_p50": _p(cold, 50),
                            "ratio": statistics.fmean(bare_t) / statistics.fmean(api_t),
                        }
            finally:
                stop(bare)
    finally:
        stop(api)
    return results


def part_http(args: argparse.Namespace, workdir: Path) -> bool:
    """Registered in bench_library.PARTS: build N released materials, then measure."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_library import make_drafts  # the insert half's rows: sms pushes in 3 locales


    n = args.materials
    db_path = workdir / "api.db"
    t0 = time.perf_counter()
    lib = open_library(db_path)
    lib.save_drafts(make_drafts(n), author="bench", batch_size=2000)
    token = lib.tokens.create("bench", ["sms"])
    lib.close()
    release_all(db_path)
    print(f"http: {n:,} released materials built in {time.perf_counter() - t0:.1f}s")
    requests = getattr(args, "requests", None) or 500
    ok = True
    for name, r in bench_http(db_path, token, requests, workdir).items():
        print(f"http: {name:13} ({PAGE} items)  API p50 {r['api_p50']:.2f} ms  p99 {r['api_p99']:.2f} ms  |  "
              f"bare FastAPI p50 {r['bare_p50']:.2f} ms  p99 {r['bare_p99']:.2f} ms  |  "
              f"throughput ratio {r['ratio']:.2f} (target >= 0.5)  [first pass, payloads rendered: "
              f"p50 {r['cold_p50']:.2f} ms]")
        ok = ok and r["ratio"] >= 0.5
    return ok


# ---- the two servers, run as subprocesses so the client does not share their GIL ----------


def _serve_api(db: str, port: int) -> None:
    import uvicorn

    from library.api.app import create_app

    uvicorn.run(create_app(db), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _serve_bare(docs_file: str, port: int) -> None:
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    docs = json.loads(Path(docs_file).read_text())
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def returning(doc: dict[str, Any]) -> Any:
        async def endpoint() -> JSONResponse:
            return JSONResponse(doc)

        return endpoint

    for name, (path, _params) in QUERIES.items():
        app.add_api_route("/bare" + path, returning(docs[name]), methods=["GET"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    mode, target, port_arg = sys.argv[1:4]
    {"--serve-api": _serve_api, "--serve-bare": _serve_bare}[mode](target, int(port_arg))
