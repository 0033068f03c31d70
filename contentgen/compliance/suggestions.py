"""Reviewers' edits mined into proposed rules: a word people keep removing from generated drafts,
or keep replacing with the same words, becomes a `terms` or `substitution` rule to accept.

    edits = [Edit("m1", "zh-CN", "双十一秒杀价，面霜只要99元。", "双十一限时优惠价，面霜只要99元。"), ...]
    for s in mine(edits, min_support=3, packs=load_packs("rules")):
        print(s.support, s.term, "→", s.replacement)   # 3 秒杀 → 限时优惠
        print(s.yaml())                                # a list item to paste into a pack
    add_to_pack(Path("rules"), s)  # rules/zh-CN/reviewer-suggestions.yaml, checked like `rules check`

Pure functions over recorded edits (the caller reads them from the library): diff each draft
with what was approved, count each removed term by the distinct materials it was removed from.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import string
import tempfile
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from contentgen.compliance import kinds as rule_kinds
from contentgen.compliance.engine import packs_in_scope, scan
from contentgen.compliance.examples import run_examples
from contentgen.compliance.matcher import Context
from contentgen.compliance.pack_loading import read_packs
from contentgen.compliance.packs import PackProblems, RulePack
from contentgen.kernel import vocab
from contentgen.kernel.errors import RulePackError, UsageError, check_identifier

PACK_FILE = "reviewer-suggestions.yaml"
REFERENCE = "reviewer edits (contentgen feedback suggest)"
MAX_EXAMPLES = 5
_PUNCT = string.punctuation + "。，、！？「」（）…；：“”‘’《》【】『』〈〉・·～—"
_INNER_OK = "-'’"  # punctuation a term may hold inside (no-brainer, don't)
_SENT_END = re.compile(r"[。！？!?…\n]+[」』）)\"”’]*|\.(?=\s|$)")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
_MESSAGES = {  # (terms, substitution)
    "zh": ("审核人员在{n}篇稿件中删除或改写了“{term}”，请避免使用", "审核人员在{n}篇稿件中把“{term}”改成了“{rep}”"),
    "ja": ("レビュアーが{n}件の原稿で「{term}」を削除・修正しました。使用を避けてください",
           "レビュアーが{n}件の原稿で「{term}」を「{rep}」に置き換えました"),
    "en": ('Reviewers removed or rewrote "{term}" in {n} drafts; avoid it',
           'Reviewers replaced "{term}" with "{rep}" in {n} drafts'),
}
_TITLES = {"zh": "从审核人员的修改中采纳的规则", "ja": "レビュアーの修正から採用したルール",
           "en": "Rules accepted from reviewer edits"}


@dataclass(frozen=True)
class Edit:
    """One reviewed draft: the generated text and the text that was approved."""

    material_id: str
    locale: str  # "zh-CN" | "ja-JP" | "en-US"
    before: str
    after: str
    industry: str | None = None
    channel: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """A proposed rule: `term` removed (`terms`) or replaced (`substitution`) in `support` materials."""

    id: str
    locale: str
    kind: str  # "terms" | "substitution"
    term: str
    replacement: str | None
    support: int
    examples: tuple[tuple[str, str], ...] = ()  # (sentence before, sentence after), at most 5

    @property
    def rule_id(self) -> str:
        """`<zh|ja|en>.reviewers.<slug>`: from the term, so one term gets one rule id."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-")[:40].strip("-")
        if not slug or not self.term.isascii():
            slug = hashlib.sha256(f"{self.locale}|{self.term}".encode()).hexdigest()[:10]
        return f"{self.locale[:2]}.reviewers.{slug}"

    def rule(self) -> dict[str, Any]:
        """The rule as a pack holds it; clean examples that still contain the term are dropped."""
        terms_msg, sub_msg = _MESSAGES[self.locale[:2]]
        key = self.term.casefold()
        rule: dict[str, Any] = {
            "id": self.rule_id, "kind": self.kind, "level": "warning", "category": "other",
            "message": (sub_msg if self.replacement else terms_msg).format(
                n=self.support, term=self.term, rep=self.replacement),
            "reference": REFERENCE,
        }
        rule |= ({"substitutions": {self.term: self.replacement}} if self.kind == "substitution"
                 else {"terms": [self.term]})
        rule["examples"] = {
            "hit": list(dict.fromkeys(b for b, _ in self.examples)),
            "clean": list(dict.fromkeys(a for _, a in self.examples if a and key not in a.casefold())),
        }
        return rule

    def yaml(self) -> str:
        """The rule as a YAML list item, indented as the shipped packs are, to paste under `rules:`."""
        return _dump([self.rule()], indent="  ")


@dataclass(frozen=True)
class _Seen:
    """One removal of a term: the edit, its replacement, the sentences around it."""

    edit: Edit
    replacement: str | None
    before: str  # the sentence of the draft holding the term
    start: int  # the term's span in `before`
    end: int
    after: str  # the sentence of the approved text where it went


def _dump(data: Any, indent: str = "") -> str:
    return textwrap.indent(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), indent)


