"""`pii`: personal data (phone, ID, bank card, e-mail) in content, validated by checksum."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import TYPE_CHECKING, Any

from contentgen.compliance import pii
from contentgen.compliance.kinds._base import RuleKind

if TYPE_CHECKING:
    from contentgen.compliance.matcher import Context
    from contentgen.compliance.normalize import Normalized
    from contentgen.compliance.scanner import Merged


def check(m: Merged, g: int, nt: Normalized, ctx: Context, fld: str | None,
          seen: Set[tuple[int, int]], excepted: Mapping[int, list[tuple[int, int]]]) -> Iterable[dict[str, Any]]:
    spans = pii.detect(nt.text, m.rules[g].detect, ctx.locale)  # [] at once for text without a digit or '@'
    if not spans:
        return ()
    base, original, out = m.bases[g], nt.original, []
    for s, e in spans:
        s, e = nt.span(s, e)
        out.append({**base, "start": s, "end": e, "match": original[s:e], "field": fld})
    return out


KIND = RuleKind(
    name="pii",
    summary="personal data: `detect` any of phone, id_card, bank_card, email",
    needs=("detect",),
    check=check,
)
