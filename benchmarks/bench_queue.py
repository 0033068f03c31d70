"""Batch generation on the task queue: worker processes, a rate-limited provider, PostgreSQL.

    .venv/bin/python benchmarks/bench_queue.py [--briefs 2000] [--quick] [--rpm 1200] [--latency 0.2]

Everything is real but the model: a throwaway PostgreSQL server (contentgen.testing_pg), the
Procrastinate queue on it (contentgen.usecases.batch_queue), `contentgen worker --until-empty`
processes, and contentgen.testing_provider (an OpenAI-compatible loopback server answering what
the offline model writes, after a fixed latency, with a token-bucket limit that answers 429 +
Retry-After) in a process of its own, so its CPU shares no GIL with anything else. Each run gets
a fresh database, a fresh batch and a fresh provider process (an empty answer memo). The jobs are
briefs over three industries and locales, 20 variants each (jobs_for's maximum).

Times: "start-up" is the first worker's spawn to the first request the provider sees (imports,
the prompt catalog and rule packs); "generation" is that first request to the last worker's
exit (the targets use it); the full wall time, spawn to exit, is printed too. CPU is measured
per party (workers, PostgreSQL, provider, this process, the rest of the machine), so a run on a
busy machine says so.

Part 1 (limit): --briefs drafts, --latency s per request, a provider limit of --rpm; two worker
processes with --rpm the same limit (shared through the database), concurrency 8 each (20 req/s
x 0.2 s needs 4 in flight). The ideal is the provider's answered requests (rewrites included;
429s are counted apart) / (rpm / 60) seconds. Targets: generation / ideal <= 1.1, and no 429
after the first 5 s of requests (the provider's counts are read 5 s after its first request).

Part 2 (scale): --scale-briefs drafts (default 1200) at 50 ms latency, no limit,
--scale-concurrency 1 per worker: a worker is then latency-bound (a third of a core), as
workers are against a real model whose answers take seconds. At 2 one worker takes over half a
core (its library calls no longer block its event loop), and two of them with PostgreSQL and
the provider fill a 2-core machine: the ratio then measures the machine (1.54 in the last run,
1.89 at 1). One worker process, then two, each on a fresh database. Throughput: drafts per second of
generation. Target: two / one >= 1.8. The ratio of request rates between 10% and 90% of the
requests (start-up ramp and tail left out) is printed alongside, with no target.

enqueue ANALYZEs the queue's jobs table after putting the jobs on it: without statistics
PostgreSQL plans Procrastinate's fetch for an empty table and scans every queued job on each
fetch (~0.1 s of PostgreSQL CPU per fetch at 2,000 jobs). The runs print when autovacuum
analyzed it as well.

--quick (300 drafts in each part) is a smoke check: every draft must be generated and no 429
come after the warm-up; the ratios are printed but not checked, fixed costs weigh too much.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _parts import run_parts, stop  # noqa: E402

from contentgen.generate import Job, jobs_for  # noqa: E402
from contentgen.kernel.schemas import Brief  # noqa: E402
from contentgen.testing_pg import PostgresServer  # noqa: E402
from contentgen.usecases import batch_queue  # noqa: E402
from library import Library, batches  # noqa: E402

LIMIT_TARGET = 1.1  # generation wall time / rate-limit ideal
SCALE_TARGET = 1.8  # throughput of two workers / one
WARMUP_S = 5.0  # 429s in the first seconds of requests are counted apart
POLL_S = 0.25  # the provider's counts are sampled this often
NOT_CHECKED = "; --quick: not checked, the targets are for the full run"
LIMIT_WORKERS, LIMIT_CONCURRENCY = 2, 8  # 20 req/s x 0.2 s = 4 in flight needed; 16 available
SCALE_LATENCY, SCALE_CONCURRENCY = 0.05, 1  # latency-bound workers (see the docstring)
VARIANTS = 20
OPTIONS = {"max_rewrites": 2, "seed": None, "timeout_s": 60.0}
EXE = Path(sys.executable).parent / "contentgen"
PRODUCTS = [("finance", "稳健理财季享计划", "zh-CN", "moments", "copy"),
            ("cosmetics", "アミノ酸洗顔フォーム", "ja-JP", "wecom_1v1", "copy"),
            ("food", "Weekend fruit box", "en-US", "sms", "push")]
JOBS_TABLE = f"{batch_queue.SCHEMA}.procrastinate_jobs"
_STOPPED = re.compile(r"worker stopped: .*")


def make_jobs(n: int) -> list[Job]:
    """n jobs: ceil(n / 20) distinct briefs over three industries and locales, 20 variants each
    (as tests/queue/_briefs.py builds them)."""
    jobs: list[Job] = []
    i = 0
    while len(jobs) < n:
        industry, product, locale, channel, content_type = PRODUCTS[i % len(PRODUCTS)]
        brief = Brief(industry=industry, segment="dormant.mass", persona="approachable", content_type=content_type,
                      channel=channel, locale=locale, product=f"{product} {i}",
                      selling_points=["fresh every Saturday" if locale == "en-US" else "限定"])
        jobs += jobs_for(brief, VARIANTS, source=f"bench:{i + 1}")[:n - len(jobs)]
        i += 1
    return jobs


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used, from /proc."""
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (float(parts[11]) + float(parts[12])) / os.sysconf("SC_CLK_TCK")


