"""Soak test of the delivery API: mixed reads and writes while another process holds the lock.

A real `contentgen serve` (subprocess) over N released materials; C client threads send a
bounded mix for D seconds — list pages (filtered, by cursor), sync pages, single materials,
/healthz and POST /v1/deliveries (unique Idempotency-Key; a 503 is retried with the same key,
as clients are told to) — while a writer process takes the write lock for HOLD seconds every
GAP seconds (what a CLI transaction, an import or a backup does). Prints requests, status
counts, p50/p99 of reads and writes, the slowest read while the lock was held, and exits 1 on
any 5xx other than the documented 503 (code "busy", with Retry-After), on a transport error,
or on a read slower than --max-read-s.

    .venv/bin/python benchmarks/soak_api.py [--duration 20] [--clients 8] [--materials 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contentgen.usecases import open_library

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

LOCK_HOLDER = """
import sqlite3, sys, time
path, hold, gap, until = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
conn = sqlite3.connect(path, timeout=30, isolation_level=None)
while time.time() < until:
    time.sleep(gap)
    conn.execute("BEGIN IMMEDIATE")
    print(f"lock {time.time():.3f}", flush=True)
    time.sleep(hold)
    conn.execute("COMMIT")
    print(f"free {time.time():.3f}", flush=True)