def _tokens(text: str, locale: str) -> list[tuple[int, int]]:
    """Spans of the units diffed: words and punctuation (en-US), else characters."""
    return [m.span() for m in _WORD.finditer(text)] if locale == "en-US" else [(i, i + 1) for i in range(len(text))]


def _trimmed(text: str, toks: list[tuple[int, int]], i: int, j: int) -> tuple[int, int] | None:
    """The character span of tokens i:j without edge whitespace and punctuation (None: nothing left)."""
    def blank(k: int) -> bool:
        return not text[toks[k][0]:toks[k][1]].strip(_PUNCT + string.whitespace + "\u3000")

    while i < j and blank(i):
        i += 1
    while j > i and blank(j - 1):
        j -= 1
    return (toks[i][0], toks[j - 1][1]) if i < j else None


def _words(raw: str, locale: str) -> str:
    return " ".join(raw.split()).lower() if locale == "en-US" else raw


def _term(raw: str, locale: str) -> str | None:
    """The removed text as a term: 2–12 characters (zh/ja) or 1–4 words (en), no inner punctuation."""
    if any(c in _PUNCT and c not in _INNER_OK for c in raw) or "\n" in raw:
        return None
    if locale == "en-US":
        return _words(raw, locale) if 1 <= len(raw.split()) <= 4 else None
    return raw if 2 <= len(raw) <= 12 and not any(c.isspace() for c in raw) else None


def _sentence(text: str, pos: int) -> tuple[int, int]:
    """The span of the sentence of text at pos (or just before it), without edge whitespace."""
    bounds = [0, *(m.end() for m in _SENT_END.finditer(text)), len(text)]
    pieces = [(s, e) for s, e in zip(bounds, bounds[1:], strict=False) if text[s:e].strip()]
    s, e = next((p for p in reversed(pieces) if p[0] <= pos), pieces[0] if pieces else (0, len(text)))
    part = text[s:e]
    return s + len(part) - len(part.lstrip()), s + len(part.rstrip())


def _removed(edit: Edit) -> Iterator[tuple[str, _Seen]]:
    """Each term deleted or replaced in the edit, with where it was and what took its place."""
    a_toks, b_toks = _tokens(edit.before, edit.locale), _tokens(edit.after, edit.locale)
    a = [edit.before[s:e].lower() for s, e in a_toks]
    b = [edit.after[s:e].lower() for s, e in b_toks]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op not in ("delete", "replace"):
            continue
        span = _trimmed(edit.before, a_toks, i1, i2)
        term = _term(edit.before[span[0]:span[1]], edit.locale) if span else None
        if span is None or term is None:
            continue
        rspan = _trimmed(edit.after, b_toks, j1, j2)
        rep = _words(edit.after[rspan[0]:rspan[1]], edit.locale) if rspan else None
        bs, be = _sentence(edit.before, span[0])
        apos = rspan[0] if rspan else (b_toks[j1][0] if j1 < len(b_toks) else len(edit.after))
        as_, ae = _sentence(edit.after, apos)
        yield term, _Seen(edit, rep, edit.before[bs:be], span[0] - bs, span[1] - bs, edit.after[as_:ae])


def _flagged(seen: list[_Seen], packs: list[RulePack]) -> bool:
    """Whether a rule of the packs (the learned model aside) flags the term in one of its sentences."""
    kinds = rule_kinds.all_kinds() - {"learned"}
    for o in seen:
        ctx = Context(o.edit.locale, o.edit.industry, o.edit.channel)
        if any(f.start <= o.start and f.end >= o.end
               for f in scan(o.before, ctx, packs_in_scope(packs, ctx), kinds)):
            return True
    return False


def _hits(s: Suggestion, texts: list[str]) -> list[bool]:
    """Whether the suggested rule itself flags each text (negated or quoted uses are excused)."""
    rule = {**s.rule(), "examples": {"hit": ["-"], "clean": ["-"]}}
    probe = RulePack.model_validate({"id": "probe", "version": "0", "title": "probe",
                                     "locales": [s.locale], "rules": [rule]})
    ctx = Context(s.locale)
    return [any(f.rule == s.rule_id for f in scan(t, ctx, [probe])) for t in texts]


def _suggest(locale: str, term: str, seen: list[_Seen], support: int) -> Suggestion | None:
    """The suggestion for a term; None when the rule would flag none of its sentences."""
    top = Counter(o.replacement for o in seen if o.replacement).most_common(1)
    rep = top[0][0] if top and top[0][1] * 2 > len(seen) else None
    kind = "substitution" if rep else "terms"
    digest = hashlib.sha256(f"{locale}|{kind}|{term}|{rep or ''}".encode()).hexdigest()[:10]
    pairs = list(dict.fromkeys((o.before, o.after) for o in seen))
    s = Suggestion(f"sug-{digest}", locale, kind, term, rep, support, tuple(pairs))
    kept = [p for p, hit in zip(pairs, _hits(s, [p[0] for p in pairs]), strict=True) if hit]
    return replace(s, examples=tuple(kept[:MAX_EXAMPLES])) if kept else None


