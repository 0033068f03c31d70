"""The sync feed across replicas and concurrent writers (issue 14, item 2).

Two `contentgen serve` processes on one library; two writers release and retire concurrently
while a client syncs continuously, alternating between the replicas. At the end the client's
copy equals the released set, always: no change committed late is skipped by a cursor that has
moved past it. (Changes are written under the library's write lock, on SQLite its single writer
and on PostgreSQL a transaction-level advisory lock, so sequence order is commit order.)
On both backends; the PostgreSQL pass is the one with real concurrent connections.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import httpx

from library import Library
from tests.api.conftest import make_draft, pass_checker
from tests.api.served import serve

N = 40


def _writer(target: str | Path, mids: list[str], seed: int, errors: list[BaseException]) -> None:
    lib = Library.open(target, checker=pass_checker)
    rng = random.Random(seed)
    try:
        for mid in mids:
            lib.release(mid, 1, actor="rita")
            if rng.random() < 0.3:
                lib.retire(mid, actor="rita")
    except BaseException as e:  # noqa: BLE001 - reported by the test, not swallowed
        errors.append(e)
    finally:
        lib.close()


def _apply(copy: dict[str, int], page: dict[str, Any]) -> None:
    for item in page["items"]:
        copy[item["id"]] = item["version"]
    for gone in page["deleted"]:
        if copy.get(gone["id"]) == gone["version"]:
            del copy[gone["id"]]


def test_a_client_syncing_from_two_replicas_ends_with_exactly_the_released_set(
        lib: Library, token: str) -> None:
    for name, role in (("olivia", "operator"), ("rita", "reviewer")):
        if name not in {u.name for u in lib.users.list()}:
            lib.users.add(name, role)
    mids = []
    for i in range(N):
        mid = lib.save_draft(make_draft("sms", body=f"【好邻居】第{i}条：新品到店，回复1预约。回T退订"),
                             author="olivia").material_id
        lib.submit(mid, 1, actor="olivia")
        lib.approve(mid, 1, actor="rita")
        mids.append(mid)
    servers = [serve(lib.target) for _ in range(2)]
    readers = [threading.Thread(target=proc.stdout.read, daemon=True)  # type: ignore[union-attr]
               for proc, _, _ in servers]  # read their logs away: a full pipe stalls a server
    for reader in readers:
        reader.start()
    errors: list[BaseException] = []
    writers = [threading.Thread(target=_writer, args=(lib.target, mids[k::2], k, errors))
               for k in range(2)]
    copy: dict[str, int] = {}
    cursor: str | None = None
    pages = 0
    try:
        clients = [httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                timeout=30) for _, url, _ in servers]
        for w in writers:
            w.start()
        while True:
            done = not any(w.is_alive() for w in writers)
            while True:  # drain, alternating replicas page by page
                params: dict[str, Any] = {"channel": "sms", "limit": 7}
                if cursor:
                    params["cursor"] = cursor
                r = clients[pages % 2].get("/v1/sync", params=params)
                assert r.status_code == 200, r.text
                page = r.json()
                _apply(copy, page)
                cursor, pages = page["next_cursor"], pages + 1
                if not page["has_more"]:
                    break
            if done:
                break
        assert not errors, errors
        released = {m.id: m.released_version for m in lib.list(status="released", limit=500).items}
        assert copy == released
        assert 0 < len(released) < N and pages > 4
    finally:
        for c in clients:
            c.close()
        for proc, _, _ in servers:
            proc.terminate()
            proc.wait(timeout=10)
        for reader, (proc, _, _) in zip(readers, servers, strict=True):
            reader.join(timeout=10)
            proc.stdout.close()  # type: ignore[union-attr]