"""


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[str] = field(default_factory=Counter)
    reads: list[tuple[float, float]] = field(default_factory=list)  # (start, seconds)
    writes: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    retried: int = 0

    def add(self, kind: str, r: httpx.Response, started: float, took: float) -> None:
        with self.lock:
            self.statuses[f"{kind} {r.status_code}"] += 1
            (self.reads.append((started, took)) if kind == "read" else self.writes.append(took))
            if r.status_code >= 500 and not _documented_503(r):
                self.failures.append(f"{r.request.method} {r.request.url.path} -> {r.status_code} {r.text[:200]}")


def _documented_503(r: httpx.Response) -> bool:
    if r.status_code != 503 or "retry-after" not in r.headers:
        return False
    try:
        return bool(r.json()["error"]["code"] == "busy")
    except (ValueError, KeyError, TypeError):
        return False


def build_library(db: Path, n: int) -> str:
    """Benchmark setup: n released sms materials (bench_library's rows) and a token."""
    from api_http import release_all
    from bench_library import make_drafts


    lib = open_library(db)
    lib.save_drafts(make_drafts(n), author="bench", batch_size=2000)
    token = lib.tokens.create("soak", ["sms"])
    lib.close()
    release_all(db)
    return token


def start_server(db: Path) -> tuple[subprocess.Popen[str], str]:
    exe = Path(sys.executable).parent / "contentgen"
    proc = subprocess.Popen([str(exe), "serve", "--port", "0", "--db", str(db), "--log-level", "warning"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    m = re.search(r"http://127\.0\.0\.1:(\d+)", proc.stdout.readline())
    if not m:
        proc.kill()
        raise SystemExit("contentgen serve did not print its address")
    url = f"http://127.0.0.1:{m.group(1)}"
    deadline = time.monotonic() + 120  # the startup rescan reads every released version first
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/healthz", timeout=1)
            return proc, url
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise SystemExit("contentgen serve exited") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("contentgen serve did not answer within 120 s")


def client_loop(url: str, token: str, ids: list[str], until: float, out: Results, seed: int) -> None:
    rnd = random.Random(seed)
    pending: list[dict[str, object]] = []  # acks answered 503: resent with the same key
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        cursor: str | None = None
        while time.time() < until:
            pick = rnd.random()
            t0, w0 = time.perf_counter(), time.time()
            try:
                if pick < 0.12 or pending:
                    ack = pending.pop() if pending else {
                        "key": str(uuid.uuid4()),
                        "body": {"material_id": rnd.choice(ids), "version": 1, "channel": "sms",
                                 "recipients": rnd.randint(1, 500)}}
                    r = c.post("/v1/deliveries", json=ack["body"], headers={"Idempotency-Key": str(ack["key"])})
                    out.add("write", r, w0, time.perf_counter() - t0)
                    if r.status_code == 503:
                        with out.lock:
                            out.retried += 1
                        pending.append(ack)
                        time.sleep(min(float(r.headers.get("retry-after", "1")), 2) * rnd.random())
                    continue
                if pick < 0.55:
                    params: dict[str, str | int] = {"limit": 50, "locale": rnd.choice(["zh-CN", "ja-JP", "en-US"])}
                    r = c.get("/v1/materials", params={**params, **({"cursor": cursor} if cursor else {})})
                    cursor = r.json().get("next_cursor") if r.status_code == 200 and rnd.random() < 0.8 else None
                    if r.status_code == 400:  # a cursor of another locale's query: start again
                        cursor = None
                        r = c.get("/v1/materials", params=params)
                elif pick < 0.80:
                    r = c.get("/v1/sync", params={"limit": 100})
                elif pick < 0.95:
                    r = c.get(f"/v1/materials/{rnd.choice(ids)}")
                else:
                    r = c.get("/healthz")
                out.add("read", r, w0, time.perf_counter() - t0)
            except httpx.HTTPError as e:
                with out.lock:
                    out.failures.append(f"transport error: {type(e).__name__}: {e}")


def _p(values: list[float], q: int) -> float:
    if len(values) < 2:
        return (values[0] if values else 0.0) * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--materials", type=int, default=2000)
    ap.add_argument("--hold", type=float, default=3.0, help="seconds the writer holds the lock each time")
    ap.add_argument("--gap", type=float, default=2.0, help="seconds between two holds")
    ap.add_argument("--max-read-s", type=float, default=1.0, help="fail if any read is slower")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        token = build_library(db, args.materials)
        import sqlite3

        ids = [r[0] for r in sqlite3.connect(db).execute("SELECT id FROM materials ORDER BY seq")]
        server, url = start_server(db)
        until = time.time() + args.duration
        holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db), str(args.hold), str(args.gap),
                                   str(until)], stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        out = Results()
        threads = [threading.Thread(target=client_loop, args=(url, token, ids, until, out, i))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        holder_out, _ = holder.communicate(timeout=args.hold + args.gap + 30)
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    held = _held_windows(holder_out)
    during = [took for start, took in out.reads if any(a <= start <= b for a, b in held)]
    reads = [took for _, took in out.reads]
    total = sum(out.statuses.values())
    busy = sum(n for k, n in out.statuses.items() if k.endswith(" 503"))
    print(f"soak: {total:,} requests in {args.duration:g}s from {args.clients} clients over "
          f"{args.materials:,} released materials; writer held the lock {len(held)}x for {args.hold:g}s")
    print("statuses: " + ", ".join(f"{k} x{n}" for k, n in sorted(out.statuses.items())))
    print(f"reads: p50 {_p(reads, 50):.1f} ms, p99 {_p(reads, 99):.1f} ms, max {max(reads, default=0) * 1000:.0f} ms; "
          f"while the lock was held: {len(during)} reads, max {max(during, default=0) * 1000:.0f} ms")
    print(f"writes: p50 {_p(out.writes, 50):.1f} ms, p99 {_p(out.writes, 99):.1f} ms; "
          f"503 busy (documented, Retry-After) x{busy}, retried with the same key x{out.retried}")
    slow = [t for t in reads if t > args.max_read_s]
    problems = out.failures + [f"{len(slow)} reads slower than {args.max_read_s:g}s"] * bool(slow)
    for p in problems[:20]:
        print(f"FAIL: {p}")
    print("soak: " + ("FAILED" if problems else "ok: no 5xx other than documented 503s, no transport errors"))
    return 1 if problems else 0


def _held_windows(log: str) -> list[tuple[float, float]]:
    windows, start = [], None
    for line in log.splitlines():
        what, _, at = line.partition(" ")
        if what == "lock":
            start = float(at)
        elif what == "free" and start is not None:
            windows.append((start, float(at)))
            start = None
    return windows


if __name__ == "__main__":
    sys.exit(main())
