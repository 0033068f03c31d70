"""check_text and check_content: pick the packs in scope, normalise once, scan, report."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from contentgen import vocab
from contentgen.compliance.matcher import Context, compile_pack, in_scope
from contentgen.compliance.normalize import family, normalize
from contentgen.compliance.packs import RulePack, load_packs
from contentgen.compliance.report import ComplianceReport, Finding, PackRef
from contentgen.errors import UsageError, check_identifier

# An official-account article is at most 20,000 characters; ten times that is not content.
MAX_CHARS = 200_000
ALL_KINDS = frozenset({"terms", "substitution", "pattern", "requires", "length", "pii"})
_FIELD_KINDS = ALL_KINDS - {"requires"}
_REQUIRES = frozenset({"requires"})
# C0/C1 control characters other than tab, newline, carriage return, form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def validate_text(text: str, what: str = "input") -> None:
    """Refuse what is not content: empty, too long, or binary."""
    if not isinstance(text, str):
        raise UsageError(f"{what} must be text, not {type(text).__name__}")
    if not text.strip():
        raise UsageError(f"{what} is empty; give the text to check")
    if len(text) > MAX_CHARS:
        raise UsageError(f"{what} is {len(text):,} characters; the limit is {MAX_CHARS:,} (split it)")
    bad = _CONTROL.search(text)
    if bad:
        raise UsageError(
            f"{what} contains control character U+{ord(bad.group()):04X} at character {bad.start()}; "
            "is it a binary file? Give plain UTF-8 text"
        )


def _context(locale: str, industry: str | None, channel: str | None,
             content_type: str | None, segment: str | None) -> Context:
    check_identifier("locale", locale, vocab.LOCALES)
    if industry is not None:
        check_identifier("industry", industry, vocab.INDUSTRIES)
    if channel is not None:
        check_identifier("channel", channel, vocab.CHANNELS)
    if content_type is not None:
        check_identifier("content type", content_type, vocab.CONTENT_TYPES)
    if segment is not None:
        check_identifier("segment", segment, vocab.SEGMENTS)
    return Context(locale, industry, channel, content_type, segment)


def _packs(packs: list[RulePack] | None, rules_dir: Path | str | None) -> list[RulePack]:
    if packs is not None:
        return packs
    if rules_dir is None:
        from contentgen.config import Settings

        rules_dir = Settings.load().rules_dir
    return load_packs(rules_dir)


# (context, ids of the packs given) → (those packs, kept alive so the ids stay theirs; the ones
# in scope; their PackRef fields): worked out once per pack set and context, not per text.
_SCOPED: dict[tuple[Context, tuple[int, ...]], tuple[tuple[RulePack, ...], list[RulePack], list[dict[str, str]]]] = {}


def packs_in_scope(packs: Iterable[RulePack], ctx: Context) -> list[RulePack]:
    return list(_scoped(tuple(packs), ctx)[0])


def _scoped(packs: tuple[RulePack, ...], ctx: Context) -> tuple[list[RulePack], list[dict[str, str]]]:
    key = (ctx, tuple(map(id, packs)))
    hit = _SCOPED.get(key)
    if hit is None:
        scoped = [p for p in packs if ctx.locale in p.locales and in_scope(p.scope, ctx, "terms")]
        refs = [{"id": p.id, "version": p.version, "sha256": p.sha256} for p in scoped]
        if len(_SCOPED) > 256:
            _SCOPED.clear()
        hit = _SCOPED[key] = (packs, scoped, refs)
    return hit[1], hit[2]


def _report(findings: list[Finding], refs: list[dict[str, str]], ctx: Context) -> ComplianceReport:
    findings.sort(key=lambda f: (f.field or "", f.start, f.end, f.rule))
    return ComplianceReport(
        verdict=ComplianceReport.verdict_for(findings),
        findings=findings,
        packs=[PackRef(**r) for r in refs],
        locale=ctx.locale,
        industry=ctx.industry,
        channel=ctx.channel,
    )


def scan(text: str, ctx: Context, packs: list[RulePack], kinds: frozenset[str] = ALL_KINDS) -> list[Finding]:
    """Findings of the given packs on one text, in one context (no input validation)."""
    fam = family(ctx.locale)
    nt = normalize(text, fam)  # once for all packs
    if len(packs) == 1:
        return compile_pack(packs[0], fam).scan(nt, ctx, kinds)
    findings: list[Finding] = []
    for pack in packs:
        findings += compile_pack(pack, fam).scan(nt, ctx, kinds)
    return findings


def check_text(
    text: str,
    *,
    locale: str,
    industry: str | None = None,
    channel: str | None = None,
    content_type: str | None = None,
    segment: str | None = None,
    packs: list[RulePack] | None = None,
    rules_dir: Path | str | None = None,
) -> ComplianceReport:
    """Check one text; findings' start/end are offsets into `text` as given."""
    ctx = _context(locale, industry, channel, content_type, segment)
    validate_text(text)
    scoped, refs = _scoped(tuple(_packs(packs, rules_dir)), ctx)
    return _report(scan(text, ctx, scoped), refs, ctx)


def check_content(
    content: BaseModel,
    *,
    locale: str,
    industry: str,
    channel: str,
    content_type: str,
    segment: str | None = None,
    packs: list[RulePack] | None = None,
    rules_dir: Path | str | None = None,
) -> ComplianceReport:
    """Check a draft field by field; `requires` rules look at all fields together."""
    from contentgen.schemas import content_fields

    ctx = _context(locale, industry, channel, content_type, segment)
    fields = content_fields(content)
    for name, value in fields.items():
        if value:
            validate_text(value, f"field {name!r}")
    whole = "\n".join(v for v in fields.values() if v)
    validate_text(whole, "content")
    scoped, refs = _scoped(tuple(_packs(packs, rules_dir)), ctx)
    findings: list[Finding] = []
    for name, value in fields.items():
        if value:
            fctx = Context(ctx.locale, ctx.industry, ctx.channel, ctx.content_type, ctx.segment, name)
            findings += scan(value, fctx, scoped, _FIELD_KINDS)
    findings += scan(whole, ctx, scoped, _REQUIRES)
    return _report(findings, refs, ctx)
