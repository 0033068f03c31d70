"""The model judge: a semantic second opinion after the rules, only when a real model is configured.

    judge = Judge(Settings.load())
    report = judge.review(text, check_text(text, locale="zh-CN", industry="finance"))
    report.judge   # "used (2 findings)", "off (no model configured: ...)" or "failed: <reason>"

Wording rules cannot see implied guarantees, projections or misleading comparisons; the judge
asks the configured ChatOpenAI (same construction and retry policy as generation) to list them.
Its findings are `source="judge"`, at most warnings: one becomes an error only when a rule
finding of the same category overlaps it ("confirmed"), so the exit code and the verdict never
rest on the model alone. A judge that is off or fails leaves the rule findings as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from contentgen.compliance.judge_prompt import (
    MAX_PROBLEMS,
    build_messages,
    categories_for,
    category_of,
    rule_categories,
)
from contentgen.compliance.pack_loading import load_packs
from contentgen.compliance.packs import RulePack
from contentgen.kernel.config import Settings
from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.providers import ModelHandle, RetryPolicy, get_model
from contentgen.providers.retry import describe
from contentgen.providers.structured import ainvoke_structured, invoke_structured

OFF = "off (no model configured: set OPENAI_API_KEY)"
# An official-account article is at most 20,000 characters; the judge reviews no more than that.
MAX_JUDGE_CHARS = 20_000
# Control characters, zero-width and bidi overrides: a model's words are printed on terminals,
# where these could rewrite or hide what a reviewer sees.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

__all__ = ["MAX_JUDGE_CHARS", "OFF", "Judge", "JudgeAnswer", "JudgeProblem", "judge_text", "locate"]


class JudgeProblem(BaseModel):
    """One problem the model sees: where (a quote), what (category), why, under which law."""

    category: str = Field(description="one of the category names given")
    quote: str = Field(description="exact substring of the text under review")
    legal_basis: str = Field(default="", description="law and article")
    rationale: str = Field(description="why this is a problem, in the language of the text")
    severity_suggested: str = Field(default="warning", description="warning or info")


class JudgeAnswer(BaseModel):
    """The model's whole answer (unknown keys are ignored: they carry no authority)."""

    problems: list[JudgeProblem] = Field(default_factory=list, description=f"at most {MAX_PROBLEMS}")


