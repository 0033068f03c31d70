"""PostgreSQL benchmarks, each a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_pg.py [--materials 20000] [--released 2000] [--seconds 5]

Everything runs on a throwaway PostgreSQL server (contentgen.testing_pg: a scratch cluster on
a Unix socket, fsync off), started and stopped by each part.

Part 1 (inserts): Library.save_drafts of N materials (material + version 1 + audit event +
search entry, one transaction per BATCH drafts) into a migrated PostgreSQL library, against raw
psycopg `executemany` of the same rows (all four tables, built beforehand by the library's own
row builder, as bench_library's raw baseline) into a second database migrated the same way
(same indexes, trigram search table, audit triggers), in the same batches, each batch one
transaction. The three writers take turns batch by batch, so load from elsewhere on the machine
falls on each alike. The ratio of throughputs measures the library layer over PostgreSQL (its
dialect translation, client-side binding, write lock, idempotency lookup), not the cost of the
indexes it needs. Target: library/raw >= 0.5. COPY (`cursor.copy`) of the same rows into a
third database is printed alongside, with no target: the fastest PostgreSQL load there is.

Part 2 (api, printed only, no target): the same M released sms materials (saved, submitted by
an operator, approved and released by a reviewer) in a SQLite library file and in a PostgreSQL
library; `contentgen serve` subprocesses answer GET /v1/materials?channel=sms&limit=100 and
GET /v1/sync?channel=sms, walked page by page (following next_cursor, starting over at the end)
by a few keep-alive client threads for --seconds each, after one warm-up walk. Prints requests
per second and the ratios PostgreSQL/SQLite and two replicas/one (two serve processes on the
same PostgreSQL database, each client alternating between them request by request).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _parts import run_parts, stop  # noqa: E402
from bench_library import BATCH, make_drafts  # noqa: E402  (sms pushes in 3 locales)

from contentgen.kernel.schemas import Draft  # noqa: E402
from contentgen.testing_pg import PostgresServer  # noqa: E402
from contentgen.usecases import open_library  # noqa: E402
from library import migrations  # noqa: E402
from library._db import connections  # noqa: E402
from library.batch_save import TABLES, build_rows  # noqa: E402
from library.store import SYSTEM_ROLE  # noqa: E402

INSERT_TARGET = 0.5
PAGE = 100
ENDPOINTS: dict[str, tuple[str, dict[str, Any]]] = {
    "materials": ("/v1/materials", {"channel": "sms", "limit": PAGE}),
    "sync": ("/v1/sync", {"channel": "sms"}),
}
CLIENT_THREADS = 4


# ---- part 1: inserts ---------------------------------------------------------------------


def raw_rows(drafts: list[Draft]) -> dict[str, list[tuple[Any, ...]]]:
    """Table -> every row one save writes (material, version, audit, search), outside the timing:
    the library's own builder, called as bench_library calls it for its raw baseline."""
    rows = build_rows(drafts, author="bench", role=SYSTEM_ROLE, plan_id=None, send_at=None,
                      tags=[], first_seq=1)
    return rows.rows


def migrated(url: str) -> str:
    """A database migrated as the library migrates it (same tables, indexes, triggers)."""
    conns = connections(url)
    try:
        migrations.apply(conns.db())
    finally:
        conns.close()
    return url


def _inserts_sql(table: str) -> str:
    cols = TABLES[table]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"


def _copy_sql(table: str) -> str:
    return f"COPY {table} ({', '.join(TABLES[table])}) FROM STDIN"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in TABLES}


