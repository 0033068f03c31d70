"""`learned`: the learned model's second opinion (contentgen/compliance/learned.py) on one field
of copy (not on a shot's visual direction or the hashtag list).

The rule names no terms: its pack's locale picks the trained artifact next to the packs
(rules/learned/<locale>.json), whose cross-validated threshold decides. Each window of the text
that scores at or above it is one finding, with the model's category and score in the message
(`{category}` and `{score}` in the rule's message are filled in). The reference is the rule's own,
which names no statute: the model only says a text reads like the violations it was shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.compliance.kinds._base import RuleKind
from contentgen.compliance.learned import load_model, model_path, score_sentences

if TYPE_CHECKING:
    from contentgen.compliance.matcher import Context
    from contentgen.compliance.normalize import Normalized
    from contentgen.compliance.scanner import Merged


def check(m: Merged, g: int, nt: Normalized, ctx: Context, fld: str | None,
          seen: Set[tuple[int, int]], excepted: Mapping[int, list[tuple[int, int]]]) -> Iterable[dict[str, Any]]:
    if not nt.text.strip() or not _copy_field(fld):
        return ()
    pack = m.packs[m.pack_of[g]]
    # The artifact sits beside the pack folders, so --rules-dir and CONTENTGEN_RULES_DIR carry it.
    model = load_model(model_path(Path(pack.path).parent.parent, ctx.locale))
    base = m.bases[g]
    out = []
    for s in score_sentences(model, nt.text, ctx.industry, ctx.channel):
        if s.score < model.threshold:
            continue
        start, end = nt.span(s.start, s.end) if nt.maps else (s.start, s.end)
        # Trim the window's edges so the finding points at the sentence, not at the spaces.
        while start < end and nt.original[start].isspace():
            start += 1
        while end > start and nt.original[end - 1].isspace():
            end -= 1
        category = s.category or base["category"]
        message = str(base["message"]).replace("{category}", category or "?").replace("{score}", f"{s.score:.2f}")
        out.append({**base, "start": start, "end": end, "match": nt.original[start:end], "field": fld,
                    "category": category, "message": message})
    return out


def _copy_field(fld: str | None) -> bool:
    """Whether a field is copy a customer reads, as the model's training texts were: a video shot's
    visual is a direction to the crew and a hashtag list is tokens; the rules still scan both."""
    return fld != "hashtags" and not (fld or "").endswith(".visual")


KIND = RuleKind(
    name="learned",
    summary="copy that reads like the labelled violations (character n-gram model, rules/learned/; not a shot's visual or the hashtags)",
    check=check,
)
