"""Rule packs: the YAML a compliance officer edits, validated with file and line."""

from __future__ import annotations

import hashlib
import re
from fnmatch import fnmatchcase
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from contentgen.compliance import kinds
from contentgen.compliance.macros import expand_macros
from contentgen.kernel import vocab
from contentgen.kernel.errors import RulePackError, UsageError

PII_DETECTORS = ("phone", "id_card", "bank_card", "email")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*[a-z0-9]$")
CATEGORIES = (
    "absolute", "state_organ", "superstition", "disparagement", "medical_claim", "efficacy_guarantee",
    "endorsement", "investment_promise", "yield_promise", "past_performance", "projection",
    "regulator_endorsement", "risk_disclosure", "health_food_statement", "cosmetic_claim",
    "education_promise", "price_deception", "prize_bait", "opt_out", "pii", "other",
)  # fmt: skip
PRODUCT_TYPES = vocab.PRODUCT_TYPES
# Files under rules/ that are data the packs read, not packs.
DATA_FILES = ("disclosures.yaml", "product_types.yaml")
_DIMENSIONS = {
    "locales": vocab.LOCALES,
    "product_types": PRODUCT_TYPES,
    "industries": vocab.INDUSTRIES,
    "channels": vocab.CHANNELS,
    "content_types": vocab.CONTENT_TYPES,
}


class PackProblems(RulePackError):
    """One or more problems in rule packs, each 'file:line: message'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems) + " (run `contentgen rules check` for the full list)"
                         if len(problems) > 1 else problems[0])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exclude(_Strict):
    industries: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    content_types: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    product_types: list[str] = Field(default_factory=list)


class Scope(_Strict):
    """Where a rule applies; an omitted dimension means everywhere."""

    locales: list[str] | None = None
    industries: list[str] | None = None
    channels: list[str] | None = None
    content_types: list[str] | None = None
    segments: list[str] | None = Field(default=None, description="globs: '*.price_sensitive'")
    fields: list[str] | None = Field(default=None, description="globs: 'body', 'scenes.*.caption'")
    product_types: list[str] | None = Field(default=None, description="unknown product type: applies")
    implied_by_product: bool = Field(
        default=False, description="industry unknown: a demand applies when the text names a product of its industries")
    exclude: Exclude = Field(default_factory=Exclude)

    @model_validator(mode="after")
    def _known(self) -> Scope:
        for dim, allowed in _DIMENSIONS.items():
            for value in (getattr(self, dim) or []) + getattr(self.exclude, dim, []):
                if value not in allowed:
                    raise ValueError(f"unknown {dim[:-1]} {value!r} in scope; choose from {', '.join(allowed)}")
        for pat in (self.segments or []) + self.exclude.segments:
            if not any(fnmatchcase(s, pat) for s in vocab.SEGMENTS):
                raise ValueError(f"segment pattern {pat!r} matches no segment (e.g. '*.price_sensitive')")
        return self

    def merged(self, outer: Scope) -> Scope:
        """This (rule) scope, with dimensions it leaves open taken from the pack scope."""
        data = {k: getattr(self, k) if getattr(self, k) is not None else getattr(outer, k)
                for k in ("locales", "industries", "channels", "content_types", "segments", "fields",
                          "product_types")}
        ex = {k: getattr(self.exclude, k) + getattr(outer.exclude, k) for k in Exclude.model_fields}
        return Scope(**data, implied_by_product=self.implied_by_product or outer.implied_by_product,
                     exclude=Exclude(**ex))


class Example(_Strict):
    """An example text, optionally checked in a context other than the rule's own."""

    text: str = Field(min_length=1)
    locale: str | None = None
    industry: str | None = None
    channel: str | None = None
    content_type: str | None = None
    segment: str | None = None
    field: str | None = None
    product_type: str | None = None


class Examples(_Strict):
    hit: list[str | Example] = Field(min_length=1)
    clean: list[str | Example] = Field(min_length=1)


class Rule(_Strict):
    id: str
    kind: str = Field(description="one of the registered rule kinds (contentgen.compliance.kinds)")
    level: Literal["error", "warning", "info"]
    message: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="law and article")
    category: str | None = Field(default=None, description="legal category, one of CATEGORIES")
    link: str | None = None
    suggestion: str | None = Field(default=None, description="advice; a substitution's replacement wins")
    scope: Scope = Field(default_factory=Scope)
    terms: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list, description="contexts where a term is fine")
    exception_patterns: list[str] = Field(default_factory=list, description="regex contexts where a hit is fine")
    evidence_terms: list[str] = Field(default_factory=list, description="with one present: a warning")
    evidence_patterns: list[str] = Field(default_factory=list)
    pinyin: bool = Field(default=False, description="zh: terms also match written in pinyin")
    negatable: bool | None = Field(default=None, description="a negator excuses a hit; default: term lists")
    disclosures: list[str] = Field(default_factory=list, description="requires: keys of rules/disclosures.yaml")
    # Set by the loader from the disclosures library: the statement `--fix` inserts.
    statement: str | None = Field(default=None, exclude=True)
    substitutions: dict[str, str] = Field(default_factory=dict, description="bad → replacement")
    patterns: list[str] = Field(default_factory=list, description="regexes over normalised text")
    trigger_terms: list[str] = Field(default_factory=list, description="requires: only when one appears")
    trigger_patterns: list[str] = Field(default_factory=list)
    any_of: list[str] = Field(default_factory=list, description="requires: accepted elements")
    any_pattern: list[str] = Field(default_factory=list)
    max: int | None = Field(default=None, ge=1, description="length: characters; default channel limit")
    detect: list[Literal["phone", "id_card", "bank_card", "email"]] = Field(default_factory=list)
    examples: Examples

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> str:
        known = kinds.names()
        if not isinstance(v, str) or v not in known:
            # Worded as pydantic words a Literal, so pack errors read as they always have.
            expected = ", ".join(repr(n) for n in known[:-1]) + f" or {known[-1]!r}" if len(known) > 1 else repr(known[0])
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"rule id {v!r} must be lower-case letters, digits, '.', '_' or '-'")
        return v

    @field_validator("reference", "message")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v

    @field_validator("category")
    @classmethod
    def _category(cls, v: str | None) -> str | None:
        if v is not None and v not in CATEGORIES:
            raise ValueError(f"unknown category {v!r}; choose from {', '.join(CATEGORIES)}")
        return v

    @field_validator("patterns", "trigger_patterns", "any_pattern", "exception_patterns", "evidence_patterns")
    @classmethod
    def _regex(cls, v: list[str]) -> list[str]:
        for i, p in enumerate(v):
            try:
                re.compile(expand_macros(p))
            except re.error as e:
                raise ValueError(f"bad regex #{i + 1} {p!r}: {e}") from None
        return v

    @model_validator(mode="after")
    def _kind_needs(self) -> Rule:
        kind = kinds.get(self.kind)
        if kind.needs and not any(getattr(self, key, None) for key in kind.needs):
            raise ValueError(f"a {self.kind} rule needs {kind.needs_text()}")
        for term in [*self.terms, *self.exceptions, *self.substitutions, *self.trigger_terms, *self.any_of]:
            if not term.strip():
                raise ValueError("a term must not be blank")
        return self