def bench_inserts(n: int, server: PostgresServer) -> dict[str, float]:
    drafts = make_drafts(n)
    tables = raw_rows(drafts)
    raw_url = migrated(server.create_database("raw"))
    copy_url = migrated(server.create_database("copy"))
    lib_url = server.create_database("lib")
    lib = open_library(lib_url)  # migrates it, as Library.open does for any library
    # Autocommit, so each batch's transaction is the explicit one below (BEGIN ... COMMIT),
    # as the library's; default cursors (server-side binding, executemany pipelined).
    raw = psycopg.connect(raw_url, autocommit=True)
    copy = psycopg.connect(copy_url, autocommit=True)
    inserts = {t: _inserts_sql(t) for t in TABLES}
    times = {"raw": 0.0, "copy": 0.0, "library": 0.0}
    saved = 0
    try:
        for start in range(0, n, BATCH):
            stop = start + BATCH
            t0 = time.perf_counter()
            with raw.transaction(), raw.cursor() as cur:
                for table, rows in tables.items():
                    cur.executemany(inserts[table], rows[start:stop])
            t1 = time.perf_counter()
            with copy.transaction(), copy.cursor() as cur:
                for table, rows in tables.items():
                    with cur.copy(_copy_sql(table)) as cp:
                        for row in rows[start:stop]:
                            cp.write_row(row)
            t2 = time.perf_counter()
            saved += len(lib.save_drafts(drafts[start:stop], author="bench", batch_size=BATCH))
            t3 = time.perf_counter()
            times["raw"] += t1 - t0
            times["copy"] += t2 - t1
            times["library"] += t3 - t2
        assert saved == n and lib.list(limit=1).total == n
    finally:
        raw.close()
        copy.close()
        lib.close()
    expected = {t: n for t in TABLES}
    for url in (raw_url, copy_url, lib_url):
        got = _counts(url)
        assert got == expected, (url, got)
    return {f"{k}_per_s": n / s for k, s in times.items()} | {
        "ratio": times["raw"] / times["library"], "copy_ratio": times["copy"] / times["library"]}


def part_inserts(args: argparse.Namespace, workdir: Path) -> bool:
    server = PostgresServer.start()
    try:
        r = bench_inserts(args.materials, server)
    finally:
        server.stop()
    print(f"inserts: {args.materials:,} materials in batches of {BATCH}  "
          f"library {r['library_per_s']:,.0f}/s  raw psycopg executemany {r['raw_per_s']:,.0f}/s  "
          f"COPY {r['copy_per_s']:,.0f}/s")
    print(f"inserts: library/raw = {r['ratio']:.2f} (target >= {INSERT_TARGET})")
    print(f"inserts: library/COPY = {r['copy_ratio']:.2f} (no target)")
    return r["ratio"] >= INSERT_TARGET


# ---- part 2: delivery API reads ----------------------------------------------------------


def build_released(target: str | Path, n: int) -> str:
    """n released sms materials, through the workflow (operator submits, reviewer approves and
    releases); returns a delivery token that may read sms."""
    lib = open_library(target)
    try:
        lib.users.add("olivia", "operator")
        lib.users.add("rita", "reviewer")
        for v in lib.save_drafts(make_drafts(n), author="olivia", batch_size=BATCH):
            lib.submit(v.material_id, 1, actor="olivia")
            lib.approve(v.material_id, 1, actor="rita")
            lib.release(v.material_id, 1, actor="rita")
        return lib.tokens.create("bench", ["sms"])
    finally:
        lib.close()


class Served:
    """A `contentgen serve --port 0` process on a library, its log drained in a thread."""

    def __init__(self, target: str | Path):
        exe = Path(sys.executable).parent / "contentgen"
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", "0", "--db", str(target), "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", first)
        if not m:
            self.stop()
            raise RuntimeError(f"contentgen serve did not start: {first}")
        self.url = f"http://127.0.0.1:{m.group(1)}"
        # A full pipe would stall the server; the rest of its log is not needed.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        deadline = time.monotonic() + 120  # the startup rescan reads every released version
        while True:
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"contentgen serve on {target} did not come up") from None
                time.sleep(0.05)

    def stop(self) -> None:
        stop(self.proc)


class Walker:
    """One client thread's walk of an endpoint's pages, over one or more replicas in turn."""

    def __init__(self, urls: list[str], token: str, endpoint: str):
        headers = {"Authorization": f"Bearer {token}"}
        self.clients = [httpx.Client(base_url=u, headers=headers, timeout=30) for u in urls]
        self.path, self.params = ENDPOINTS[endpoint]
        self.cursor: str | None = None
        self.requests = 0

    def step(self) -> bool:
        """One page; True when the walk is back at its start."""
        q = self.params | ({"cursor": self.cursor} if self.cursor else {})
        r = self.clients[self.requests % len(self.clients)].get(self.path, params=q)
        self.requests += 1
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["items"], f"{self.path}: empty page"
        more = body.get("has_more", body["next_cursor"] is not None)
        self.cursor = body["next_cursor"] if more else None
        return self.cursor is None

    def close(self) -> None:
        for c in self.clients:
            c.close()


