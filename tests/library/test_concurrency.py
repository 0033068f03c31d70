"""8 threads acting on the same materials: each step succeeds or is refused, nothing is lost."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

from library import Library
from library.errors import ConflictError, TransitionError

ACTIONS = [("edit", "bob"), ("edit", "alice"), ("submit", "alice"), ("approve", "rita"),
           ("approve", "ray"), ("request_changes", "ray"), ("release", "rita")]


def test_eight_threads_on_the_same_materials(lib: Library, draft_factory: Any) -> None:
    mids = [lib.save_draft(draft_factory(), author="ada").material_id for _ in range(3)]
    barrier = threading.Barrier(8)
    done: list[tuple[str, str, int]] = []
    refused: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        barrier.wait()
        for i in range(25):
            mid = rnd.choice(mids)
            action, actor = rnd.choice(ACTIONS)
            version = lib.get(mid).current_version  # read, then act on what was read
            try:
                if action == "edit":
                    lib.edit(mid, base_version=version, actor=actor,
                             content={"body": f"{actor} {seed}-{i} 的改稿。",
                                      "send_window": {"start": "09:00", "end": "11:00"}})
                else:
                    getattr(lib, action)(mid, version, actor=actor, reason="concurrent review")
            except ConflictError:
                with lock:
                    refused["conflict"] += 1
            except TransitionError:
                with lock:
                    refused["transition"] += 1  # the version moved on in status meanwhile
            except BaseException as e:  # anything else is a bug
                errors.append(e)
            else:
                with lock:
                    done.append((mid, action, version))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(done) + sum(refused.values()) == 8 * 25
    assert done, "no step succeeded"

    for mid in mids:
        m = lib.get(mid)
        events = lib.history(mid)
        ok = [d for d in done if d[0] == mid]
        # Every success left exactly one audit event (plus the create), and nothing else did.
        assert len(events) == len(ok) + 1
        assert Counter(e.action for e in events[1:]) == Counter(a for _, a, _ in ok)
        # Version history is complete: 1..current, each version's parent is the one before.
        versions = lib.versions(mid)
        assert [v.version for v in versions] == list(range(1, m.current_version + 1))
        assert all(v.parent_version == v.version - 1 for v in versions[1:])
        assert m.current_version == 1 + sum(1 for _, a, _ in ok if a == "edit")
        # Every edit was based on the version current at the time: no lost update.
        edit_bases = sorted(v for _, a, v in ok if a == "edit")
        assert edit_bases == list(range(1, m.current_version))
        assert versions[-1].status == m.status
