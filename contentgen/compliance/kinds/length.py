"""`length`: a field longer than its channel allows (or than the rule's `max`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import TYPE_CHECKING, Any

from contentgen.compliance.kinds._base import RuleKind
from contentgen.kernel import vocab

if TYPE_CHECKING:
    from contentgen.compliance.matcher import Context
    from contentgen.compliance.normalize import Normalized
    from contentgen.compliance.scanner import Merged


def check(m: Merged, g: int, nt: Normalized, ctx: Context, fld: str | None,
          seen: Set[tuple[int, int]], excepted: Mapping[int, list[tuple[int, int]]]) -> Iterable[dict[str, Any]]:
    rule = m.rules[g]
    text = nt.original  # channels count the characters people see, not the normalised ones
    name = fld or "body"
    limit = rule.max or (vocab.channel_limit(ctx.channel, name, ctx.locale) if ctx.channel else None)
    if not limit or len(text) <= limit:
        return ()
    return ({**m.bases[g], "start": limit, "end": len(text), "match": text[limit:], "field": fld,
             "message": f"{rule.message} ({name}: {len(text)} characters, limit {limit})"},)


KIND = RuleKind(
    name="length",
    summary="a field longer than its channel allows, or than `max`",
    demanding=True,
    check=check,
)