def _shadowed(s: Suggestion, others: list[Suggestion]) -> bool:
    """A part of a longer suggested term removed from as many materials (keep the longest)."""
    pad = " " if s.locale == "en-US" else ""
    return any(o.locale == s.locale and o.support == s.support and len(o.term) > len(s.term)
               and f"{pad}{s.term}{pad}" in f"{pad}{o.term}{pad}" for o in others)


def _parts(term: str, locale: str) -> Iterator[str]:
    """The shorter terms inside a term: character runs (zh/ja) or word runs (en), 2+ characters."""
    units = term.split() if locale == "en-US" else list(term)
    sep = " " if locale == "en-US" else ""
    for n in range(len(units) - 1, 0, -1):
        for i in range(len(units) - n + 1):
            part = sep.join(units[i:i + n])
            if len(part) >= 2:
                yield part


def _count_inside_rewrites(seen: dict[tuple[str, str], list[_Seen]]) -> None:
    """A term removed on its own elsewhere also counts where it went inside a longer rewritten
    span (闭眼入 in 闭眼入不踩雷 → 肤感清爽), as a removal: that rewrite replaced more than it."""
    extra: dict[tuple[str, str], list[_Seen]] = defaultdict(list)
    for (locale, longer), occurrences in seen.items():
        for part in set(_parts(longer, locale)):
            if (locale, part) not in seen:
                continue
            for o in occurrences:
                at = o.before.casefold().find(part, o.start, o.end)
                if at >= 0:
                    extra[(locale, part)].append(replace(o, replacement=None, start=at, end=at + len(part)))
    for key, more in extra.items():
        seen[key].extend(more)


def mine(edits: Iterable[Edit], *, min_support: int = 3, packs: list[RulePack] | None = None) -> list[Suggestion]:
    """Terms removed or replaced in at least `min_support` distinct materials, most supported first.

    With `packs`, a term those packs already flag (in the sentence it was removed from, in the
    edit's industry and channel) is left out.
    """
    seen: dict[tuple[str, str], list[_Seen]] = defaultdict(list)
    for edit in edits:
        check_identifier("locale", edit.locale, vocab.LOCALES)
        for term, o in _removed(edit):
            seen[(edit.locale, term)].append(o)
    _count_inside_rewrites(seen)
    found: list[Suggestion] = []
    for (locale, term), occurrences in seen.items():
        support = len({o.edit.material_id for o in occurrences})
        if support < min_support or (packs is not None and _flagged(occurrences, packs)):
            continue
        s = _suggest(locale, term, occurrences, support)
        if s is not None:
            found.append(s)
    return sorted((s for s in found if not _shadowed(s, found)), key=lambda s: (-s.support, s.term))


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file in the same directory, then os.replace."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_pack(path: Path, locale: str) -> dict[str, Any]:
    if not path.exists():
        return {"id": f"{locale}.reviewer-suggestions", "version": "1", "title": _TITLES[locale[:2]],
                "locales": [locale], "rules": []}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise RulePackError(f"{path} cannot be read ({e}); fix it first (`contentgen rules check`)") from None
    if not isinstance(data, dict) or not isinstance(data.setdefault("rules", []), list):
        raise RulePackError(f"{path} is not a rule pack with a `rules:` list; fix it first")
    version = str(data.get("version", "1"))  # bumped: the pack changes
    data["version"] = str(int(version) + 1) if version.isdigit() else version
    return data


def add_to_pack(rules_dir: Path, suggestion: Suggestion) -> Path:
    """Append the suggestion's rule to rules_dir/<locale>/reviewer-suggestions.yaml (created when
    missing) and check every pack as `contentgen rules check` does; on a problem the file is put
    back as it was and PackProblems lists them. A rule id already in the pack: UsageError."""
    rules_dir = Path(rules_dir)
    path = rules_dir / suggestion.locale / PACK_FILE
    old = path.read_bytes() if path.exists() else None
    pack = _read_pack(path, suggestion.locale)
    rule = suggestion.rule()
    if any(isinstance(r, dict) and r.get("id") == rule["id"] for r in pack["rules"]):
        raise UsageError(f"{path} already has rule {rule['id']!r} (term {suggestion.term!r}); edit it there")
    pack["rules"].append(rule)
    head = {k: v for k, v in pack.items() if k != "rules"}
    text = f"# Written by contentgen: rules accepted from reviewer edits.\n{_dump(head)}rules:\n"
    new_dir = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, (text + _dump(pack["rules"], indent="  ")).encode())
    try:
        packs, problems = read_packs(rules_dir)  # what `contentgen rules check` reports
        problems += [r.describe() for r in run_examples(packs) if not r.ok]
        if problems:
            raise PackProblems(problems)
    except BaseException:
        _restore(path, old, new_dir)
        raise
    return path


def _restore(path: Path, old: bytes | None, new_dir: bool) -> None:
    """The file as it was before add_to_pack: its old bytes, or none (and no new directory)."""
    if old is not None:
        return _write(path, old)
    path.unlink(missing_ok=True)
    if new_dir and not any(path.parent.iterdir()):
        path.parent.rmdir()
