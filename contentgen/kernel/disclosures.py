"""The disclosures library (rules/disclosures.yaml): required statements per key and locale.

    lib = load_disclosures(Path("rules"))
    lib.text("opt_out.sms", "zh-CN")        # "回T退订"
    lib.accepted("opt_out.sms", "zh-CN")    # every wording a `requires` rule accepts

`requires` rules, `check --fix`, prompts, channel templates and the offline writer all read it,
so a statement is written in one place.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contentgen.kernel import vocab
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import RulePackError

FILE_NAME = "disclosures.yaml"


class Statement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    accepted: list[str] = Field(default_factory=list)
    # The statement in the writer's own words (a regex on normalised text, macros allowed):
    # "can still lose money", 不构成投资建议. Accepted like `accepted`, never masked.
    patterns: list[str] = Field(default_factory=list)
    # The law wants it whole or not at all (21 CFR 101.93(c): both DSHEA sentences): a writer short of
    # room leaves it out rather than shorten it, and a rule that needs it asks for the whole text.
    whole: bool = False
    # Good practice, owed by no statute (ja: a health food's 「疾病の診断、治療、予防を目的と
    # したものではありません」): a long text carries it, a short channel leaves it out for the offer.
    optional: bool = False


class Disclosures(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    statements: dict[str, dict[str, Statement | str]]
    sha256: str = ""

    def _get(self, key: str, locale: str) -> Statement | None:
        entry = self.statements.get(key)
        if entry is None:
            raise RulePackError(f"unknown disclosure {key!r}; rules/{FILE_NAME} has: {', '.join(self.statements)}")
        st = entry.get(locale)
        return st if isinstance(st, Statement) else None

    def text(self, key: str, locale: str) -> str | None:
        """The statement we write for this locale, or None when the locale has none."""
        st = self._get(key, locale)
        return st.text if st else None

    def accepted(self, key: str, locale: str) -> list[str]:
        st = self._get(key, locale)
        return [st.text, *st.accepted] if st else []

    def optional(self, key: str, locale: str) -> bool:
        st = self._get(key, locale)
        return bool(st and st.optional)

    def whole(self, key: str, locale: str) -> bool:
        st = self._get(key, locale)
        return bool(st and st.whole)

    def patterns(self, key: str, locale: str) -> list[str]:
        st = self._get(key, locale)
        return list(st.patterns) if st else []

    def all_accepted(self, locale: str) -> list[str]:
        """Every statement wording of a locale: masked from the prohibition rules."""
        return [w for key in self.statements for w in self.accepted(key, locale)]


EMPTY = Disclosures(version="0", statements={})


def default_disclosures() -> Disclosures:
    """The library of the configured rules directory ($CONTENTGEN_RULES_DIR or ./rules)."""
    return load_disclosures(Settings.load().rules_dir)


def has_statement(text: str, key: str, locale: str, lib: Disclosures | None = None) -> bool:
    """Whether the text already carries one accepted wording of the statement (case-insensitive)."""
    folded = text.casefold()
    return any(w.casefold() in folded for w in (lib or default_disclosures()).accepted(key, locale))


def load_disclosures(rules_dir: Path | str) -> Disclosures:
    """The library beside the packs; an absent file means no statements (a bare rules dir)."""
    path = Path(rules_dir) / FILE_NAME
    try:
        stat = path.stat()
    except OSError:
        return EMPTY
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> Disclosures:
    """Read once per file version (its mtime and size): drafts read the library on a hot path."""
    return _parse(Path(path).read_bytes(), path)


@lru_cache(maxsize=8)
def _parse(raw: bytes, path: str) -> Disclosures:
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        raise RulePackError(f"{path}: not valid YAML/UTF-8: {e}") from None
    if not isinstance(data, dict):
        raise RulePackError(f"{path}: expected a mapping with version and statements")
    statements = data.get("statements")
    if isinstance(statements, dict):
        for key, entry in statements.items():
            if not isinstance(entry, dict):
                raise RulePackError(f"{path}: statement {key!r} must map locales to {{text, accepted}}")
            for loc in entry:
                if loc != "reference" and loc not in vocab.LOCALES:
                    raise RulePackError(f"{path}: statement {key!r}: unknown locale {loc!r}")
    try:
        lib = Disclosures.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise RulePackError(f"{path}: {where}: {err['msg']}") from None
    return lib.model_copy(update={"sha256": hashlib.sha256(raw).hexdigest()})