class Provider:
    """`python -m contentgen.testing_provider` in its own process."""

    def __init__(self, latency: float, rpm: float | None):
        cmd = [sys.executable, "-m", "contentgen.testing_provider", "--latency", str(latency), "--port", "0"]
        if rpm:
            cmd += ["--rpm", str(rpm)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the provider did not start: {line!r}")
        self.base_url = line
        self.client = httpx.Client(timeout=10)

    def stats(self) -> dict[str, Any]:
        r = self.client.get(self.base_url + "/stats")
        r.raise_for_status()
        return dict(r.json())

    def cpu(self) -> float:
        return process_cpu(self.proc.pid)

    def stop(self) -> None:
        if hasattr(self, "client"):
            self.client.close()
        if self.proc.poll() is None:
            stop(self.proc)


def postgres_cpu(server: PostgresServer) -> float:
    """CPU seconds the PostgreSQL server has used: the postmaster, its live children (backends,
    checkpointer, ...) and the children it has reaped (backends of closed connections)."""
    try:
        pid = int((server.data / "postmaster.pid").read_text().split()[0])
        own = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return float("nan")
    tick = os.sysconf("SC_CLK_TCK")
    total = sum(float(x) for x in own[11:15]) / tick  # utime, stime, cutime, cstime
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if parts[1] == str(pid):
            total += (float(parts[11]) + float(parts[12])) / tick
    return total


class Poller:
    """Samples the provider's counts (and the workers' CPU) every POLL_S: the 429s of the first
    WARMUP_S seconds of requests, the request rate between 10% and 90% of the requests, and the
    workers' CPU up to the first request. The provider's first_at is time.monotonic() in its
    process: the same clock as this one's on Linux."""

    def __init__(self, provider: Provider, pids: list[int]):
        self.provider, self.pids = provider, pids
        self.samples: list[tuple[float, int, int]] = []  # (monotonic, requests, throttled)
        self.warmup: tuple[int, int] | None = None  # (requests, throttled) at first_at + WARMUP_S
        self.cpu_at_first: float | None = None  # the workers' CPU when the first request was seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _workers_cpu(self) -> float:
        total = 0.0
        for pid in self.pids:
            try:
                total += process_cpu(pid)
            except (OSError, IndexError):
                pass
        return total

    def _run(self) -> None:
        client = httpx.Client(timeout=10)
        try:
            while not self._stop.is_set():
                s = client.get(self.provider.base_url + "/stats").json()
                at = time.monotonic()
                self.samples.append((at, int(s["requests"]), int(s["throttled"])))
                if s["first_at"] is not None:
                    if self.cpu_at_first is None:
                        self.cpu_at_first = self._workers_cpu()
                    if self.warmup is None and at >= s["first_at"] + WARMUP_S:
                        self.warmup = (int(s["requests"]), int(s["throttled"]))
                    wake = s["first_at"] + WARMUP_S if self.warmup is None else at + POLL_S
                    self._stop.wait(min(POLL_S, max(0.0, wake - time.monotonic())))
                else:
                    self._stop.wait(0.02)
        except httpx.HTTPError:
            pass
        finally:
            client.close()

    def steady_rate(self, lo: float = 0.1, hi: float = 0.9) -> float | None:
        """Requests per second between lo and hi of the final request count (linear between
        samples): the pace once every worker is going, before the last drafts."""
        if not self.samples or self.samples[-1][1] < 20:
            return None
        final = self.samples[-1][1]

        def when(count: float) -> float:
            prev = self.samples[0]
            for cur in self.samples:
                if cur[1] >= count:
                    if cur[1] == prev[1]:
                        return cur[0]
                    return prev[0] + (cur[0] - prev[0]) * (count - prev[1]) / (cur[1] - prev[1])
                prev = cur
            return self.samples[-1][0]

        a, b = when(lo * final), when(hi * final)
        return (hi - lo) * final / (b - a) if b > a else None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class Run:
    drafts: int
    failed: int
    total: int
    spawned_at: float  # monotonic: the first worker's spawn
    exited_at: float  # monotonic: the last worker's exit
    stats: dict[str, Any]  # the provider's, at the end
    cpu: dict[str, float]  # CPU seconds during the run: workers, postgres, provider, bench, machine
    workers_cpu_at_first: float | None  # the workers' CPU when the first request was seen
    machine_cores: float  # CPUs of the machine
    worker_lines: list[str] = field(default_factory=list)
    warmup: tuple[int, int] | None = None  # (requests, 429s) WARMUP_S after the first request
    steady_rate: float | None = None  # requests/s between 10% and 90% of the requests
    autoanalyzed_at: list[float] = field(default_factory=list)  # monotonic; the last, times its count

    @property
    def wall_s(self) -> float:
        return self.exited_at - self.spawned_at

    @property
    def startup_s(self) -> float:
        """The first spawn to the first request the provider saw."""
        return float(self.stats["first_at"]) - self.spawned_at

    @property
    def generation_s(self) -> float:
        """The first request to the last worker's exit."""
        return self.exited_at - float(self.stats["first_at"])

    @property
    def span_s(self) -> float:
        """The provider's first request to its last answer."""
        return float(self.stats["last_at"]) - float(self.stats["first_at"])

    @property
    def tail_s(self) -> float:
        """The provider's last answer to the last worker's exit (the last saves, the shutdown)."""
        return self.exited_at - float(self.stats["last_at"])

    @property
    def answered(self) -> int:
        """Requests the provider answered (not with 429): rewrites and retries included."""
        return int(self.stats["requests"]) - int(self.stats["throttled"])


def prepare(server: PostgresServer, db: str, jobs: list[Job]) -> tuple[str, str]:
    """A fresh library database with the batch on its queue; (url, batch id)."""
    url = server.create_database(db)
    lib = Library.open(url)
    try:
        lib.users.add("olga", "operator")
        queued = batch_queue.enqueue(lib, jobs, as_user="olga", options=OPTIONS, source=f"bench_queue:{db}")
        assert queued.queued == len(jobs), queued
    finally:
        lib.close()
    return url, queued.batch.id


def autoanalyzed(url: str) -> list[float]:
    """When autovacuum last analyzed the jobs table (epoch seconds), if it did, and how often."""
    schema, table = JOBS_TABLE.split(".")
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT extract(epoch FROM last_autoanalyze)::float8, autoanalyze_count "
                           "FROM pg_stat_user_tables WHERE schemaname = %s AND relname = %s",
                           [schema, table]).fetchone()
    return [] if row is None or row[0] is None else [float(row[0])] * int(row[1])


