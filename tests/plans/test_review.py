"""Plans in the library: stored as a unit, approved as a unit, edited one touchpoint at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contentgen.plan_schedule import PlanConstraintError
from contentgen.plans import GeneratedPlan, PlanRequest, generate_plan
from contentgen.usecases import open_library
from library import Library
from library.errors import NotFoundError, PermissionDenied
from library.plans import (
    approve_plan,
    edit_touchpoint,
    get_plan,
    list_plans,
    plan_status,
    release_plan,
    review_touchpoint,
    save_plan,
    scheduled_sends,
    submit_plan,
)


def _plan(generator: Any, **kw: Any) -> GeneratedPlan:
    data: dict[str, Any] = dict(segment="dormant.mass", objective="reactivate", days=7, industry="food",
                                locale="zh-CN", start=date(2026, 12, 1))
    data.update(kw)
    return generate_plan(PlanRequest.parse(**data), generator=generator)


@pytest.fixture
def stored(lib: Library, generator: Any) -> str:
    return save_plan(lib, _plan(generator), author="olga").id


def test_saved_plan_links_every_touchpoint_as_a_draft_material(lib: Library, generator: Any) -> None:
    plan = _plan(generator)
    sp = save_plan(lib, plan, author="olga")
    assert sp.status == "draft" and len(sp.touchpoints) == len(plan.touchpoints)
    for t, g in zip(sp.touchpoints, plan.touchpoints, strict=True):
        m = lib.get(t.material_id)
        assert (m.plan_id, m.send_at, m.channel) == (sp.id, g.slot.send_at_iso, g.slot.channel)
        assert m.status == "draft" and f"plan:{sp.id}" in m.tags
    again = save_plan(lib, plan, author="olga")  # idempotent: no duplicate materials
    assert [t.material_id for t in again.touchpoints] == [t.material_id for t in sp.touchpoints]
    assert lib.list(plan_id=sp.id).total == len(plan.touchpoints)
    assert [p.id for p in list_plans(lib)] == [sp.id]
    with pytest.raises(NotFoundError, match="no plan"):
        get_plan(lib, "plan_nope")


def test_approving_the_plan_approves_every_clean_touchpoint(lib: Library, stored: str) -> None:
    out = submit_plan(lib, stored, actor="olga")
    assert out.status == "in_review" and not out.skipped
    out = approve_plan(lib, stored, actor="rita")
    assert out.status == "approved" and len(out.done) == len(get_plan(lib, stored).touchpoints)
    for t in get_plan(lib, stored).touchpoints:
        assert [e.action for e in lib.history(t.material_id)][-2:] == ["submit", "approve"]
    out = release_plan(lib, stored, actor="rita")
    assert out.status == "released"
    assert all(t.released_version == 1 for t in get_plan(lib, stored).touchpoints)


def test_only_the_edited_touchpoint_goes_back_to_review(lib: Library, stored: str) -> None:
    submit_plan(lib, stored, actor="olga")
    approve_plan(lib, stored, actor="rita")
    release_plan(lib, stored, actor="rita")
    before = {t.seq: t for t in get_plan(lib, stored).touchpoints}
    target = next(t for t in before.values() if t.content_type == "push")
    content = dict(lib.get_version(target.material_id, 1).content)
    content["body"] = content["body"].replace("。", "！", 1) + " 期待您的回复。"
    mv = edit_touchpoint(lib, stored, target.seq, content=content, actor="olga")
    assert (mv.version, mv.status) == (2, "in_review")
    after = {t.seq: t for t in get_plan(lib, stored).touchpoints}
    assert after[target.seq].status == "in_review" and after[target.seq].released_version == 1
    for seq, t in after.items():
        if seq != target.seq:
            assert (t.status, t.current_version) == ("released", 1), seq
    sp = get_plan(lib, stored)
    assert sp.status == "in_review" and sp.counts == {"released": len(after) - 1, "in_review": 1}
    # Re-approving the plan touches only that one; the others keep their history as it was.
    out = approve_plan(lib, stored, actor="rita")
    assert [d[0] for d in out.done] == [target.seq]
    assert out.status == "partially_released"


def test_four_eyes_hold_per_touchpoint(lib: Library, stored: str) -> None:
    submit_plan(lib, stored, actor="olga")
    with pytest.raises(PermissionDenied, match="reviewers approve"):
        approve_plan(lib, stored, actor="olga")  # the role decides once, for the whole plan
    # The admin authored an edit of touchpoint 1: they may approve the others, not that one.
    t1 = get_plan(lib, stored).touchpoints[0]
    content = dict(lib.get_version(t1.material_id, 1).content)
    content["body"] = content["body"] + "（已更新）"
    edit_touchpoint(lib, stored, t1.seq, content=content, actor="ada")
    out = approve_plan(lib, stored, actor="ada")
    assert [s for s, _, _ in out.skipped] == [t1.seq]
    assert "four eyes" in out.skipped[0][2]
    assert len(out.done) == len(get_plan(lib, stored).touchpoints) - 1
    assert get_plan(lib, stored).status == "in_review"
    approve_plan(lib, stored, actor="rita")
    assert get_plan(lib, stored).status == "approved"


def test_a_blocked_touchpoint_stays_back_and_says_why(lib: Library, stored: str) -> None:
    t = next(t for t in get_plan(lib, stored).touchpoints if t.channel == "sms")
    content = dict(lib.get_version(t.material_id, 1).content)
    content["body"] = "全网最低价，国家级产品。回T退订"
    mv = edit_touchpoint(lib, stored, t.seq, content=content, actor="olga")
    assert mv.verdict == "block" and mv.status == "draft"  # not sent to review while blocked
    out = submit_plan(lib, stored, actor="olga")
    assert [s for s, _, _ in out.skipped] == [t.seq] and "compliance finding" in out.skipped[0][2]
    out = approve_plan(lib, stored, actor="rita")
    assert t.seq not in [d[0] for d in out.done]
    assert lib.get(t.material_id).status == "draft" and get_plan(lib, stored).status == "changes_requested"


def test_edit_that_breaks_the_moments_limit_is_refused(lib: Library, stored: str) -> None:
    t = next(t for t in get_plan(lib, stored).touchpoints if t.channel == "moments")
    content = dict(lib.get_version(t.material_id, 1).content)
    with pytest.raises(PlanConstraintError) as err:
        edit_touchpoint(lib, stored, t.seq, content={**content, "body": "好" * 2001}, actor="olga")
    assert err.value.constraint == "channel limits" and "limit is 2000" in str(err.value)
    with pytest.raises(PlanConstraintError, match="images is 10 on moments"):
        edit_touchpoint(lib, stored, t.seq, content={**content, "images": 10}, actor="olga")
    assert lib.get(t.material_id).current_version == 1  # nothing was stored


def test_single_touchpoint_reject_and_request_changes(lib: Library, stored: str) -> None:
    submit_plan(lib, stored, actor="olga")
    review_touchpoint(lib, stored, 1, "reject", actor="rita", reason="off-brand")
    review_touchpoint(lib, stored, 2, "request_changes", actor="rita", reason="shorter please")
    sp = get_plan(lib, stored)
    assert sp.status == "changes_requested"
    assert sp.counts["rejected"] == 1 and sp.counts["changes_requested"] == 1
    assert lib.history(sp.touchpoints[0].material_id)[-1].reason == "off-brand"


def test_other_plans_for_the_segment_count_toward_caps(lib: Library, generator: Any) -> None:
    first = save_plan(lib, _plan(generator), author="olga")
    sends = scheduled_sends(lib, "dormant.mass")
    assert len(sends) == len(first.touchpoints)
    assert scheduled_sends(lib, "dormant.mass", exclude_plan=first.id) == []
    with pytest.raises(PlanConstraintError) as err:
        generate_plan(PlanRequest.parse(segment="dormant.mass", objective="reactivate", days=7, industry="food",
                                        locale="zh-CN", start=date(2026, 12, 1)), generator=generator,
                      existing=sends)
    assert err.value.constraint in ("frequency cap", "channel intensity")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "draft"),
        (["draft", "draft"], "draft"),
        (["in_review", "draft"], "in_review"),
        (["approved", "in_review"], "in_review"),
        (["approved", "approved"], "approved"),
        (["released", "approved"], "partially_released"),
        (["released", "released"], "released"),
        (["approved", "rejected"], "changes_requested"),
        (["retired"], "retired"),
        (["approved", "draft"], "changes_requested"),
    ],
)
def test_plan_status_from_touchpoints(statuses: list[str], expected: str) -> None:
    assert plan_status(statuses) == expected


def test_plans_survive_export_and_import(lib: Library, stored: str, tmp_path: Any) -> None:
    import io

    submit_plan(lib, stored, actor="olga")
    buf = io.StringIO()
    lib.export_jsonl(buf)
    other = open_library(tmp_path / "restored.db")
    try:
        other.import_jsonl(io.StringIO(buf.getvalue()))
        assert get_plan(other, stored) == get_plan(lib, stored)
    finally:
        other.close()
