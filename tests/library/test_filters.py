"""Listing by compliance verdict and by how long an item has waited."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.kernel.errors import UsageError


def test_verdict_filter(lib: Any, draft_factory: Any) -> None:
    clean = lib.save_draft(draft_factory(), author="alice")
    blocked = lib.save_draft(draft_factory(blocked=True), author="alice")
    assert [m.id for m in lib.list(verdict="block").items] == [blocked.material_id]
    assert [m.id for m in lib.list(verdict="pass").items] == [clean.material_id]
    with pytest.raises(UsageError, match="unknown verdict 'red'"):
        lib.list(verdict="red")


def test_updated_before_filter(lib: Any, draft_factory: Any) -> None:
    mv = lib.save_draft(draft_factory(), author="alice")
    stamp = lib.get(mv.material_id).updated_at
    assert lib.list(updated_before=stamp).total == 0
    assert lib.list(updated_before="2999-01-01T00:00:00Z").total == 1
    assert lib.list(updated_before="2999-01-01T08:00:00+08:00").total == 1
    with pytest.raises(UsageError, match="not an ISO-8601 time"):
        lib.list(updated_before="last tuesday")
