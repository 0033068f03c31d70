"""Generation that learns from what worked: the library's outcomes, handed to the generator.

    gen = Generator(settings, lessons=lessons(lib))            # --no-learn: lessons=None
    gen.lessons_for(brief)                                     # what the brief's drafts are shown

For each brief's industry × segment × content type × locale, the approved content whose
outcome rate is clearly above the group's (library.exemplars) is offered to the prompt as
examples and the clearly weaker as notes to avoid; the draft's parameters record which
(`learned_from`), and the offline model uses them too (providers/offline_learned.py).
"""

from __future__ import annotations

from collections.abc import Callable

from contentgen.kernel.errors import UsageError
from contentgen.kernel.exemplars import Exemplars
from contentgen.kernel.schemas import Brief
from library.exemplars import exemplars
from library.store import Library

DEFAULT_METRIC = "clicked"
# Outcomes where more is better: learning from unsubscribes or complaints would hold up the worst.
LEARNABLE: tuple[str, ...] = ("read", "clicked", "replied", "converted")


def lessons(lib: Library, metric: str = DEFAULT_METRIC) -> Callable[[Brief], Exemplars | None]:
    """A lookup of what worked for a brief's audience, on `metric`, from the library's outcomes."""
    if metric not in LEARNABLE:
        raise UsageError(f"cannot learn from {metric!r}; choose from: {', '.join(LEARNABLE)}")

    def lookup(brief: Brief) -> Exemplars | None:
        found = exemplars(lib, industry=brief.industry, segment=brief.segment, content_type=brief.content_type,
                          locale=brief.locale, metric=metric)
        return found or None

    return lookup


def describe(found: Exemplars | None) -> str:
    """One line for the CLI: what the drafts of an audience learn from."""
    if not found:
        return "no proven content for this audience yet (needs 30+ recipients per version)"
    return (f"learning from {len(found.examples)} proven example(s) and {len(found.avoid)} to avoid "
            f"({found.metric}, this audience's average {found.pooled_rate:.1%})")
