"""Loading the packs under rules/: every file validated, the disclosures library resolved into
them, cross-pack problems (duplicate ids) found, each problem as 'file:line: message'."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from contentgen.compliance.macros import expand_macros
from contentgen.compliance.packs import DATA_FILES, PackProblems, RulePack, parse_pack
from contentgen.kernel.disclosures import Disclosures, load_disclosures
from contentgen.kernel.errors import RulePackError


def pack_files(rules_dir: Path) -> list[Path]:
    if not rules_dir.is_dir():
        raise RulePackError(f"rules directory {rules_dir} does not exist; set CONTENTGEN_RULES_DIR or --rules-dir")
    return sorted(p for p in rules_dir.rglob("*.yaml")
                  if p.is_file() and not (p.parent == rules_dir and p.name in DATA_FILES))


def load_packs(rules_dir: Path | str) -> list[RulePack]:
    """Every pack under rules_dir, validated; parsed packs are cached by their sha256."""
    packs, problems = read_packs(rules_dir)
    if problems:
        raise PackProblems(problems)
    return packs


def read_packs(rules_dir: Path | str) -> tuple[list[RulePack], list[str]]:
    """The packs that are valid, and every problem found (for `rules check`)."""
    rules_dir = Path(rules_dir)
    files = pack_files(rules_dir)
    if not files:
        raise RulePackError(f"no rule packs (*.yaml) under {rules_dir}")
    packs: list[RulePack] = []
    problems: list[str] = []
    lib = load_disclosures(rules_dir)
    for f in files:
        try:
            packs.append(with_disclosures(parse_pack(f.read_bytes(), str(f)), lib))
        except PackProblems as e:
            problems += e.problems
    problems += _cross_pack_problems(packs)
    return packs, problems


def with_disclosures(pack: RulePack, lib: Disclosures) -> RulePack:
    """The pack with its `disclosures:` keys resolved into accepted elements, and its masks.

    The pack's sha256 then covers the library too, so a changed statement re-scans the library.
    """
    if not lib.statements:
        return pack
    key = (pack.sha256, pack.path, lib.sha256)
    hit = _RESOLVED.get(key)
    if hit is not None:
        return hit
    _check_regexes(lib)
    rules = []
    for i, rule in enumerate(pack.rules):
        if rule.disclosures:
            extra: list[str] = []
            extra_rx: list[str] = []
            for name in rule.disclosures:
                if name not in lib.statements:
                    raise PackProblems([f"{pack.path}:{pack.line_of(f'rules[{i}].disclosures')}: unknown disclosure "
                                        f"{name!r}; rules/disclosures.yaml has: {', '.join(lib.statements)}"])
                for loc in rule.scope.locales or pack.locales:
                    extra += [w for w in lib.accepted(name, loc) if w not in extra]
                    extra_rx += [p for p in lib.patterns(name, loc) if p not in extra_rx]
            first = next((lib.text(rule.disclosures[0], loc) for loc in rule.scope.locales or pack.locales), None)
            rule = rule.model_copy(update={"any_of": [*rule.any_of, *extra],
                                           "any_pattern": [*rule.any_pattern, *extra_rx], "statement": first,
                                           "suggestion": rule.suggestion or first})
        rules.append(rule)
    masks = {loc: tuple(dict.fromkeys(lib.all_accepted(loc))) for loc in pack.locales}
    sha = hashlib.sha256(f"{pack.sha256}:{lib.sha256}".encode()).hexdigest()
    hit = _RESOLVED[key] = pack.model_copy(update={"rules": rules, "masks": masks, "sha256": sha})
    return hit


_RESOLVED: dict[tuple[str, str, str], RulePack] = {}


def _check_regexes(lib: Disclosures) -> None:
    """Every statement's `patterns` compile, whether a pack uses them yet or not."""
    if lib.sha256 in _CHECKED:
        return
    for key, entry in lib.statements.items():
        for loc in entry:
            for p in lib.patterns(key, loc) if loc != "reference" else ():
                try:
                    re.compile(expand_macros(p))
                except re.error as e:
                    raise PackProblems([f"{key} ({loc}): bad regex {p!r} in rules/disclosures.yaml: {e}"]) from None
    _CHECKED.add(lib.sha256)


_CHECKED: set[str] = set()


def _cross_pack_problems(packs: list[RulePack]) -> list[str]:
    problems: list[str] = []
    pack_ids: dict[str, str] = {}
    rule_ids: dict[str, str] = {}
    for pack in packs:
        if pack.id in pack_ids:
            problems.append(f"{pack.path}:{pack.line_of('id')}: duplicate pack id {pack.id!r} (also in {pack_ids[pack.id]})")
        pack_ids[pack.id] = pack.path
        for i, rule in enumerate(pack.rules):
            where = f"{pack.path}:{pack.line_of(f'rules[{i}].id')}"
            if rule.id in rule_ids:
                problems.append(f"{where}: duplicate rule id {rule.id!r} (first at {rule_ids[rule.id]})")
            else:
                rule_ids[rule.id] = where
    return problems
