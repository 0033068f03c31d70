"""Packs compiled for matching: terms for one Aho-Corasick automaton, prefiltered regexes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from contentgen.compliance import kinds
from contentgen.compliance.fold import family
from contentgen.compliance.macros import expand_macros
from contentgen.compliance.normalize import normalize_term
from contentgen.compliance.roles import ELEMENT, EVIDENCE, EXCEPTION, MASK, PREFILTER, TERM, TRIGGER
from contentgen.compliance.variants import latin_variants, pinyin_variants

if TYPE_CHECKING:
    # Types only: the pack models validate against the kind registry, which loads before them.
    from contentgen.compliance.packs import RulePack, Scope

__all__ = ["ELEMENT", "EVIDENCE", "EXCEPTION", "MASK", "PREFILTER", "TERM", "TRIGGER", "CompiledPack", "Context",
           "Regex", "bounded", "compile_pack", "in_scope", "outermost", "required_literals"]


@dataclass(frozen=True)
class Context:
    locale: str
    industry: str | None = None
    channel: str | None = None
    content_type: str | None = None
    segment: str | None = None
    field: str | None = None
    product_type: str | None = None
    # The industry a named product belongs to (a fund → finance) when none was given: it turns
    # on that industry's demands (a risk warning) while prohibitions stay as for "unknown".
    implied_industry: str | None = None

    def __hash__(self) -> int:
        # Hashed for every text scanned (plan lookup): computed once, not per call.
        try:
            return self.__dict__["_hash"]  # type: ignore[no-any-return]
        except KeyError:
            h = hash((self.locale, self.industry, self.channel, self.content_type, self.segment, self.field,
                      self.product_type, self.implied_industry))
            object.__setattr__(self, "_hash", h)
            return h


def in_scope(scope: Scope, ctx: Context, kind: str) -> bool:
    """Whether a rule applies. An unknown dimension (None) keeps prohibitions on (strict when
    unsure) but turns off demands (requires, length) and segment guidance."""
    k = kinds.find(kind)
    strict = k is not None and k.demanding
    checks = (
        (scope.locales, ctx.locale, False),
        (scope.industries, ctx.industry, strict),
        (scope.channels, ctx.channel, strict),
        (scope.content_types, ctx.content_type, strict),
    )
    for allowed, value, need in checks:
        if allowed is None:
            continue
        if value is None:
            if need and not (scope.implied_by_product and allowed is scope.industries
                             and ctx.implied_industry in allowed):
                return False
        elif value not in allowed:
            return False
    if scope.segments is not None:
        if ctx.segment is None or not any(fnmatchcase(ctx.segment, p) for p in scope.segments):
            return False
    if scope.product_types is not None and ctx.product_type is not None:
        if ctx.product_type not in scope.product_types:
            return False
    if scope.fields is not None and ctx.field is not None:
        if not any(fnmatchcase(ctx.field, p) for p in scope.fields):
            return False
    ex = scope.exclude
    if (ctx.industry in ex.industries or ctx.channel in ex.channels
            or ctx.content_type in ex.content_types or ctx.product_type in ex.product_types):
        return False
    return not (ctx.segment and any(fnmatchcase(ctx.segment, p) for p in ex.segments))


def required_literals(pattern: str) -> list[str]:
    """Literals of which at least one must occur for the regex to match; [] when unknown."""
    import re._parser as sre

    try:
        tree = sre.parse(pattern)
    except re.error:
        return []
    best = _seq_literals(list(tree))
    return best or []


def _seq_literals(items: list[Any]) -> list[str] | None:
    import re._constants as c

    candidates: list[list[str]] = []
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            candidates.append([run])
            run = ""
        if op is c.SUBPATTERN:
            sub = _seq_literals(list(av[-1]))
            if sub:
                candidates.append(sub)
        elif op is c.BRANCH:
            alts = [_seq_literals(list(b)) for b in av[1]]
            if all(alts):
                candidates.append([lit for a in alts if a for lit in a])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            sub = _seq_literals(list(av[2]))
            if sub:
                candidates.append(sub)
    if run:
        candidates.append([run])
    if not candidates:
        return None
    # The most selective set: the one whose shortest literal is longest.
    return max(candidates, key=lambda lits: min(len(x) for x in lits))


@dataclass
class Regex:
    rule: int
    role: int  # TERM for pattern rules, TRIGGER / ELEMENT for requires
    regex: re.Pattern[str]
    prefilter: int | None  # id of its literal set in the automaton, None = always run


@dataclass
class CompiledPack:
    """One pack's matchable pieces; packs in scope together are merged by `scanner`."""

    pack: RulePack
    family: str
    scopes: list[Scope]
    words: dict[str, list[tuple[int, int, bool]]]  # normalised word → (rule | regex, role, latin)
    regexes: list[Regex]
    replacements: dict[tuple[int, str], str]  # (rule, normalised term) → replacement
    # Regexes run only for a rule that has hits: contexts that excuse a hit, evidence that
    # turns its findings into warnings.
    exception_regexes: dict[int, list[re.Pattern[str]]]
    evidence_regexes: dict[int, list[re.Pattern[str]]]