def run_workers(server: PostgresServer, url: str, batch_id: str, provider: Provider, *, workers: int,
                concurrency: int, rpm: float | None, workdir: Path, timeout_s: float) -> Run:
    """`workers` worker processes until the queue is empty; what they did, timed."""
    env = os.environ | {"OPENAI_API_KEY": "sk-loopback", "OPENAI_BASE_URL": provider.base_url}
    env.pop("CONTENTGEN_DB", None)
    logs = [workdir / f"{url.rsplit('/', 1)[1].split('?')[0]}-w{i + 1}.log" for i in range(workers)]
    procs: list[subprocess.Popen[bytes]] = []
    poller: Poller | None = None
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, total0 = machine_busy()
    pg0, provider0, self0 = postgres_cpu(server), provider.cpu(), time.process_time()
    try:
        spawned_at, spawned_epoch = time.monotonic(), time.time()
        for i, log in enumerate(logs):
            cmd = [str(EXE), "worker", "--db", url, "--until-empty", "--concurrency", str(concurrency),
                   "--name", f"w{i + 1}"] + (["--rpm", f"{rpm:g}"] if rpm else [])
            with log.open("wb") as err:
                procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err))
        poller = Poller(provider, [p.pid for p in procs])
        deadline = spawned_at + timeout_s
        exited_at = spawned_at
        for p in procs:
            code = p.wait(timeout=max(1.0, deadline - time.monotonic()))
            exited_at = max(exited_at, time.monotonic())
            if code:
                raise RuntimeError(f"a worker exited with {code}:\n"
                                   + "\n".join(log.read_text()[-3000:] for log in logs))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if poller is not None:
            poller.close()
    assert poller is not None
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, total1 = machine_busy()
    cpu = {"workers": (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime),
           "postgres": postgres_cpu(server) - pg0, "provider": provider.cpu() - provider0,
           "bench": time.process_time() - self0, "machine": busy1 - busy0}
    stats = provider.stats()
    analyzed = autoanalyzed(url)
    lib = Library.open(url)
    try:
        progress = batches.progress(lib, batch_id)
    finally:
        lib.close()
    lines = []
    for log in logs:
        text = log.read_text()
        found = _STOPPED.findall(text)
        lines.append(found[-1] if found else text[-500:])
    return Run(drafts=progress.done, failed=progress.failed, total=progress.total, spawned_at=spawned_at, exited_at=exited_at,
               stats=stats, cpu=cpu, workers_cpu_at_first=poller.cpu_at_first,
               machine_cores=(total1 - total0) / (exited_at - spawned_at), worker_lines=lines,
               warmup=poller.warmup, steady_rate=poller.steady_rate(),
               autoanalyzed_at=[spawned_at + (t - spawned_epoch) for t in analyzed])


