"""Saving an operator's variant through the use case: a regenerated brief builds on the
material's current version instead of failing on a stale one."""

from __future__ import annotations

from typing import Any

from contentgen.usecases.drafts import save_variant
from library import Library


def test_a_regenerated_brief_is_saved_as_the_next_version(lib: Library, draft_factory: Any) -> None:
    draft = draft_factory("好久不见，洁面乳上新，回复1领取试用装。")
    first = save_variant(lib, draft, draft.content, saved=None, saved_content=None, author="alice",
                         source="edited")
    assert first is not None and first.version == 1
    edited = dict(draft.content.model_dump(mode="json"), body="好久不见，洁面乳第二版上新。")
    lib.edit(first.material_id, base_version=1, content=edited, actor="alice")
    # The same brief and variant again (same key), changed by the operator before saving.
    again = dict(edited, body="好久不见，洁面乳第三版，欢迎试用。")
    mv = save_variant(lib, draft, again, saved=None, saved_content=None, author="alice", source="edited")
    assert mv is not None and (mv.material_id, mv.version) == (first.material_id, 3)
    assert mv.content["body"] == "好久不见，洁面乳第三版，欢迎试用。"
    # Regenerated and left as it stands now: nothing new is written.
    same = save_variant(lib, draft, again, saved=None, saved_content=None, author="alice",
                        source="edited")
    assert same is not None and same.version == 3
    assert lib.get(first.material_id).current_version == 3
