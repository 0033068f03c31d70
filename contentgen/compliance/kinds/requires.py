"""`requires`: a required element (an opt-out line, a risk warning) must be present.

Runs on all of a draft's fields together, and only when the context it is scoped to is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import TYPE_CHECKING, Any

from contentgen.compliance.kinds._base import RuleKind
from contentgen.compliance.roles import ELEMENT, TRIGGER

if TYPE_CHECKING:
    from contentgen.compliance.matcher import Context
    from contentgen.compliance.normalize import Normalized
    from contentgen.compliance.scanner import Merged


def check(m: Merged, g: int, nt: Normalized, ctx: Context, fld: str | None,
          seen: Set[tuple[int, int]], excepted: Mapping[int, list[tuple[int, int]]]) -> Iterable[dict[str, Any]]:
    rule = m.rules[g]
    if (rule.trigger_terms or rule.trigger_patterns) and (g, TRIGGER) not in seen:
        return ()
    if g in excepted or any(rx.search(nt.text) for rx in m.exception_regexes.get(g, ())):
        return ()  # an exception waives the demand (a transactional SMS needs no opt-out)
    if (g, ELEMENT) in seen:
        return ()
    suggestion = rule.suggestion or (rule.any_of[0] if rule.any_of else None)
    # The element is missing from the whole text: no place to point at.
    return ({**m.bases[g], "start": 0, "end": 0, "match": "", "field": None, "suggestion": suggestion},)


KIND = RuleKind(
    name="requires",
    summary="a required element must be present (in any field of a draft)",
    needs=("any_of", "any_pattern", "disclosures"),
    per_field=False,
    demanding=True,
    repair="append",
    check=check,
)