def queue_state(args: argparse.Namespace) -> str:
    return "jobs table as enqueue leaves it (ANALYZEd)"


def describe(tag: str, run: Run) -> None:
    s = run.stats
    print(f"{tag}: {run.drafts:,}/{run.total:,} drafts done, {run.failed} failed; provider {s['requests']:,} "
          f"requests ({run.answered:,} answered, {s['throttled']} 429s, {s['failed']} 5xx)")
    print(f"{tag}: wall {run.wall_s:.1f}s = start-up {run.startup_s:.1f}s (first spawn to first request) "
          f"+ generation {run.generation_s:.1f}s (first request to last exit; {run.tail_s:.1f}s of it "
          f"after the last answer)")
    c, wall = run.cpu, run.wall_s
    others = c["machine"] - c["workers"] - c["postgres"] - c["provider"] - c["bench"]
    at_first = run.workers_cpu_at_first
    split = "" if at_first is None else (
        f"; {at_first:.1f}s of it before the first request, then "
        f"{(c['workers'] - at_first) / max(1, run.drafts) * 1000:.1f} ms/draft")
    print(f"{tag}: CPU: workers {c['workers']:.1f}s{split}; PostgreSQL "
          f"{c['postgres'] / max(1, run.drafts) * 1000:.1f} ms/draft")
    print(f"{tag}: busy cores over the wall time: workers {c['workers'] / wall:.2f}, PostgreSQL "
          f"{c['postgres'] / wall:.2f}, provider {c['provider'] / wall:.2f}, this process {c['bench'] / wall:.2f}, "
          f"not this benchmark {others / wall:.2f}; machine {c['machine'] / wall:.2f} of {run.machine_cores:.0f}")
    if run.autoanalyzed_at:
        last = run.autoanalyzed_at[-1] - float(run.stats["first_at"])
        print(f"{tag}: autovacuum analyzed the jobs table {len(run.autoanalyzed_at)}x during the run, last "
              f"{last:+.1f}s from the first request")
    else:
        print(f"{tag}: autovacuum did not analyze the jobs table during the run")
    for i, line in enumerate(run.worker_lines):
        print(f"{tag}:   w{i + 1}: {line}")


