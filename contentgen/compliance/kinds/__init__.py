"""The rule kinds: one module per kind, registered here; packs, the matcher, fixes and reports
read them from this registry.

A new kind is one module that builds a `RuleKind` and calls `register` before packs using it
are loaded (plus its section in rules/README.md):

    from contentgen.compliance.kinds import RuleKind, register
    register(RuleKind(name="shouting", summary="...", check=my_checker))
"""

from __future__ import annotations

from contentgen.compliance.kinds import learned, length, pattern, pii, requires, substitution, terms
from contentgen.compliance.kinds._base import (
    Checker,
    RuleKind,
    all_kinds,
    field_kinds,
    find,
    get,
    names,
    register,
    unregister,
    whole_kinds,
)

# The shipped kinds, in the order the reference lists them.
for _module in (terms, substitution, pattern, requires, length, pii, learned):
    register(_module.KIND)

__all__ = [
    "Checker",
    "RuleKind",
    "all_kinds",
    "field_kinds",
    "find",
    "get",
    "names",
    "register",
    "reference_table",
    "unregister",
    "whole_kinds",
]


def reference_table() -> str:
    """The kinds' summary table as rules/README.md shows it (a test keeps the two equal)."""
    rows = ["| kind | finds | needs | runs on | negatable by default | context unknown |",
            "|---|---|---|---|---|---|"]
    for name in names():
        k = get(name)
        needs = " or ".join(f"`{n}`" for n in k.needs) or "—"
        runs = "each field" if k.per_field else "all fields together"
        unknown = "off (a demand)" if k.demanding else "on (strict)"
        rows.append(f"| `{k.name}` | {k.summary} | {needs} | {runs} | {'yes' if k.negatable else 'no'} | {unknown} |")
    return "\n".join(rows) + "\n"