class RulePack(_Strict):
    """One YAML file under rules/: a versioned set of rules with a shared scope."""

    id: str
    version: str
    title: str
    locales: list[str] = Field(min_length=1)
    scope: Scope = Field(default_factory=Scope)
    rules: list[Rule] = Field(min_length=1)
    # Set by the loader, not read from YAML.
    path: str = Field(default="", exclude=True)
    sha256: str = Field(default="", exclude=True)
    lines: dict[str, int] = Field(default_factory=dict, exclude=True, repr=False)
    # Required statements per locale (disclosures library): masked from prohibitions.
    masks: dict[str, tuple[str, ...]] = Field(default_factory=dict, exclude=True, repr=False)

    @field_validator("locales")
    @classmethod
    def _locales(cls, v: list[str]) -> list[str]:
        for loc in v:
            if loc not in vocab.LOCALES:
                raise ValueError(f"unknown locale {loc!r}; choose from {', '.join(vocab.LOCALES)}")
        return v

    def rule_scope(self, rule: Rule) -> Scope:
        return rule.scope.merged(self.scope).model_copy(update={"locales": rule.scope.locales or self.locales})

    def line_of(self, path: str) -> int:
        """The YAML line of a dotted path like 'rules[3].examples.hit[1]' (nearest known parent)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
        return 1

    def rule_path(self, rule_id: str) -> str:
        for i, r in enumerate(self.rules):
            if r.id == rule_id:
                return f"rules[{i}]"
        return ""


def _node_lines(node: yaml.Node, path: str, out: dict[str, int], problems: list[str]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                problems.append(f"{key.start_mark.line + 1}: duplicate key {name!r}")
            seen.add(name)
            _node_lines(value, f"{path}.{name}" if path else name, out, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, f"{path}[{i}]", out, problems)


def _loc_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("str", "Example", "function-after[_known(), Scope]"):
            path += f".{part}" if path else str(part)
    return path


_CACHE: dict[str, RulePack] = {}
# libyaml's parser when PyYAML was built with it (10x the pure-Python one on thousands of terms).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, from one parse."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def parse_pack(raw: bytes, path: str) -> RulePack:
    """Parse and validate one pack; every problem is reported as 'file:line: message'."""
    sha = hashlib.sha256(raw).hexdigest()
    if sha in _CACHE and _CACHE[sha].path == path:
        return _CACHE[sha]
    try:
        text = raw.decode("utf-8")
        node, data = _compose_and_load(text)
    except UnicodeDecodeError as e:
        raise PackProblems([f"{path}:1: not valid UTF-8 at byte {e.start}"]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PackProblems([f"{path}:{line}: not valid YAML: {getattr(e, 'problem', e)}"]) from None
    if node is None or not isinstance(data, dict):
        raise PackProblems([f"{path}:1: a rule pack is a mapping with id, version, title, locales, rules"])
    lines: dict[str, int] = {}
    problems: list[str] = []
    _node_lines(node, "", lines, problems)
    if problems:
        raise PackProblems([f"{path}:{p}" for p in problems])
    try:
        pack = RulePack.model_validate(data)
    except ValidationError as e:
        msgs = []
        for err in e.errors():
            where = _loc_path(err["loc"])
            line = RulePack.model_construct(lines=lines).line_of(where)
            msgs.append(f"{path}:{line}: {where or 'pack'}: {err['msg'].removeprefix('Value error, ')}")
        raise PackProblems(msgs) from None
    pack = pack.model_copy(update={"path": path, "sha256": sha, "lines": lines})
    _CACHE[sha] = pack
    return pack


def find_rule(packs: list[RulePack], rule_id: str) -> tuple[RulePack, Rule]:
    for pack in packs:
        for rule in pack.rules:
            if rule.id == rule_id:
                return pack, rule
    raise UsageError(f"no rule {rule_id!r}; `contentgen rules list` shows the ids")


def as_example(ex: str | Example) -> Example:
    return ex if isinstance(ex, Example) else Example(text=ex)


def dump(obj: BaseModel) -> dict[str, Any]:
    return obj.model_dump(mode="json", exclude_defaults=True)