# ---- part 1: two workers under one provider limit ------------------------------------------


def part_limit(args: argparse.Namespace, workdir: Path) -> bool:
    jobs = make_jobs(args.briefs)
    server = PostgresServer.start()
    provider: Provider | None = None
    try:
        url, batch_id = prepare(server, "limit", jobs)
        provider = Provider(args.latency, args.rpm)
        run = run_workers(server, url, batch_id, provider, workers=LIMIT_WORKERS, concurrency=LIMIT_CONCURRENCY,
                          rpm=args.rpm, workdir=workdir, timeout_s=3 * len(jobs) / (args.rpm / 60) + 120)
    finally:
        if provider is not None:
            provider.stop()
        server.stop()
    tag, rate = "limit", args.rpm / 60.0
    print(f"{tag}: {len(jobs):,} drafts ({-(-len(jobs) // VARIANTS)} briefs x up to {VARIANTS} variants), "
          f"latency {args.latency * 1000:.0f} ms, provider limit {args.rpm:g} rpm; {LIMIT_WORKERS} workers x "
          f"concurrency {LIMIT_CONCURRENCY}, each --rpm {args.rpm:g}; {queue_state(args)}")
    describe(tag, run)
    throttled = int(run.stats["throttled"])
    ideal = run.answered / rate  # a 429 takes no slot of the limit
    ratio = run.generation_s / ideal
    print(f"{tag}: ideal {ideal:.1f}s ({run.answered:,} answered requests at {rate:g}/s)")
    print(f"{tag}: generation wall / ideal = {ratio:.3f} (target <= {LIMIT_TARGET}{NOT_CHECKED * args.quick})")
    print(f"{tag}: provider first request..last answer / ideal = {run.span_s / ideal:.3f} (no target)")
    print(f"{tag}: full wall (start-up included) / ideal = {run.wall_s / ideal:.3f} (no target)")
    if run.steady_rate is not None:
        print(f"{tag}: request rate between 10% and 90% of the requests {run.steady_rate:.2f}/s = "
              f"{run.steady_rate / rate:.3f} of the limit (no target)")
    if run.warmup is None:
        late = throttled
        print(f"{tag}: 429s: {throttled} in all (the run ended within {WARMUP_S:g}s of the first request)")
    else:
        late = throttled - run.warmup[1]
        print(f"{tag}: 429s: {run.warmup[1]} in the first {WARMUP_S:g}s of requests ({run.warmup[0]:,} requests), "
              f"{late} after (target 0 after)")
    done = run.drafts == len(jobs) and run.failed == 0
    if not done:
        print(f"{tag}: FAILED: not every draft was generated")
    return done and late == 0 and (args.quick or ratio <= LIMIT_TARGET)


