"""library.batches on both backends: what people see of a queued batch."""

from __future__ import annotations

from typing import Any

from library import batches


def _items(*keys: str) -> list[dict[str, Any]]:
    return [{"key": k, "variant": 1, "variants": 1, "brief": {"product": k}, "source": f"f:{i + 1}"}
            for i, k in enumerate(keys)]


def test_a_repeated_brief_is_one_item_and_the_batch_completes(lib: Any) -> None:
    batch, keys = batches.create(lib, "bat_dup", author="alice", source="f", options={},
                                 items=_items("k1", "k2", "k1"))
    assert batch.total == 2 and keys == ["k1", "k2"]
    for k in keys:
        assert batches.start(lib, "bat_dup", k, "w") is not None
        batches.finish(lib, "bat_dup", k, material_id=f"m-{k}", version=1, verdict="pass")
    p = batches.progress(lib, "bat_dup")
    assert (p.done, p.total, p.complete) == (2, 2, True)


def test_writes_are_committed_where_another_connection_reads_them(lib: Any, library_target: Any) -> None:
    from library import Library

    batches.create(lib, "bat_c", author="alice", source="f", options={}, items=_items("a", "b"))
    batches.start(lib, "bat_c", "a", "w")
    batches.fail(lib, "bat_c", "a", "boom")
    other = Library.open(library_target)  # another process's view: nothing left uncommitted
    try:
        assert batches.progress(other, "bat_c").failed == 1
        assert batches.resume(other, "bat_c") == ["a", "b"]
        assert batches.progress(lib, "bat_c").queued == 2
    finally:
        other.close()
