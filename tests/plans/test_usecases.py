"""The use-case layer faces call for plans and review decisions, and list_plans paging."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from contentgen.kernel.config import Settings
from contentgen.plans import PlanRequest
from contentgen.usecases import plans as plan_cases
from contentgen.usecases.review import approve_clean, may_approve
from library import Library
from library.errors import PermissionDenied
from library.plans import list_plans


def _request(**kw: Any) -> PlanRequest:
    data: dict[str, Any] = dict(segment="dormant.mass", objective="reactivate", days=7, industry="food",
                                locale="zh-CN", start=date(2026, 12, 1))
    data.update(kw)
    return PlanRequest.parse(**data)


def test_create_plan_stores_it_as_the_named_author_and_refuses_one_who_may_not(lib: Library) -> None:
    created = plan_cases.create_plan(_request(), settings=Settings.load(), lib=lib, as_user="olga")
    assert created.stored is not None and created.stored.author == "olga"
    assert len(created.stored.touchpoints) == len(created.plan.touchpoints)
    with pytest.raises(PermissionDenied, match="rita"):  # a reviewer does not author
        plan_cases.create_plan(_request(start=date(2027, 1, 9)), settings=Settings.load(), lib=lib,
                               as_user="rita")
    unsaved = plan_cases.create_plan(_request(start=date(2027, 2, 20)), settings=Settings.load())
    assert unsaved.stored is None and unsaved.plan.touchpoints


def test_act_on_plan_and_four_eyes_through_the_use_cases(lib: Library) -> None:
    created = plan_cases.create_plan(_request(), settings=Settings.load(), lib=lib, as_user="olga")
    assert created.stored is not None
    pid = created.stored.id
    assert plan_cases.act_on_plan(lib, pid, "submit", actor="olga").status == "in_review"
    first = plan_cases.get_plan(lib, pid).touchpoints[0]
    assert "reviewers approve" in (may_approve(lib, first.material_id, first.current_version, "olga") or "")
    assert may_approve(lib, first.material_id, first.current_version, "rita") is None
    out = plan_cases.act_on_plan(lib, pid, "approve", actor="rita")
    assert out.status == "approved"
    with pytest.raises(Exception, match="unknown plan action"):
        plan_cases.act_on_plan(lib, pid, "publish", actor="rita")


def test_approve_clean_skips_what_the_user_wrote_and_approves_the_rest(lib: Library) -> None:
    created = plan_cases.create_plan(_request(), settings=Settings.load(), lib=lib, as_user="olga")
    assert created.stored is not None
    pid = created.stored.id
    plan_cases.act_on_plan(lib, pid, "submit", actor="olga")
    t1 = plan_cases.get_plan(lib, pid).touchpoints[0]
    content = dict(lib.get_version(t1.material_id, 1).content)
    content["body"] = content["body"] + "（已更新）"
    plan_cases.edit_touchpoint(lib, pid, t1.seq, content=content, actor="ada")  # ada wrote v2
    clean = [m.id for m in lib.list(status="in_review", has_findings=False, limit=100).items]
    assert t1.material_id in clean
    out = approve_clean(lib, "ada")
    assert (out.approved, out.skipped) == (len(clean) - 1, 1)
    assert lib.get(t1.material_id).status == "in_review"  # four eyes: left for someone else
    assert all(lib.get(m).status == "approved" for m in clean if m != t1.material_id)


def test_list_plans_filtered_by_status_pages_over_matching_plans(lib: Library) -> None:
    ids = []
    for i in range(5):  # a month apart: plans for one segment share its contact caps
        created = plan_cases.create_plan(_request(start=date(2026, 12, 1) + timedelta(days=30 * i)),
                                         settings=Settings.load(), lib=lib, as_user="olga")
        assert created.stored is not None
        ids.append(created.stored.id)
    for pid in ids[:3]:
        plan_cases.act_on_plan(lib, pid, "submit", actor="olga")
    in_review = [p.id for p in list_plans(lib, status="in_review", limit=50)]
    assert len(in_review) == 3
    pages = [[p.id for p in list_plans(lib, status="in_review", limit=2, offset=o)] for o in (0, 2, 4)]
    assert pages == [in_review[:2], in_review[2:], []]
    assert [p.id for p in list_plans(lib, status="draft", limit=1, offset=1)] == \
        [p.id for p in list_plans(lib, status="draft")][1:2]
