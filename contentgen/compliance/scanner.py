"""The packs in scope merged into one automaton + regex list, so each text is scanned once.

A rule is known by its global id (gid): its place in the packs' rules laid end to end. What a
context runs (its plan) is worked out once per (context, kinds); a field narrows a plan by the
rules' field globs, cached by field name, so checking a draft resolves contexts once, not once
per field and pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

import ahocorasick

from contentgen.compliance import kinds
from contentgen.compliance.context import crosses_break, disclaimed, mentioned, negator
from contentgen.compliance.kinds import Checker
from contentgen.compliance.matcher import Context, Regex, bounded, compile_pack, in_scope, outermost
from contentgen.compliance.normalize import Normalized
from contentgen.compliance.packs import Rule, RulePack, Scope
from contentgen.compliance.roles import EVIDENCE, EXCEPTION, MASK, PREFILTER, TERM

# A hyphen between two letters: it may split a word to dodge a term (guaran-teed).
_SPLIT_WORD = re.compile(r"(?<=[a-z])-(?=[a-z])")
_EVIDENCE_NOTE = {
    "zh": "（已注明出处：证据须存档备查）",
    "ja": "（根拠の記載あり：裏付け資料の保管が必要です）",
    "en": " (a source is given: the evidence must be on file)",
}


@dataclass
class Plan:
    """What the merged packs run in one context: rules in scope, their regexes."""

    active: frozenset[int]  # gids
    regexes: dict[int, Regex]  # regex id → regex of an active rule
    always: tuple[int, ...]  # regex ids of active regexes with no literal prefilter
    checks: tuple[tuple[int, Checker], ...]  # (gid, its kind's checker) run once per text, in gid order
    fields: dict[str, Plan] = field(default_factory=dict)  # narrowed by field name (memo)


class Merged:
    """Several packs (one normalisation family) as one matcher."""

    def __init__(self, packs: tuple[RulePack, ...], fam: str):
        self.packs = packs  # kept alive: the cache key holds their ids
        self.family = fam
        self.rules: list[Rule] = []
        self.pack_of: list[int] = []
        self.scopes: list[Scope] = []
        self.regexes: list[Regex] = []
        self.replacements: dict[tuple[int, str], str] = {}
        self.exception_regexes: dict[int, list[re.Pattern[str]]] = {}
        self.evidence_regexes: dict[int, list[re.Pattern[str]]] = {}
        words: dict[str, list[tuple[int, int, bool]]] = {}
        for p_i, pack in enumerate(packs):
            cp = compile_pack(pack, fam)
            g0, r0 = len(self.rules), len(self.regexes)
            self.rules += pack.rules
            self.pack_of += [p_i] * len(pack.rules)
            self.scopes += cp.scopes
            self.regexes += [Regex(g0 + rx.rule, rx.role, rx.regex, None if rx.prefilter is None else r0 + rx.prefilter)
                             for rx in cp.regexes]
            self.replacements.update({(g0 + r, key): good for (r, key), good in cp.replacements.items()})
            self.exception_regexes.update({g0 + r: rx for r, rx in cp.exception_regexes.items()})
            self.evidence_regexes.update({g0 + r: rx for r, rx in cp.evidence_regexes.items()})
            for word, entries in cp.words.items():
                merged_entries = words.setdefault(word, [])
                for i, role, latin in entries:
                    e = (i if role == MASK else r0 + i if role == PREFILTER else g0 + i, role, latin)
                    if role != MASK or e not in merged_entries:
                        merged_entries.append(e)
        # A negator before a claim (不能治疗, not guaranteed) or after it (ja: 保証ではありません)
        # excuses it: the kind says whether by default (term lists yes, patterns no).
        kind_of = [kinds.get(r.kind) for r in self.rules]  # looked up once: scans read per-rule lists
        # Rules that are not negatable are still excused by an explicit disclaimer (不保证,
        # ではありません, not guaranteed), unless the rule says `negatable: false` (None here).
        self.negatable: list[bool | None] = [
            r.negatable if r.negatable is not None else (True if k.negatable else None)
            for r, k in zip(self.rules, kind_of, strict=True)]
        # Hits that carry their term's replacement; they are never merged into one finding.
        self.replaces = [k.repair == "replace" for k in kind_of]
        self.checkers = [k.check for k in kind_of]
        # Whether any rule depends on the product type (then the engine infers one when absent).
        # (Or whose demand a product's industry turns on when no industry is given.)
        self.product_scoped = any(s.product_types is not None or s.exclude.product_types or s.implied_by_product
                                  for s in self.scopes)
        self.field_scoped = frozenset(g for g, s in enumerate(self.scopes) if s.fields is not None)
        self.bases = [{"rule": r.id, "severity": r.level, "message": r.message, "suggestion": r.suggestion,
                       "reference": r.reference, "kind": r.kind, "category": r.category, "fix": r.statement}
                      for r in self.rules]
        self.automaton: Any = None
        if words:
            self.automaton = ahocorasick.Automaton()
            for word, entries in words.items():
                self.automaton.add_word(word, (len(word), word, tuple(entries)))
            self.automaton.make_automaton()
        self._plans: dict[tuple[Context, frozenset[str]], Plan] = {}

    def plan(self, ctx: Context, kinds: frozenset[str]) -> Plan:
        """The rules in scope for a context and set of kinds (memoised)."""
        key = (ctx, kinds)
        hit = self._plans.get(key)
        if hit is None:
            if ctx.field is not None:
                hit = self.narrow(self.plan(replace(ctx, field=None), kinds), ctx.field)
            else:
                # A rule's field globs are only looked at when a field is known (in_scope).
                active = frozenset(g for g, r in enumerate(self.rules)
                                   if r.kind in kinds and in_scope(self.scopes[g], ctx, r.kind))
                hit = self._plan(active)
            if len(self._plans) > 1024:
                self._plans.clear()
            self._plans[key] = hit
        return hit

    def narrow(self, plan: Plan, fld: str) -> Plan:
        """A field-less plan without the rules whose field globs leave out this field."""
        hit = plan.fields.get(fld)
        if hit is None:
            drop = {g for g in plan.active & self.field_scoped
                    if not any(fnmatchcase(fld, p) for p in self.scopes[g].fields or ())}
            hit = self._plan(plan.active - drop) if drop else plan
            if len(plan.fields) > 256:
                plan.fields.clear()
            plan.fields[fld] = hit
        return hit

    def _plan(self, active: frozenset[int]) -> Plan:
        regexes = {i: rx for i, rx in enumerate(self.regexes) if rx.rule in active}
        always = tuple(i for i, rx in regexes.items() if rx.prefilter is None)
        checks = tuple((g, check) for g in sorted(active) if (check := self.checkers[g]) is not None)
        return Plan(active, regexes, always, checks)

    def scan(self, nt: Normalized, plan: Plan, ctx: Context, fld: str | None) -> list[dict[str, Any]]:
        """A text's findings, as Finding fields, in pack order (as if each pack ran alone)."""
        if not plan.active:
            return []
        text = nt.text
        terms: dict[int, list[tuple[int, int, str]]] = {}
        excepted: dict[int, list[tuple[int, int]]] = {}
        seen: set[tuple[int, int]] = set()  # (gid, role) for triggers, elements and evidence
        masked: list[tuple[int, int]] = []  # spans of required statements
        run = list(plan.always) if plan.always else None  # regexes to run: unfiltered + literal seen
        if self.automaton is not None and text:
            active, gated = plan.active, plan.regexes
            # One pass over the automaton; per-hit work only for entries of active rules.
            for end, (klen, key, entries) in self.automaton.iter(text):
                for rule, role, latin in entries:
                    if role == PREFILTER:
                        if rule in gated:
                            if run is None:
                                run = [rule]
                            else:
                                run.append(rule)
                    elif role == MASK:
                        if not latin or bounded(text, end + 1 - klen, end + 1):
                            masked.append((end + 1 - klen, end + 1))
                    elif rule in active and (not latin or bounded(text, end + 1 - klen, end + 1)):
                        if role == TERM:
                            hits = terms.get(rule)
                            if hits is None:
                                terms[rule] = [(end + 1 - klen, end + 1, key)]
                            else:
                                hits.append((end + 1 - klen, end + 1, key))
                        elif role == EXCEPTION:
                            excepted.setdefault(rule, []).append((end + 1 - klen, end + 1))
                        else:
                            seen.add((rule, role))
        if self.automaton is not None and "-" in text and _SPLIT_WORD.search(text):
            self._rejoined(text, plan, terms, excepted)
        if run:
            for i in sorted(set(run)):
                rx = plan.regexes[i]
                if rx.role == TERM:
                    for m in rx.regex.finditer(text):
                        if m.end() > m.start():
                            terms.setdefault(rx.rule, []).append((m.start(), m.end(), ""))
                elif (rx.rule, rx.role) not in seen and rx.regex.search(text):
                    seen.add((rx.rule, rx.role))
        if not terms and not plan.checks:
            return []  # the usual clean text: nothing allocated for findings
        found: list[dict[str, Any]] = []
        pack_of, bases = self.pack_of, self.bases
        owners: list[int] | None = [] if len(self.packs) > 1 else None  # pack of each finding
        span = nt.span if nt.maps else None
        original = nt.original
        for g, hits in terms.items():
            exc = excepted.get(g)
            if g in self.exception_regexes:
                exc = [*(exc or ()), *(m.span() for rx in self.exception_regexes[g] for m in rx.finditer(text))]
            if masked:
                exc = [*(exc or ()), *masked]
            if exc:
                hits = [h for h in hits if not any(s <= h[0] and h[1] <= e for s, e in exc)]
            if hits and self.negatable[g] is not False:
                hits = [h for h in hits if not self._excused(nt, h[0], h[1], self.negatable[g])]
            if not hits:
                continue
            base = bases[g]
            if (g, EVIDENCE) in seen or any(rx.search(text) for rx in self.evidence_regexes.get(g, ())):
                base = self._evidenced(g, ctx.locale)
            subst = self.replaces[g]
            if len(hits) > 1:
                hits = outermost(hits, not subst)
            for s, e, key in hits:
                if span is not None:
                    s, e = span(s, e)
                if mentioned(original, s, e):  # quoted and talked about: read on the original text
                    continue
                data = {**base, "start": s, "end": e, "match": original[s:e], "field": fld}
                if key and subst:
                    data["suggestion"] = self.replacements.get((g, key), base["suggestion"])
                found.append(data)
                if owners is not None:
                    owners.append(pack_of[g])
        for g, check in plan.checks:
            n = len(found)
            found += check(self, g, nt, ctx, fld, seen, excepted)
            if owners is not None:
                owners += [pack_of[g]] * (len(found) - n)
        if owners and owners != sorted(owners):
            # Each pack's findings together, in pack order (stable: a pack's own order kept).
            order = sorted(range(len(found)), key=owners.__getitem__)
            found = [found[i] for i in order]
        return found

    def _rejoined(self, text: str, plan: Plan, terms: dict[int, list[tuple[int, int, str]]],
                  excepted: dict[int, list[tuple[int, int]]]) -> None:
        """Latin term and regex hits across a hyphen that splits a word (Guaran-teed): the text
        is read again with such hyphens removed; only hits with a removed hyphen inside are new."""
        joined = _SPLIT_WORD.sub("", text)
        keep = [i for i, c in enumerate(text) if not (c == "-" and _SPLIT_WORD.match(text, i))]
        keep.append(len(text))
        run: set[int] = set()
        for end, (klen, key, entries) in self.automaton.iter(joined):
            start = end + 1 - klen
            s, e = keep[start], keep[end] + 1
            # A regex runs again when its literal is in the joined text; its hits are checked below.
            run.update(r for r, role, _ in entries
                       if role == PREFILTER and r in plan.regexes and plan.regexes[r].role == TERM)
            if e - s == klen or not bounded(joined, start, end + 1):
                continue  # no hyphen inside: the first pass has it (or it sits inside a word)
            for rule, role, latin in entries:
                if latin and role != PREFILTER and rule in plan.active:
                    if role == TERM:
                        terms.setdefault(rule, []).append((s, e, key))
                    elif role == EXCEPTION:
                        excepted.setdefault(rule, []).append((s, e))
        for i in sorted(run):
            rx = plan.regexes[i]
            for m in rx.regex.finditer(joined):
                if m.end() == m.start():
                    continue
                s, e = keep[m.start()], keep[m.end() - 1] + 1
                if e - s > m.end() - m.start():  # a removed hyphen inside
                    terms.setdefault(rx.rule, []).append((s, e, ""))

    def _excused(self, nt: Normalized, start: int, end: int, negatable: bool | None) -> bool:
        """Whether a negator (a negatable rule) or a disclaimer (any other) governs the hit, with
        no line break, emoji or sentence end between them in the original text."""
        text = nt.text
        gap = negator(text, start, end, self.family) if negatable else disclaimed(text, start, end, self.family)
        if gap is None:
            return False
        if not nt.maps:
            return not crosses_break(nt.original, *gap)
        # The gap in the original runs from the negator to the hit (ja: from the hit to the
        # negator after it), so the separators normalisation deleted in between are in it.
        hit = nt.span(start, end)
        if self.family == "ja":
            return not crosses_break(nt.original, hit[1], nt.span(*gap)[1])
        return not crosses_break(nt.original, nt.span(*gap)[0], hit[0])

    def _evidenced(self, g: int, locale: str) -> dict[str, Any]:
        """A finding whose claim comes with its source: a person checks the evidence is on file."""
        base = self.bases[g]
        if base["severity"] != "error":
            return base
        note = _EVIDENCE_NOTE.get(locale[:2], _EVIDENCE_NOTE["en"])
        return {**base, "severity": "warning", "message": f"{base['message']}{note}"}


_MERGED: dict[tuple[str, tuple[int, ...]], Merged] = {}


def merged(packs: list[RulePack] | tuple[RulePack, ...], fam: str) -> Merged:
    """The packs as one matcher, built once per (family, pack objects)."""
    key = (fam, tuple(map(id, packs)))
    hit = _MERGED.get(key)
    if hit is None:
        if len(_MERGED) > 256:
            _MERGED.clear()
        hit = _MERGED[key] = Merged(tuple(packs), fam)
    return hit
