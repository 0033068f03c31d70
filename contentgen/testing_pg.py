"""A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries, a scratch
cluster on a Unix socket, fsync off (nothing in it outlives the run).

    server = PostgresServer.start()                 # initdb + pg_ctl start, a few seconds
    url = server.create_database("t1")              # postgresql://contentgen@/t1?host=…
    server.create_database("t2", template="t1")     # a copy of a migrated one, fast
    server.stop()

Run as root (CI), the server runs as the `postgres` user that Debian's package creates:
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

USER = "contentgen"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return Path(dirs[-1]) if dirs and Path(dirs[-1], "initdb").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, base: Path, bindir: Path, port: int):
        self.base, self.bindir, self.port = base, bindir, port
        self.data = base / "data"

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = binaries()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql "
                               "(make test does it when run as root)")
        base = Path(tempfile.mkdtemp(prefix="cgpg"))  # short: a socket path has ~100 bytes
        server = cls(base, bindir, _free_port())
        if os.geteuid() == 0:
            shutil.chown(base, "postgres", "postgres")
        server._run("initdb", "-D", str(server.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync")
        opts = (f"-k {base} -p {server.port} -c listen_addresses='' -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        server._run("pg_ctl", "-D", str(server.data), "-o", opts, "-l", str(base / "log"),
                    "-w", "-t", "60", "start")
        return server

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.base)
        if done.returncode:
            log = (self.base / "log").read_text() if (self.base / "log").exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}{log[-2000:]}")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{USER}@/{dbname}?host={self.base}&port={self.port}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'
                         + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def raw_connection(target: str | Path) -> Any:
    """A connection of one's own to a library, outside it (another process, a raw SQL client):
    sqlite3 in autocommit mode, or library.pg's connection (errors as the sqlite3 classes)."""
    if str(target).startswith(("postgresql://", "postgres://")):
        from library.pg import own_connection

        return own_connection(str(target), lock_timeout_ms=0)
    import sqlite3

    return sqlite3.connect(target, timeout=0, isolation_level=None)


def table_rows(target: str | Path, tables: tuple[str, ...]) -> dict[str, list[Any]]:
    """Every row of these tables, in key order, through a connection of one's own."""
    from library import schema_info

    conn = raw_connection(target)
    try:
        out = {}
        for t in tables:
            key = ", ".join(f'"{c}"' for c in schema_info.primary_key(conn, t))
            out[t] = [tuple(r) for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY {key}').fetchall()]
        return out
    finally:
        conn.close()


def dump_text(target: str | Path) -> str:
    """Every row of every table as text (what a backup would hold), for "never stored" checks."""
    from library._db import connections

    conns = connections(target)
    try:
        names = [t for t in conns.db().table_names() if not t.startswith(("sqlite_", "material_search_"))]
    finally:
        conns.close()
    return "\n".join(repr(r) for rows in table_rows(target, tuple(names)).values() for r in rows)
