"""The review state machine: every step per role and per status, four eyes, the compliance gate."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from contentgen.kernel.errors import UsageError
from contentgen.testing_pg import raw_connection
from library import Library
from library.errors import ConflictError, NotFoundError, PermissionDenied, TransitionError

# Who may take each step (written out here, not read from the code under test).
ALLOWED = {
    "submit": {"operator", "admin"},
    "approve": {"reviewer", "admin"},
    "reject": {"reviewer", "admin"},
    "request_changes": {"reviewer", "admin"},
    "override": {"compliance", "admin"},
    "release": {"reviewer", "admin"},
    "retire": {"reviewer", "compliance", "admin"},
    "edit": {"operator", "admin"},
}
ACTOR_FOR_ROLE = {"operator": "bob", "reviewer": "rita", "compliance": "carl", "admin": "ada"}
# Where each step may start from (drafts are authored by alice, so nobody above authored them).
FROM = {
    "submit": {"draft", "changes_requested"},
    "approve": {"in_review"},
    "reject": {"in_review"},
    "request_changes": {"in_review"},
    "override": {"draft", "changes_requested", "in_review"},
    "release": {"approved"},
    "retire": {"released"},
    "edit": {"draft", "in_review", "approved", "changes_requested", "rejected", "released"},
}
STATES = ["draft", "in_review", "approved", "changes_requested", "rejected", "released", "retired"]
PATHS = {
    "draft": [],
    "in_review": [("submit", "alice")],
    "approved": [("submit", "alice"), ("approve", "rita")],
    "changes_requested": [("submit", "alice"), ("request_changes", "rita")],
    "rejected": [("submit", "alice"), ("reject", "rita")],
    "released": [("submit", "alice"), ("approve", "rita"), ("release", "rita")],
    "retired": [("submit", "alice"), ("approve", "rita"), ("release", "rita"), ("retire", "rita")],
}


def bring_to(lib: Library, draft_factory: Any, state: str, *, blocked: bool = False) -> str:
    mid = lib.save_draft(draft_factory(blocked=blocked), author="alice").material_id
    if blocked and state != "draft":
        lib.override(mid, 1, actor="carl", justification="claim verified by legal, ref L-1")
    for action, actor in PATHS[state]:
        act(lib, action, mid, actor)
    assert lib.get(mid).status == state
    return mid


def act(lib: Library, action: str, mid: str, actor: str) -> Any:
    version = lib.get(mid).current_version
    if action == "retire":
        return lib.retire(mid, actor=actor)
    if action == "override":
        return lib.override(mid, version, actor=actor, justification="checked with legal, ok")
    if action == "edit":
        return lib.edit(mid, base_version=version, actor=actor,
                        content={"body": "新的文案，欢迎回来。", "send_window": {"start": "10:00", "end": "12:00"}})
    # Every step is given a reason: reject and request_changes refuse to go without one.
    return getattr(lib, action)(mid, version, actor=actor, reason="see the review notes")


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("role", ["operator", "reviewer", "compliance", "admin"])
def test_each_step_allowed_only_for_its_roles(lib: Library, draft_factory: Any, action: str,
                                              role: str) -> None:
    start = "draft" if action in ("submit", "override") else sorted(FROM[action])[0]
    mid = bring_to(lib, draft_factory, start, blocked=action == "override")
    actor = ACTOR_FOR_ROLE[role]
    if role in ALLOWED[action]:
        act(lib, action, mid, actor)
        events = lib.history(mid)
        assert events[-1].action == action and events[-1].actor == actor and events[-1].role == role
    else:
        before = lib.get(mid)
        with pytest.raises(PermissionDenied, match=rf"^{actor} \({role}\) may not"):
            act(lib, action, mid, actor)
        assert lib.get(mid) == before


@pytest.mark.parametrize("action", sorted(FROM))
@pytest.mark.parametrize("state", STATES)
def test_each_step_only_from_its_statuses(lib: Library, draft_factory: Any, action: str,
                                          state: str) -> None:
    mid = bring_to(lib, draft_factory, state, blocked=action == "override")
    before = lib.get(mid)
    if action == "override" and state != "draft":
        # A blocked version only gets this far through an override, and one is enough.
        match = "already overridden" if state in FROM[action] else "cannot override|retired"
        with pytest.raises(TransitionError, match=match):
            act(lib, action, mid, "ada")
        assert lib.get(mid) == before
    elif state in FROM[action]:
        mv = act(lib, action, mid, "ada")
        expected = {"submit": "in_review", "approve": "approved", "reject": "rejected",
                    "request_changes": "changes_requested", "release": "released",
                    "retire": "retired", "edit": "draft", "override": state}[action]
        assert mv.status == expected and lib.get(mid).status == expected
    else:
        with pytest.raises(TransitionError):
            act(lib, action, mid, "ada")
        assert lib.get(mid) == before
        assert len(lib.history(mid)) == len(PATHS[state]) + 1


def test_permission_message_names_the_person_and_the_rule(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "in_review")
    with pytest.raises(PermissionDenied) as e:
        lib.approve(mid, 1, actor="alice")
    assert str(e.value) == "alice (operator) may not approve: reviewers approve (or an admin)"


def test_four_eyes_author_may_not_approve(lib: Library, draft_factory: Any) -> None:
    mid = lib.save_draft(draft_factory(), author="ada").material_id
    lib.submit(mid, 1, actor="alice")
    with pytest.raises(PermissionDenied, match="four eyes: ada authored version 1"):
        lib.approve(mid, 1, actor="ada")
    assert lib.approve(mid, 1, actor="rita").status == "approved"


def test_four_eyes_covers_every_author_in_the_lineage(lib: Library, draft_factory: Any) -> None:
    mid = lib.save_draft(draft_factory(), author="ada").material_id
    v2 = lib.edit(mid, base_version=1, actor="bob",
                  content={"body": "改过的文案。", "send_window": {"start": "09:00", "end": "11:00"}})
    assert v2.parent_version == 1 and v2.author == "bob" and v2.source == "edited"
    lib.submit(mid, 2, actor="alice")
    with pytest.raises(PermissionDenied, match="ada authored version 1, an ancestor of version 2"):
        lib.approve(mid, 2, actor="ada")
    lib.approve(mid, 2, actor="ray")


def test_admin_who_edited_may_not_approve_that_version(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "in_review")
    lib.edit(mid, base_version=1, actor="ada",
             content={"body": "管理员改稿。", "send_window": {"start": "09:00", "end": "11:00"}})
    lib.submit(mid, 2, actor="bob")
    with pytest.raises(PermissionDenied, match="four eyes: ada authored version 2"):
        lib.approve(mid, 2, actor="ada")


def test_compliance_gate_blocks_submission_until_overridden(lib: Library, draft_factory: Any) -> None:
    mid = lib.save_draft(draft_factory(blocked=True), author="alice").material_id
    with pytest.raises(TransitionError, match=r"error-level compliance finding\(s\) \(finance.guaranteed_return\)"):
        lib.submit(mid, 1, actor="alice")
    with pytest.raises(UsageError, match="written justification"):
        lib.override(mid, 1, actor="carl", justification="   ")
    with pytest.raises(PermissionDenied, match="compliance officers override"):
        lib.override(mid, 1, actor="rita", justification="looks fine to me")
    mv = lib.override(mid, 1, actor="carl", justification="product is a deposit: principal is insured")
    assert mv.override and mv.override.by == "carl" and mv.status == "draft"
    with pytest.raises(TransitionError, match="already overridden by carl"):
        lib.override(mid, 1, actor="ada", justification="again")
    assert lib.submit(mid, 1, actor="alice").status == "in_review"
    event = [e for e in lib.history(mid) if e.action == "override"][0]
    assert (event.actor, event.role, event.reason) == (
        "carl", "compliance", "product is a deposit: principal is insured")


def test_override_needs_an_error_finding(lib: Library, draft_factory: Any) -> None:
    mid = lib.save_draft(draft_factory(), author="alice").material_id
    with pytest.raises(TransitionError, match="no error-level finding to override"):
        lib.override(mid, 1, actor="carl", justification="nothing to see")


def test_edit_is_rechecked_and_a_new_error_blocks_again(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "changes_requested")
    v2 = lib.edit(mid, base_version=1, actor="alice",
                  content={"body": "保本高收益，最好的选择", "send_window": {"start": "09:00", "end": "11:00"}})
    assert v2.verdict == "block"
    assert {f["rule"] for f in v2.compliance["findings"]} == {"finance.guaranteed_return",
                                                              "ad_law.superlative"}
    assert lib.get(mid).finding_count == 2
    assert lib.get_version(mid, 1).status == "superseded"
    with pytest.raises(TransitionError):
        lib.submit(mid, 2, actor="alice")
    v3 = lib.edit(mid, base_version=2, actor="alice",
                  content={"body": "稳健理财，风险提示见详情", "send_window": {"start": "09:00", "end": "11:00"}})
    assert v3.verdict == "pass" and lib.submit(mid, 3, actor="alice").status == "in_review"


def test_bad_edit_content_is_a_usage_error(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "draft")
    with pytest.raises(UsageError, match="invalid push content: send_window: Field required"):
        lib.edit(mid, base_version=1, actor="alice", content={"body": "x"})


def test_released_version_is_served_until_its_successor_is_released(lib: Library,
                                                                      draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "released")
    lib.edit(mid, base_version=1, actor="bob",
             content={"body": "第二版文案。", "send_window": {"start": "09:00", "end": "11:00"}})
    m = lib.get(mid)
    assert (m.status, m.current_version, m.released_version) == ("draft", 2, 1)
    page = lib.released_page(channels=["sms"], filters={}, after=None, limit=10)
    assert [(r.id, r.version) for r in page] == [(mid, 1)]
    lib.submit(mid, 2, actor="bob")
    lib.approve(mid, 2, actor="rita")
    lib.release(mid, 2, actor="ray")
    assert lib.get_version(mid, 1).status == "superseded"
    assert lib.get_released(mid, channels=["sms"]).version == 2
    assert [(c.version, c.kind) for c in lib.changes_since(channels=["sms"], after_seq=0)] == [
        (1, "release"), (2, "release")]


def test_retire_records_a_tombstone_and_stops_serving(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "released")
    other = bring_to(lib, draft_factory, "released")
    seq = lib.last_change_seq()
    lib.retire(mid, actor="carl", reason="promotion ended", version=1)
    changes = lib.changes_since(channels=["sms"], after_seq=seq)
    assert [(c.material_id, c.version, c.kind, c.channel) for c in changes] == [
        (mid, 1, "retire", "sms")]
    assert lib.changes_since(channels=["moments"], after_seq=0) == []
    assert [r.id for r in lib.released_page(channels=["sms"], filters={}, after=None,
                                                     limit=10)] == [other]
    with pytest.raises(NotFoundError):
        lib.get_released(mid, channels=["sms"])
    with pytest.raises(TransitionError, match="retired"):
        lib.retire(mid, actor="ada")
    assert lib.get(mid).released_version is None


def test_stale_version_is_a_conflict(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "draft")
    lib.edit(mid, base_version=1, actor="bob",
             content={"body": "bob 的版本。", "send_window": {"start": "09:00", "end": "11:00"}})
    with pytest.raises(ConflictError, match="version 1 of .* is stale: the current version is 2"):
        lib.edit(mid, base_version=1, actor="alice",
                 content={"body": "alice 的版本。", "send_window": {"start": "09:00", "end": "11:00"}})
    with pytest.raises(ConflictError):
        lib.submit(mid, 1, actor="alice")
    released = bring_to(lib, draft_factory, "released")
    with pytest.raises(ConflictError, match="retire version 1"):
        lib.retire(released, actor="ada", version=2)


def test_unknown_user_and_material_are_not_found(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "in_review")
    with pytest.raises(NotFoundError, match="unknown user 'zoe'; add one with: contentgen users add zoe"):
        lib.approve(mid, 1, actor="zoe")
    with pytest.raises(NotFoundError, match="no material 'mat_nope'"):
        lib.approve("mat_nope", 1, actor="rita")
    with pytest.raises(NotFoundError, match="has no version 7"):
        lib.get_version(mid, 7)


def test_save_draft_is_idempotent_by_key(lib: Library, draft_factory: Any) -> None:
    d = draft_factory()
    first = lib.save_draft(d, author="alice")
    again = lib.save_draft(d, author="alice")
    assert (again.material_id, again.version) == (first.material_id, 1)
    assert lib.list().total == 1 and len(lib.history(first.material_id)) == 1


def test_batch_save_is_idempotent_and_returns_what_it_stored(lib: Library,
                                                             draft_factory: Any) -> None:
    old = draft_factory(body="旧的一条：回复1领取试用装。")
    first = lib.save_draft(old, author="alice")
    new = [draft_factory(body=f"第 {i} 条：新品上市") for i in range(5)]
    # An already saved key, new keys, and a key repeated within the batch, across batches of 2.
    batch = [new[0], old, new[1], new[0], new[2], new[3], new[4], new[3]]
    saved = lib.save_drafts(batch, author="alice", tags=["spring"], batch_size=2)
    assert [s.material_id for s in saved][1] == first.material_id
    by_key = {d.key: s.material_id for d, s in zip(batch, saved, strict=True)}
    assert saved[0].material_id == saved[3].material_id and saved[5].material_id == saved[7].material_id
    assert lib.list().total == 6 and len(set(by_key.values())) == 6
    for s in saved:
        assert lib.get_version(s.material_id, 1) == s
        assert [e.action for e in lib.history(s.material_id)] == ["create"]
    assert lib.get(by_key[new[2].key]).tags == ["spring"]
    hits = lib.list(q="第 4 条").items
    assert [m.id for m in hits] == [by_key[new[4].key]]


def test_save_draft_roles(lib: Library, draft_factory: Any) -> None:
    with pytest.raises(PermissionDenied, match="rita \\(reviewer\\) may not create"):
        lib.save_draft(draft_factory(), author="rita")
    mv = lib.save_draft(draft_factory(), author="generator")
    assert lib.history(mv.material_id)[0].role == "system"


def test_audit_log_is_append_only(lib: Library, draft_factory: Any, lib_path: Any) -> None:
    bring_to(lib, draft_factory, "approved")
    conn = raw_connection(lib_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit")
    conn.close()
    assert [e.action for e in lib.audit_log()] == ["approve", "submit", "create"]


@pytest.mark.parametrize("action", ["reject", "request_changes"])
@pytest.mark.parametrize("reason", [None, "", "   \n\t"])
def test_sending_back_or_ending_needs_a_written_reason(lib: Library, draft_factory: Any,
                                                       action: str, reason: str | None) -> None:
    mid = bring_to(lib, draft_factory, "in_review")
    with pytest.raises(UsageError, match="needs a written reason"):
        getattr(lib, action)(mid, 1, actor="rita", reason=reason)
    assert lib.get(mid).status == "in_review"  # nothing moved, nothing audited
    assert [e.action for e in lib.history(mid)] == ["create", "submit"]
    done = getattr(lib, action)(mid, 1, actor="rita", reason="  语气太强  ")
    assert done.status != "in_review" and lib.history(mid)[-1].reason == "语气太强"


def test_approve_and_release_need_no_reason(lib: Library, draft_factory: Any) -> None:
    mid = bring_to(lib, draft_factory, "in_review")
    lib.approve(mid, 1, actor="rita")
    assert lib.release(mid, 1, actor="rita").status == "released"
