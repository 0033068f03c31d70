"""What a rule kind is, and the registry of kinds by name.

A kind is either term-like (no checker: its findings are the automaton and regex hits of the
words and patterns its rules list) or a check (a checker run once per text, after the hits are
known). Everything that used to branch on a kind's name reads these declarations instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from contentgen.compliance.matcher import Context
    from contentgen.compliance.normalize import Normalized
    from contentgen.compliance.scanner import Merged


class Checker(Protocol):
    """A check kind's code: the findings (as Finding fields) of rule `g` of `m` on one text.

    `nt` is the normalised text (`nt.text`; `nt.original` is what offsets point into,
    `nt.span(s, e)` maps a normalised span back); `seen` holds `(g, role)` for the triggers,
    elements and evidence the automaton found, `excepted` the exception spans by rule. Start
    from `m.bases[g]` (rule id, level, message...) and add start, end, match and field.
    """

    def __call__(self, m: Merged, g: int, nt: Normalized, ctx: Context, fld: str | None,
                 seen: Set[tuple[int, int]], excepted: Mapping[int, list[tuple[int, int]]],
                 ) -> Iterable[dict[str, Any]]: ...


@dataclass(frozen=True)
class RuleKind:
    """One rule kind, as packs, the matcher, fixes and reports see it."""

    name: str
    summary: str  # one line for the reference table in rules/README.md
    # Rule keys of which at least one must be non-empty (what `rules check` demands of the kind).
    needs: tuple[str, ...] = ()
    # Runs on each field of a draft alone; False: on all fields together (a required element
    # may sit in any field).
    per_field: bool = True
    # A negator next to a hit excuses it unless the rule says `negatable: false`.
    negatable: bool = False
    # Demands something rather than forbidding it: off when the context it is scoped to is unknown.
    demanding: bool = False
    # How `--fix` repairs a finding: replace the match with the suggestion, or append the
    # required statement (the finding's `fix`). None: a person rewrites.
    repair: Literal["replace", "append"] | None = None
    check: Checker | None = None  # None: findings are the hits of the rule's terms and patterns

    def needs_text(self) -> str:
        """The keys it needs, as the pack error names them ('any_of, any_pattern or disclosures')."""
        if len(self.needs) < 2:
            return "".join(self.needs)
        return f"{', '.join(self.needs[:-1])} or {self.needs[-1]}"


_KINDS: dict[str, RuleKind] = {}
# Kind-name sets the engine asks for, per registry state: recomputed only when a kind is added.
_SETS: dict[str, frozenset[str]] = {}


def register(kind: RuleKind) -> RuleKind:
    """Make a kind available to packs (call at import time of the kind's module, before loading packs)."""
    if kind.name in _KINDS:
        raise ValueError(f"rule kind {kind.name!r} is already registered")
    if kind.repair == "append" and kind.check is None:
        raise ValueError(f"rule kind {kind.name!r}: only a check kind can append a statement")
    _KINDS[kind.name] = kind
    _SETS.clear()
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests that add one take it out again); packs using it no longer load."""
    _KINDS.pop(name, None)
    _SETS.clear()


def get(name: str) -> RuleKind:
    """The kind called `name`; KeyError names the known ones."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown rule kind {name!r}; known: {', '.join(_KINDS)}") from None


def find(name: str | None) -> RuleKind | None:
    """The kind called `name`, or None (a judge finding has no rule kind)."""
    return _KINDS.get(name) if name is not None else None


def names() -> tuple[str, ...]:
    """Every registered kind, in registration order."""
    return tuple(_KINDS)


def _set(key: str, keep: Any) -> frozenset[str]:
    hit = _SETS.get(key)
    if hit is None:
        hit = _SETS[key] = frozenset(n for n, k in _KINDS.items() if keep(k))
    return hit


def all_kinds() -> frozenset[str]:
    return _set("all", lambda k: True)


def field_kinds() -> frozenset[str]:
    """Kinds run on each field of a draft alone."""
    return _set("field", lambda k: k.per_field)


def whole_kinds() -> frozenset[str]:
    """Kinds run once on all of a draft's fields together."""
    return _set("whole", lambda k: not k.per_field)