def bounded(text: str, start: int, end: int) -> bool:
    """A Latin term must not sit inside a longer word (guaranteed ≠ unguaranteedly)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def outermost(hits: list[tuple[int, int, str]], merge: bool) -> list[tuple[int, int, str]]:
    """One finding per place: nested hits of a rule dropped (稳赚 inside 稳赚不赔); with merge,
    overlapping ones joined (全网最低 + 最低价 → 全网最低价). Substitutions never merge: each
    keeps its own replacement."""
    hits.sort(key=lambda h: (h[0], -h[1]))
    out: list[tuple[int, int, str]] = []
    for h in hits:
        if out and h[0] < out[-1][1]:
            if merge and h[1] > out[-1][1]:
                out[-1] = (out[-1][0], h[1], "")
            continue
        out.append(h)
    return out


_COMPILED: dict[tuple[str, str], CompiledPack] = {}
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # a Latin term's edge: bounded as a word


@lru_cache(maxsize=8192)
def _regex(pattern: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A pack regex compiled (macros expanded) and its prefilter literals: once per pattern, not
    once per normalisation family (re's own cache holds 512 and the packs have more)."""
    full = expand_macros(pattern)
    return re.compile(full), tuple(required_literals(full))


def compile_pack(pack: RulePack, fam: str) -> CompiledPack:
    """Compile once per (pack sha256, normalisation family)."""
    key = (pack.sha256 or str(id(pack)), fam)
    hit = _COMPILED.get(key)
    if hit is not None and hit.pack is pack:
        return hit
    words: dict[str, list[tuple[int, int, bool]]] = {}
    replacements: dict[tuple[int, str], str] = {}
    regexes: list[Regex] = []
    exc_rx: dict[int, list[re.Pattern[str]]] = {}
    ev_rx: dict[int, list[re.Pattern[str]]] = {}

    def add(term: str, rule: int, role: int, pinyin: bool = False) -> list[str]:
        norm = normalize_term(term, fam)
        if not norm:
            return []
        spellings = latin_variants(norm)
        if pinyin and fam == "zh":
            spellings += pinyin_variants(norm)
        for v in spellings:
            latin = v[0] in _ALNUM or v[-1] in _ALNUM
            entries = words.setdefault(v, [])
            if (rule, role, latin) not in entries:
                entries.append((rule, role, latin))
        return spellings

    def add_regex(pattern: str, rule: int, role: int) -> None:
        compiled, literals = _regex(pattern)
        lits = [normalize_term(x, fam) for x in literals]
        pf = None
        if lits and all(lits):
            pf = len(regexes)
            for lit in lits:
                words.setdefault(lit, []).append((pf, PREFILTER, False))
        regexes.append(Regex(rule, role, compiled, pf))

    for i, rule in enumerate(pack.rules):
        for t in rule.terms:
            add(t, i, TERM, rule.pinyin)
        for t in rule.exceptions:
            add(t, i, EXCEPTION)
        for bad, good in rule.substitutions.items():
            for spelling in add(bad, i, TERM, rule.pinyin):
                replacements[(i, spelling)] = good
        for t in rule.trigger_terms:
            add(t, i, TRIGGER)
        for t in rule.any_of:
            add(t, i, ELEMENT)
        for t in rule.evidence_terms:
            add(t, i, EVIDENCE)
        for p in rule.patterns:
            add_regex(p, i, TERM)
        for p in rule.trigger_patterns:
            add_regex(p, i, TRIGGER)
        for p in rule.any_pattern:
            add_regex(p, i, ELEMENT)
        if rule.exception_patterns:
            exc_rx[i] = [_regex(p)[0] for p in rule.exception_patterns]
        if rule.evidence_patterns:
            ev_rx[i] = [_regex(p)[0] for p in rule.evidence_patterns]
    # Only the statements of the locales this normalisation family serves: a ja statement must
    # not hide a zh word (治療 folds to 治疗).
    for loc, statements in pack.masks.items():
        if family(loc) == fam:
            for m in statements:
                add(m, -1, MASK)
    compiled = CompiledPack(pack, fam, [pack.rule_scope(r) for r in pack.rules], words, regexes, replacements,
                            exc_rx, ev_rx)
    _COMPILED[key] = compiled
    return compiled
