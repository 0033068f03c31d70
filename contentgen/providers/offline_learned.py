"""The offline model learning from what worked: among a few phrasings of its own, the one
closest to the proven examples of this audience and furthest from the weak ones.

    content = closest_to_what_worked(lambda v: Composer(brief, v, seed, avoid).compose(schema),
                                     variant=2, variants=3, exemplars=lessons)

The phrase bank writes every candidate, so nothing is copied from the examples: they only
decide which of the model's own openings, calls to action and plans this draft takes. A
candidate is another variant number of the same batch's unused range (variant + j × variants),
so the batch's variants still differ from each other. Similarity is the character n-gram
cosine of contentgen/kernel/similarity.py, which the pre-send score uses too.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from contentgen.kernel.exemplars import Exemplars
from contentgen.kernel.schemas import content_text
from contentgen.kernel.similarity import cosine, grams

CANDIDATES = 4


def score(text: str, exemplars: Exemplars) -> float:
    """Likeness to the best example minus likeness to the nearest weak one."""
    mine = grams(text)
    good = max((cosine(mine, grams(e.text)) for e in exemplars.examples), default=0.0)
    bad = max((cosine(mine, grams(e.text)) for e in exemplars.avoid), default=0.0)
    return good - bad


def closest_to_what_worked(compose: Callable[[int], BaseModel], *, variant: int, variants: int,
                           exemplars: Exemplars | None) -> BaseModel:
    """compose(variant) when there is nothing to learn from; else the best of CANDIDATES
    compositions, the variant's own first on a tie."""
    first = compose(variant)
    if not exemplars:
        return first
    best, best_score = first, score(content_text(first), exemplars)
    for j in range(1, CANDIDATES):
        other = compose(variant + j * max(variants, 1))
        s = score(content_text(other), exemplars)
        if s > best_score + 1e-9:
            best, best_score = other, s
    return best