def _clean(value: str, limit: int) -> str:
    """One printable line of at most limit characters."""
    text = " ".join(_UNPRINTABLE.sub(" ", value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _squeezed(text: str) -> tuple[str, list[int]]:
    """The text without whitespace, and each kept character's offset in the original."""
    offsets = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[i] for i in offsets), offsets


def locate(quote: str, parts: dict[str | None, str]) -> tuple[str | None, int, int] | None:
    """(field, start, end) of quote in the parts: verbatim first, then ignoring whitespace."""
    if not quote.strip():
        return None
    for name, text in parts.items():
        at = text.find(quote)
        if at >= 0:
            return name, at, at + len(quote)
    bare = "".join(quote.split())
    for name, text in parts.items():
        squeezed, offsets = _squeezed(text)
        at = squeezed.find(bare)
        if at >= 0:
            return name, offsets[at], offsets[at + len(bare) - 1] + 1
    return None


def _overlaps(f: Finding, field: str | None, start: int, end: int) -> bool:
    return f.field == field and f.start < end and start < f.end


def _status(report: ComplianceReport, status: str) -> ComplianceReport:
    return report.model_copy(update={"judge": status})


@dataclass
class _Review:
    """One review's inputs, prepared before the model is asked, and how its answer is applied."""

    report: ComplianceReport
    parts: dict[str | None, str]
    messages: list[BaseMessage]
    categories: list[str]
    by_rule: dict[str, str]

    def apply(self, answer: BaseModel) -> ComplianceReport:
        """The report with the judge's findings, or 'failed: …' when the answer cannot be used."""
        problems = answer.problems if isinstance(answer, JudgeAnswer) else []
        if len(problems) > MAX_PROBLEMS:
            return _status(self.report, f"failed: the model listed {len(problems):,} problems; at most "
                                        f"{MAX_PROBLEMS} are accepted, so its answer was discarded")
        rule_findings = [(f, category_of(f, self.by_rule)) for f in self.report.findings if f.source == "rule"]
        found: list[Finding] = []
        seen: set[tuple[str, str | None, int, int]] = set()
        missing = capped = unknown = 0
        for p in problems:
            category = p.category.strip()
            if category not in self.categories:
                category, unknown = "other", unknown + 1
            where = locate(p.quote, self.parts)
            if where is None:
                missing += 1
            field, start, end = where if where is not None else (None, 0, 0)
            if (category, field, start, end) in seen:
                continue
            seen.add((category, field, start, end))
            suggested = p.severity_suggested.strip().lower()
            capped += suggested == "error"
            rationale = _clean(p.rationale, 1000) or "the model gave no reason"
            # Only a quote found in the text can be confirmed: an invented one points nowhere.
            confirmed = None if where is None else next(
                (f for f, cat in rule_findings if cat == category and _overlaps(f, field, start, end)), None)
            if confirmed is not None:
                rationale += f" (confirmed by {confirmed.rule})"
            found.append(Finding(
                rule=f"judge.{category}",
                severity="error" if confirmed else ("info" if suggested == "info" else "warning"),
                start=start, end=end,
                match=self.parts[field][start:end] if where is not None else "",
                message=rationale, reference=_clean(p.legal_basis, 300) or None,
                field=field, source="judge", category=category,
            ))
        if problems and missing == len(problems):
            return _status(self.report, f"failed: none of the model's {len(problems)} quote(s) occurs "
                                        "in the text, so its answer was discarded")
        notes = [f"{len(found)} finding(s)"]
        if missing:
            notes.append(f"{missing} quote(s) not found in the text, kept at 0..0")
        if capped:
            notes.append(f"{capped} 'error' severity claim(s) capped to warning")
        if unknown:
            notes.append(f"{unknown} unknown categor{'y' if unknown == 1 else 'ies'} filed as other")
        findings = sorted([*self.report.findings, *found], key=lambda f: (f.field or "", f.start, f.end, f.rule))
        return self.report.model_copy(update={
            "findings": findings,
            "verdict": ComplianceReport.verdict_for(findings),
            "judge": f"used ({'; '.join(notes)})",
        })


class Judge:
    """Reviews texts with the configured real model; off, and never failing a check, without one."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        packs: list[RulePack] | None = None,
        rules_dir: Path | str | None = None,
        handle: ModelHandle | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.settings = settings or Settings.load()
        self._packs, self._rules_dir = packs, rules_dir
        if handle is None and not self.settings.offline:
            # A reviewer should say the same thing twice: temperature 0.
            handle = get_model(self.settings, temperature=0.0, timeout=timeout, retry=retry)
        # The offline model writes drafts; it has no opinion to give, so it means "off".
        self.handle = None if handle is None or handle.info.offline else handle

    @property
    def configured(self) -> bool:
        return self.handle is not None

    def packs(self) -> list[RulePack]:
        if self._packs is None:
            self._packs = load_packs(self._rules_dir or self.settings.rules_dir)
        return self._packs

    def _prepare(self, parts: dict[str | None, str], report: ComplianceReport,
                 product_type: str | None) -> _Review | ComplianceReport:
        """The review to run, or the report already carrying 'off' / 'failed: …'."""
        if self.handle is None:
            return _status(report, OFF)
        text = "\n".join(parts.values())
        if len(text) > MAX_JUDGE_CHARS:
            return _status(report, f"failed: the text is {len(text):,} characters; the judge reviews "
                                   f"at most {MAX_JUDGE_CHARS:,} (split it)")
        try:
            ids = {ref.id for ref in report.packs}
            scoped = [p for p in self.packs() if p.id in ids]
        except Exception as e:  # a broken pack must not turn a judge problem into a failed check
            return _status(report, f"failed: {self._reason(e)}")
        categories = categories_for(scoped)
        messages = build_messages(
            text, locale=report.locale or "zh-CN", industry=report.industry, channel=report.channel,
            product_type=product_type or report.product_type, packs=scoped, categories=categories,
        )
        return _Review(report, parts, messages, categories, rule_categories(scoped))

    def _reason(self, exc: BaseException) -> str:
        reason = str(exc) if str(exc) else describe(exc)
        key = self.settings.openai_api_key
        if key:  # servers echo keys back in auth errors; reports are stored and printed
            reason = reason.replace(key, "***")
        return _clean(reason, 400)

    def _failed(self, report: ComplianceReport, exc: BaseException) -> ComplianceReport:
        return _status(report, f"failed: {self._reason(exc)}")

    def _run(self, parts: dict[str | None, str], report: ComplianceReport,
             product_type: str | None) -> ComplianceReport:
        job = self._prepare(parts, report, product_type)
        if isinstance(job, ComplianceReport):
            return job
        assert self.handle is not None
        try:
            res = invoke_structured(self.handle, job.messages, JudgeAnswer)
        except Exception as e:  # transport and answer failures alike degrade to "failed"
            return self._failed(report, e)
        return job.apply(res.value)

    async def _arun(self, parts: dict[str | None, str], report: ComplianceReport,
                    product_type: str | None) -> ComplianceReport:
        job = self._prepare(parts, report, product_type)
        if isinstance(job, ComplianceReport):
            return job
        assert self.handle is not None
        try:
            res = await ainvoke_structured(self.handle, job.messages, JudgeAnswer)
        except Exception as e:
            return self._failed(report, e)
        return job.apply(res.value)

    def review(self, text: str, report: ComplianceReport, *, product_type: str | None = None) -> ComplianceReport:
        """The rule report of `text` with the judge's findings and status added."""
        return self._run({None: text}, report, product_type)

    async def areview(self, text: str, report: ComplianceReport, *,
                      product_type: str | None = None) -> ComplianceReport:
        return await self._arun({None: text}, report, product_type)

    async def areview_content(self, content: BaseModel, report: ComplianceReport, *,
                              product_type: str | None = None) -> ComplianceReport:
        """A draft's report with judge findings placed in the fields their quotes come from."""
        return await self._arun(_fields(content), report, product_type)

    def review_content(self, content: BaseModel, report: ComplianceReport, *,
                       product_type: str | None = None) -> ComplianceReport:
        return self._run(_fields(content), report, product_type)


def _fields(content: BaseModel) -> dict[str | None, str]:
    from contentgen.kernel.schemas import content_fields

    return {name: value for name, value in content_fields(content).items() if value}


def judge_text(text: str, report: ComplianceReport, *, settings: Settings | None = None,
               packs: Sequence[RulePack] | None = None, product_type: str | None = None) -> ComplianceReport:
    """One-off: `report` (from check_text on `text`) with the judge's opinion added."""
    return Judge(settings, packs=list(packs) if packs is not None else None).review(
        text, report, product_type=product_type)