def requests_per_s(urls: list[str], token: str, endpoint: str,
                   seconds: float) -> tuple[float, float]:
    """Requests per second, and the CPU (cores) the client process used meanwhile: near 1,
    the clients (one GIL) and not the servers would be what is measured."""
    for url in urls:  # one full walk on each replica first: every payload rendered once
        warm = Walker([url], token, endpoint)
        try:
            while not warm.step():
                pass
        finally:
            warm.close()
    walkers = [Walker(urls, token, endpoint) for _ in range(CLIENT_THREADS)]
    errors: list[BaseException] = []
    stop_at = time.perf_counter() + seconds

    def run(w: Walker) -> None:
        try:
            while time.perf_counter() < stop_at:
                w.step()
        except BaseException as e:  # noqa: BLE001 - re-raised below, in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(w,)) for w in walkers]
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for w in walkers:
        w.close()
    if errors:
        raise errors[0]
    return sum(w.requests for w in walkers) / elapsed, cpu / elapsed


def bench_api(sqlite_path: Path, pg_url: str, n: int,
              seconds: float) -> dict[str, dict[str, tuple[float, float]]]:
    t0 = time.perf_counter()
    tokens = {"sqlite": build_released(sqlite_path, n), "pg": build_released(pg_url, n)}
    print(f"api: {n:,} released sms materials in each library, built in "
          f"{time.perf_counter() - t0:.1f}s")
    out: dict[str, dict[str, tuple[float, float]]] = {e: {} for e in ENDPOINTS}
    servers: list[Served] = []
    try:
        servers.append(Served(sqlite_path))
        for e in ENDPOINTS:
            out[e]["sqlite"] = requests_per_s([servers[0].url], tokens["sqlite"], e, seconds)
        servers[0].stop()
        servers = [Served(pg_url)]
        for e in ENDPOINTS:
            out[e]["pg"] = requests_per_s([servers[0].url], tokens["pg"], e, seconds)
        servers.append(Served(pg_url))
        for e in ENDPOINTS:
            out[e]["pg2"] = requests_per_s([s.url for s in servers], tokens["pg"], e, seconds)
    finally:
        for s in servers:
            s.stop()
    return out


def part_api(args: argparse.Namespace, workdir: Path) -> bool:
    server = PostgresServer.start()
    try:
        results = bench_api(workdir / "api.db", server.create_database("api"), args.released,
                            args.seconds)
    finally:
        server.stop()
    for e, runs in results.items():
        path, params = ENDPOINTS[e]
        query = "&".join(f"{k}={v}" for k, v in params.items())
        r = {k: rate for k, (rate, _) in runs.items()}
        cpu = "/".join(f"{c:.2f}" for _, c in runs.values())
        print(f"api: GET {path}?{query}  ({CLIENT_THREADS} client threads, {args.seconds:g}s)  "
              f"SQLite {r['sqlite']:,.0f} req/s  PostgreSQL {r['pg']:,.0f} req/s  "
              f"PostgreSQL x2 replicas {r['pg2']:,.0f} req/s  [client CPU {cpu} cores]")
        print(f"api PostgreSQL/SQLite = {r['pg'] / r['sqlite']:.2f}  ({path}, no target)")
        print(f"api two replicas/one (PostgreSQL) = {r['pg2'] / r['pg']:.2f}  ({path}, no target)")
    return True


# name -> function(args, workdir) -> met its target
PARTS: dict[str, Callable[[argparse.Namespace, Path], bool]] = {
    "inserts": part_inserts, "api": part_api}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=20_000, help="drafts saved (inserts)")
    parser.add_argument("--released", type=int, default=2_000, help="released materials (api)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint and setup (api)")
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args(argv)
    return run_parts(PARTS, args)


if __name__ == "__main__":
    sys.exit(main())
