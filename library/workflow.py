"""The review state machine and who may do what: the rules live here, not in a UI.

    draft ──submit──► in_review ──approve──► approved ──release──► released ──retire──► retired
      ▲                  │ ├──reject──► rejected
      └─edit (new version)┘ └──request_changes──► changes_requested ──submit──► in_review

    approved | released ──withdraw──► withdrawn ──reinstate──► the status it had
                                          └──edit (new version)──► draft

Only the rule rescan withdraws (role "system"): a version the current rule packs block leaves
delivery at once. Compliance reinstates it with a written reason (`Library.override` on a
withdrawn version is the reinstate step).
"""

from __future__ import annotations

from dataclasses import dataclass

from library.errors import ConflictError, PermissionDenied, ReasonRequired, TransitionError


@dataclass(frozen=True)
class Step:
    action: str
    from_statuses: tuple[str, ...]
    to_status: str | None  # None: the status does not change (override)
    roles: tuple[str, ...]
    who: str  # for messages: "reviewers approve"
    needs_reason: bool = False  # the author must be told why: the audit keeps the reason


STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step("create", (), "draft", ("operator", "admin"), "operators create"),
        Step(
            "edit",
            ("draft", "in_review", "approved", "changes_requested", "rejected", "released",
             "withdrawn"),
            "draft",
            ("operator", "admin"),
            "operators edit",
        ),
        Step("submit", ("draft", "changes_requested"), "in_review", ("operator", "admin"),
             "operators submit"),
        Step("approve", ("in_review",), "approved", ("reviewer", "admin"), "reviewers approve"),
        Step("reject", ("in_review",), "rejected", ("reviewer", "admin"), "reviewers reject",
             needs_reason=True),
        Step("request_changes", ("in_review",), "changes_requested", ("reviewer", "admin"),
             "reviewers request changes", needs_reason=True),
        Step("override", ("draft", "changes_requested", "in_review"), None, ("compliance", "admin"),
             "compliance officers override findings"),
        Step("release", ("approved",), "released", ("reviewer", "admin"), "reviewers release"),
        Step("retire", ("released",), "retired", ("reviewer", "compliance", "admin"),
             "reviewers and compliance officers retire"),
        Step("withdraw", ("approved", "released"), "withdrawn", ("system",),
             "only the rule rescan withdraws"),
        # to_status None: back to the status recorded at withdrawal (approved or released).
        Step("reinstate", ("withdrawn",), None, ("compliance", "admin"),
             "compliance officers reinstate withdrawn versions"),
    )
}

# What each step needs first, to tell the user the way forward.
_NEEDS = {
    "submit": "edit it into a new draft",
    "approve": "it must be submitted first",
    "reject": "it must be submitted first",
    "request_changes": "it must be submitted first",
    "release": "it must be approved first",
    "retire": "only a released material can be retired",
    "override": "overrides apply before approval",
    "edit": "a retired material stays retired; save a new material instead",
    "withdraw": "only approved or released versions are withdrawn",
    "reinstate": "only a withdrawn version can be reinstated",
}
# Statuses of the previous current version that an edit marks as replaced.
# A withdrawn version fixed by an edit leaves the compliance queue: the edit replaces it.
SUPERSEDED_BY_EDIT = ("draft", "in_review", "approved", "changes_requested", "withdrawn")


def check_reason(action: str, reason: str | None) -> str | None:
    """The reason, stripped; a step that sends work back or ends it refuses to go without one,
    so the author always reads why (CLI --reason, API "reason", the UI's reason box)."""
    text = (reason or "").strip() or None
    if text is None and step(action).needs_reason:
        raise ReasonRequired(f"{action.replace('_', ' ')} needs a written reason for the author "
                             "(--reason '...')")
    return text


def step(action: str) -> Step:
    return STEPS[action]


def check_role(action: str, actor: str, role: str) -> Step:
    s = STEPS[action]
    if role not in s.roles:
        raise PermissionDenied(
            f"{actor} ({role}) may not {action.replace('_', ' ')}: {s.who}"
            + ("" if "admin" not in s.roles else " (or an admin)")
        )
    return s


def check_status(action: str, material_id: str, version: int, status: str) -> Step:
    s = STEPS[action]
    if status not in s.from_statuses:
        raise TransitionError(
            f"cannot {action.replace('_', ' ')} version {version} of {material_id}: it is {status}"
            f"; {_NEEDS.get(action, 'allowed from ' + ', '.join(s.from_statuses))}"
        )
    return s


def check_current(material_id: str, version: int, current: int, current_status: str) -> None:
    """Every transition names its version: acting on anything but the current one is stale."""
    if version != current:
        raise ConflictError(
            f"version {version} of {material_id} is stale: the current version is {current} "
            f"({current_status}); reload and act on version {current}"
        )


def check_four_eyes(actor: str, version: int, authors: dict[int, str]) -> None:
    """Nobody approves a version they authored or edited (any version in its lineage)."""
    mine = sorted(v for v, a in authors.items() if a == actor)
    if not mine:
        return
    if version in mine:
        raise PermissionDenied(f"four eyes: {actor} authored version {version} and may not approve it")
    raise PermissionDenied(
        f"four eyes: {actor} authored version {mine[-1]}, an ancestor of version {version}, "
        "and may not approve it"
    )
