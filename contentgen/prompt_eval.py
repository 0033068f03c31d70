"""Prompt evaluation: run a prompt version's eval briefs through a model and score every draft.

    cases = load_cases(pf)                                   # prompts/evals/<id>.yaml + front matter
    run = Evaluator(settings, handle).evaluate(pf, cases)    # drafts, checks, variant Jaccard
    run.summary()["checks"]["grounded"]["rate"]

What is measured is the prompt's own first answer: no compliance rewrite round trips (those
would hide what the prompt gets wrong). Checks are in prompt_eval_checks.py, the judge rubric in
prompt_eval_judge.py; storing runs and promotion are the library's and contentgen.usecases.prompt_promotion's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from contentgen import prompt_eval_checks as checks
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ContentgenError, PromptError, validation_message
from contentgen.kernel.schemas import CONTENT_MODELS, Brief, ModelInfo, content_text
from contentgen.prompt_file import PromptFile
from contentgen.prompt_meta import EvalSpec

EVALS_DIR = "evals"


@dataclass(frozen=True)
class EvalCase:
    """One eval brief of a prompt id, drafted `variants` times."""

    name: str
    brief: Brief
    variants: int
    allowed_claims: tuple[str, ...] = ()
    source: str = ""


def evals_path(root: Path, prompt_id: str) -> Path:
    """prompts/evals/<content type>/<name>.yaml: shared by every version of the id."""
    return root / EVALS_DIR / f"{prompt_id}.yaml"


def load_cases(pf: PromptFile, root: Path | None = None) -> list[EvalCase]:
    """The eval briefs of a prompt version: its id's evals file, then its own front matter `evals:`."""
    root = root or pf.path.parents[len(pf.id.split("/")) - 1]
    path = evals_path(root, pf.id)
    specs: list[tuple[str, Any]] = []
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise PromptError(f"{path}: invalid YAML: {getattr(e, 'problem', e)}") from None
        items = data.get("evals") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise PromptError(f"{path}: expected a mapping with an `evals:` list")
        specs += [(str(path), item) for item in items]
    specs += [(f"{pf.path} (front matter)", spec.model_dump()) for spec in pf.meta.evals]
    cases, names = [], set()
    for where, item in specs:
        try:
            spec = EvalSpec.model_validate(item)
        except ValidationError as e:
            raise PromptError(f"{where}: eval brief: {validation_message(e)}") from None
        if spec.name in names:
            raise PromptError(f"{where}: eval brief {spec.name!r} is defined twice")
        names.add(spec.name)
        try:
            brief = pf.sample_brief(**spec.brief)
        except ContentgenError as e:
            raise PromptError(f"{where}: eval brief {spec.name!r}: {e}") from None
        misfit = pf.misfits(brief)
        if misfit:
            raise PromptError(f"{where}: eval brief {spec.name!r} is outside {pf.id}'s scope: {', '.join(misfit)}")
        cases.append(EvalCase(spec.name, brief, spec.variants, tuple(spec.allowed_claims), where))
    return cases


def cases_fingerprint(cases: list[EvalCase]) -> str:
    """sha256 of the eval briefs: two runs compare only when they drafted the same briefs."""
    canon = [[c.name, c.brief.model_dump(mode="json"), c.variants, list(c.allowed_claims)] for c in cases]
    return hashlib.sha256(json.dumps(canon, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def file_fingerprint(pf: PromptFile) -> str:
    """sha256 of the prompt file without its `status:` line: promotion does not make it a new prompt."""
    lines = pf.path.read_bytes().splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == b"---"), 0)
    kept = [ln for i, ln in enumerate(lines) if not (0 < i < end and ln.startswith(b"status:"))]
    return hashlib.sha256(b"".join(kept)).hexdigest()