# ---- part 2: two workers vs one, no limit -------------------------------------------------


def part_scale(args: argparse.Namespace, workdir: Path) -> bool:
    jobs = make_jobs(args.scale_briefs)
    server = PostgresServer.start()
    runs: dict[int, Run] = {}
    try:
        for workers in (1, 2):
            url, batch_id = prepare(server, f"scale{workers}", jobs)
            provider = Provider(SCALE_LATENCY, None)  # a fresh one: its memo starts empty each run
            try:
                runs[workers] = run_workers(server, url, batch_id, provider, workers=workers,
                                            concurrency=args.scale_concurrency, rpm=None, workdir=workdir,
                                            timeout_s=600)
            finally:
                provider.stop()
            server.drop_database(f"scale{workers}")
    finally:
        server.stop()
    conc = args.scale_concurrency
    ceiling = conc / SCALE_LATENCY
    print(f"scale: {len(jobs):,} drafts ({-(-len(jobs) // VARIANTS)} briefs x up to {VARIANTS} variants) per run, "
          f"latency {SCALE_LATENCY * 1000:.0f} ms, no limit, concurrency {conc} per worker (at most "
          f"{ceiling:.0f} drafts/s per worker if latency were all); {os.cpu_count()} CPUs; a fresh database "
          f"and provider per run; {queue_state(args)}")
    rates, steady = {}, {}
    for workers, run in runs.items():
        describe(f"scale x{workers}", run)
        rates[workers] = run.drafts / run.generation_s
        steady[workers] = run.steady_rate
        extra = "" if run.steady_rate is None else (
            f"; {run.steady_rate:.1f} requests/s between 10% and 90% of the requests")
        print(f"scale x{workers}: {rates[workers]:.1f} drafts/s of generation "
              f"({rates[workers] / (workers * ceiling):.0%} of the latency ceiling){extra}")
    ratio = rates[2] / rates[1]
    print(f"scale: two workers / one = {ratio:.2f} drafts/s of generation (target >= {SCALE_TARGET}"
          f"{NOT_CHECKED * args.quick})")
    if steady[1] and steady[2]:
        print(f"scale: two workers / one = {steady[2] / steady[1]:.2f} between 10% and 90% of the requests "
              f"(no target)")
    done = all(r.drafts == len(jobs) and r.failed == 0 for r in runs.values())
    if not done:
        print("scale: FAILED: not every draft was generated")
    return done and (args.quick or ratio >= SCALE_TARGET)


# name -> function(args, workdir) -> met its target
PARTS: dict[str, Callable[[argparse.Namespace, Path], bool]] = {"limit": part_limit, "scale": part_scale}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=None, help="drafts of the limit part (default 2000)")
    parser.add_argument("--scale-briefs", type=int, default=None, help="drafts of the scale part (default 1200)")
    parser.add_argument("--quick", action="store_true", help="a smaller run, for a smoke check")
    parser.add_argument("--rpm", type=float, default=1200.0, help="provider limit and workers' --rpm (limit)")
    parser.add_argument("--latency", type=float, default=0.2, help="model latency in seconds (limit)")
    parser.add_argument("--scale-concurrency", type=int, default=SCALE_CONCURRENCY,
                        help="concurrency per worker (scale)")
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args(argv)
    if not args.rpm > 0 or args.latency < 0:
        parser.error("--rpm must be positive and --latency at least 0")
    for name in ("briefs", "scale_briefs", "scale_concurrency"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.briefs is None:
        args.briefs = 300 if args.quick else 2000
    if args.scale_briefs is None:
        args.scale_briefs = 300 if args.quick else 1200
    return run_parts(PARTS, args)


if __name__ == "__main__":
    sys.exit(main())