@dataclass
class DraftResult:
    """One variant of one eval brief: its checks, and the judge's scores when asked."""

    case: str
    locale: str
    variant: int
    text: str = ""
    checks: dict[str, bool | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # no draft at all (transport failure, never a valid answer)
    judge: dict[str, Any] | None = None
    judge_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class EvalRun:
    """One prompt version evaluated on one model."""

    prompt_id: str
    version: str
    status: str
    fingerprint: str
    briefs: str
    model: ModelInfo
    drafts: list[DraftResult] = field(default_factory=list)
    jaccard: dict[str, float] = field(default_factory=dict)  # eval brief name → mean pairwise Jaccard
    judge: str = "off"

    @property
    def model_key(self) -> str:
        return f"{self.model.provider}:{self.model.name}"

    def summary(self) -> dict[str, Any]:
        locales = {d.case: d.locale for d in self.drafts}
        return summarize(self.drafts, [(locales.get(k, ""), v) for k, v in self.jaccard.items()], self.judge)


def _rate(results: list[bool | None]) -> dict[str, Any]:
    scored = [r for r in results if r is not None]
    passed = sum(1 for r in scored if r)
    return {"passed": passed, "applicable": len(scored), "rate": round(passed / len(scored), 4) if scored else None}


def _mean(values: list[float]) -> float | None:
    return round(statistics.mean(values), 4) if values else None


def summarize(drafts: list[DraftResult], jaccard: list[tuple[str, float]], judge: str = "off") -> dict[str, Any]:
    """Pass rate of every check, mean variant Jaccard and judge means: overall and per locale."""
    def block(ds: list[DraftResult], js: list[float]) -> dict[str, Any]:
        return {"drafts": len(ds), "no_draft": sum(1 for d in ds if d.error),
                "checks": {c: _rate([d.checks.get(c) for d in ds]) for c in checks.CHECKS},
                "jaccard": _mean(js)}

    out = block(drafts, [j for _, j in jaccard])
    out["locales"] = {loc: block([d for d in drafts if d.locale == loc], [j for lo, j in jaccard if lo == loc])
                      for loc in sorted({d.locale for d in drafts})}
    judged = [d.judge for d in drafts if d.judge]
    out["judge"] = {
        "status": judge, "scored": len(judged),
        "malformed": sum(1 for d in drafts if d.judge_error and d.judge_error.startswith("malformed")),
        "failed": sum(1 for d in drafts if d.judge_error and not d.judge_error.startswith("malformed")),
        "means": {c: _mean([float(j[c]["score"]) for j in judged]) for c in _criteria()} if judged else {},
    }
    return out


def _criteria() -> tuple[str, ...]:
    from contentgen.prompt_eval_judge import CRITERIA

    return CRITERIA


def draft_messages(pf: PromptFile, brief: Brief, variant: int, variants: int) -> list[BaseMessage]:
    """The messages generation sends for this variant: system, few-shot pairs, user."""
    rendered = pf.render(brief, variant=variant, variants=variants)
    out: list[BaseMessage] = [SystemMessage(rendered.system)]
    for user, assistant in rendered.few_shot:
        out += [HumanMessage(user), AIMessage(assistant)]
    out.append(HumanMessage(rendered.user))
    return out


class Evaluator:
    """Drafts every eval brief of a prompt version with one model and scores the drafts."""

    def __init__(self, settings: Settings, handle: Any, *, judge_handle: Any = None, concurrency: int = 4):
        from contentgen.compliance import load_packs

        self.settings, self.handle, self.judge_handle = settings, handle, judge_handle
        self.packs = load_packs(settings.rules_dir)  # one rule set for every draft of the run
        self.concurrency = max(1, concurrency)

    def evaluate(self, pf: PromptFile, cases: list[EvalCase],
                 on_draft: Callable[[DraftResult], None] | None = None) -> EvalRun:
        return asyncio.run(self.aevaluate(pf, cases, on_draft))

    async def aevaluate(self, pf: PromptFile, cases: list[EvalCase],
                        on_draft: Callable[[DraftResult], None] | None = None) -> EvalRun:
        if not cases:
            raise PromptError(f"{pf.id} has no eval briefs; add {evals_path(Path('prompts'), pf.id)} "
                              "or an `evals:` list in its front matter")
        gate = asyncio.Semaphore(self.concurrency)
        texts: dict[str, dict[int, str]] = {}

        async def one(case: EvalCase, variant: int) -> DraftResult:
            async with gate:
                result = await self._draft(pf, case, variant)
            if result.error is None:
                texts.setdefault(case.name, {})[variant] = result.text
            if on_draft is not None:
                on_draft(result)
            return result

        jobs = [one(c, v) for c in cases for v in range(1, c.variants + 1)]
        drafts = list(await asyncio.gather(*jobs))
        jaccard = {}
        for case in cases:
            got = [texts.get(case.name, {}).get(v, "") for v in range(1, case.variants + 1)]
            value = checks.distinctness([t for t in got if t], case.brief.locale) if case.variants > 1 else None
            if value is not None and len([t for t in got if t]) > 1:
                jaccard[case.name] = round(value, 4)
        judge = "off" if self.judge_handle is None else f"{self.judge_handle.info.provider}:{self.judge_handle.info.name}"
        return EvalRun(pf.id, pf.version, pf.status, file_fingerprint(pf), cases_fingerprint(cases),
                       self.handle.info, drafts, jaccard, judge)

    async def _draft(self, pf: PromptFile, case: EvalCase, variant: int) -> DraftResult:
        from contentgen.compliance import check_brief
        from contentgen.kernel.errors import ProviderError
        from contentgen.providers.structured import ainvoke_structured

        brief = case.brief
        out = DraftResult(case.name, brief.locale, variant)
        schema = CONTENT_MODELS[pf.output_schema]
        try:
            res = await ainvoke_structured(self.handle, draft_messages(pf, brief, variant, case.variants),
                                           schema, seed=variant)
        except ProviderError as e:
            out.error = self._redact(str(e))
            score = checks.failed_all(f"no draft: {out.error}")
            out.checks, out.problems = score.checks, score.problems
            return out
        out.text = content_text(res.value)
        report = check_brief(res.value, brief, packs=self.packs)
        schema_ok = not any(a.purpose == "repair" for a in res.attempts)
        score = checks.score(brief, res.value, report, schema_ok=schema_ok, allowed_claims=case.allowed_claims)
        out.checks, out.problems = score.checks, score.problems
        if self.judge_handle is not None:
            from contentgen.prompt_eval_judge import ajudge

            verdict, out.judge_error = await ajudge(self.judge_handle, brief, out.text,
                                                    self.settings.openai_api_key)
            out.judge = verdict.as_dict() if verdict else None
        return out

    def _redact(self, text: str) -> str:
        key = self.settings.openai_api_key
        return text.replace(key, "***") if key else text
