"""The generation pipeline: brief → prompt → model → schema → compliance (→ rewrite) → Draft.

One draft is one variant of one brief. A batch runs drafts concurrently under a bound; each
draft's failure is isolated and reported with its reason, and every finished draft is kept.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tracers.context import register_configure_hook
from pydantic import BaseModel

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ChannelLimitError, ContentgenError, ProviderError
from contentgen.kernel.exemplars import Exemplars
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import (
    CONTENT_MODELS,
    Attempt,
    Brief,
    Draft,
    channel_problems,
    content_text,
)
from contentgen.kernel.vocab import LOCALES

log = logging.getLogger("contentgen.generate")

MAX_REWRITES = 2  # compliance rewrites per draft: "once or twice", then it stays blocked and says why
# What the CLI and the UI give one draft (every round trip, retry and rewrite) by default: a
# real model with two rewrites fits well inside; a server that never answers fails here.
DEFAULT_DRAFT_DEADLINE_S = 120.0
LESSONS_TTL_S = 300.0  # what worked before, per audience, is looked up again after this


@dataclass(frozen=True)
class Job:
    """One variant of one brief; `key` makes reruns idempotent."""

    brief: Brief
    variant: int = 1
    variants: int = 1
    source: str = ""  # where the brief came from (file:line), for error messages

    @property
    def key(self) -> str:
        return f"{self.brief.key()}-v{self.variant}"


@dataclass
class Failure:
    """A job that produced no draft, and why."""

    key: str
    variant: int
    brief: dict[str, Any] | None
    error: str
    source: str = ""
    attempts: list[Attempt] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "variant": self.variant,
            "source": self.source,
            "error": self.error,
            "brief": self.brief,
            "attempts": [a.model_dump(mode="json") for a in self.attempts],
        }


@dataclass(repr=False)
class BatchResult:
    drafts: list[Draft] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    elapsed_s: float = 0.0

    def __repr__(self) -> str:
        # asyncio.run reprs the finished main task (so its result) when it restores the SIGINT
        # handler; the default repr of 500 drafts costs ~0.1 s there, twice.
        return f"BatchResult({len(self.drafts)} drafts, {len(self.failures)} failures, {self.elapsed_s:.2f}s)"


class _LaunchGate(BaseCallbackHandler):
    """Lets one draft at a time run its CPU work up to the moment its model request starts.

    Without it the in-flight drafts convoy: LangChain's ainvoke yields to the loop several
    times before the request goes out, so every draft that woke together renders, then all
    of them start their requests at once, wait together, wake together — and each wave costs
    the latency plus everyone's CPU. Gated, a draft's request starts right after its own CPU
    work, requests spread out, and CPU overlaps with the other drafts' waiting.
    Every `ModelHandle.chat` is a BaseChatModel, so the callback fires; a draft that fails
    before its request lets go when it ends.
    """

    run_inline = True  # called in the loop, not in an executor thread

    def __init__(self, lock: asyncio.Lock) -> None:
        self.lock, self.held, self.turn = lock, False, 0

    async def acquire(self) -> None:
        await self.lock.acquire()
        self.held, self.turn = True, self.turn + 1

    def release(self, turn: int | None = None) -> None:
        if self.held and turn in (None, self.turn):
            self.held = False
            self.lock.release()

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID, **kw: Any
    ) -> None:
        # LangChain starts the request in a new task right after this callback; let go one loop
        # turn later, so that task runs before the next draft's CPU work.
        asyncio.get_running_loop().call_soon(self.release, self.turn)


# Each batch worker sets its own gate; LangChain adds it to every model call made in that task.
_launch_gate: ContextVar[_LaunchGate | None] = ContextVar("contentgen_launch_gate", default=None)
register_configure_hook(_launch_gate, inheritable=True)


def jobs_for(brief: Brief, variants: int, source: str = "") -> list[Job]:
    if not 1 <= variants <= 20:
        raise ContentgenError(f"variants must be between 1 and 20, not {variants}")
    return [Job(brief, v, variants, source) for v in range(1, variants + 1)]


class Generator:
    """Generates drafts with one model handle, prompt catalog and rule set."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        handle: Any = None,
        catalog: Any = None,
        max_rewrites: int = MAX_REWRITES,
        seed: int | None = None,
        judge: bool = False,
        deadline_s: float | None = None,
        lessons: Callable[[Brief], Exemplars | None] | None = None,
    ) -> None:
        from contentgen.compliance import check_text, load_packs
        from contentgen.compliance.judge import Judge
        from contentgen.prompts import PromptCatalog
        from contentgen.providers import get_model

        self.settings = settings or Settings.load()
        self.catalog = catalog or PromptCatalog.load(self.settings.prompts_dir)
        # One rule set for the whole batch: every draft is checked against the same pack versions.
        self.packs = load_packs(self.settings.rules_dir)
        # The matcher builds its normalisation tables on first use (~0.1 s, once per process):
        # pay it while loading, not inside the first draft where it stalls the whole batch.
        for locale in LOCALES:
            check_text("ok", locale=locale, packs=self.packs)
        self.handle = handle or get_model(self.settings)
        self.max_rewrites = max_rewrites
        self.seed = seed
        # The model judge's second opinion on each final draft; its status is in the report.
        self.judge = Judge(self.settings, packs=self.packs) if judge else None
        # Whole-draft deadline (every round trip, retry and rewrite): a server that never answers
        # fails the draft after this, not after attempts x the HTTP timeout. None: no deadline.
        self.deadline_s = deadline_s
        # What worked before with a brief's audience (usecases.learning gives it from the
        # library's outcomes): shown to the model, recorded in the draft. None: generation
        # does not learn (the --no-learn flag).
        self.lessons = lessons
        self._lessons: dict[tuple[str, ...], tuple[float, Exemplars | None]] = {}

    def lessons_for(self, brief: Brief) -> Exemplars | None:
        """What worked before for the brief's industry × segment × content type × locale, looked
        up once per audience and again after LESSONS_TTL_S (a worker's generator lives for many
        batches: a version the rescan withdrew, or new outcomes, show within minutes)."""
        if self.lessons is None:
            return None
        audience = (brief.industry, brief.segment, brief.content_type, brief.locale)
        hit = self._lessons.get(audience)
        if hit is None or time.monotonic() - hit[0] > LESSONS_TTL_S:
            hit = self._lessons[audience] = (time.monotonic(), self.lessons(brief) or None)
        return hit[1]

    async def draft(self, job: Job) -> Draft:
        """Generate, validate and check one variant; raise ProviderError with attempts on failure."""
        return await self._bounded(job, self.deadline_s, None)

    async def _bounded(self, job: Job, limit: float | None, batch_s: float | None) -> Draft:
        """_draft under a deadline of `limit` seconds; batch_s names the batch deadline it serves."""
        attempts: list[Attempt] = []
        if limit is None:
            return await self._draft(job, attempts)
        deadline = asyncio.timeout(limit)
        try:
            async with deadline:
                return await self._draft(job, attempts)
        except TimeoutError:
            if not deadline.expired():
                raise  # a timeout from inside, not ours: it says what it is
            why = (f"the batch deadline of {batch_s:g} s passed before this draft was done"
                   if batch_s is not None else
                   f"no draft within its deadline of {limit:g} s (the model server did not answer in time)")
            raise ProviderError(why, attempts=attempts) from None

    async def _draft(self, job: Job, attempts: list[Attempt]) -> Draft:
        """draft without a deadline; `attempts` fills as rounds complete, so a timeout keeps them."""
        from contentgen.compliance import check_brief, rewrite_instructions
        from contentgen.providers.structured import ainvoke_structured

        brief = job.brief
        started = time.perf_counter()
        pf = self.catalog.resolve(brief)
        learned = self.lessons_for(brief)
        rendered = pf.render(brief, variant=job.variant, variants=job.variants, exemplars=learned)
        schema = CONTENT_MODELS[brief.content_type]
        messages: list[BaseMessage] = [SystemMessage(rendered.system)]
        for user, assistant in rendered.few_shot:
            messages += [HumanMessage(user), AIMessage(assistant)]
        messages.append(HumanMessage(rendered.user))
        seed = (self.seed or 0) * 1000 + job.variant

        report: ComplianceReport | None = None
        content: BaseModel | None = None
        for round_no in range(self.max_rewrites + 1):
            try:
                res = await ainvoke_structured(self.handle, messages, schema, seed=seed)
            except ProviderError as e:
                e.attempts = [*attempts, *e.attempts]
                raise
            if round_no:  # every round trip of this round answered the rewrite request
                answered = [f.rule for f in report.findings] if report else []
                for a in res.attempts:
                    if a.purpose == "generate":
                        a.purpose, a.findings = "rewrite", answered
            attempts.extend(res.attempts)
            content = res.value
            report = check_brief(content, brief, packs=self.packs)
            problems = channel_problems(content, brief.channel, brief.locale)
            if not report.blocked and not problems:
                break
            if round_no == self.max_rewrites:
                if problems:
                    raise ChannelLimitError(
                        f"draft still breaks {brief.channel} limits after {round_no} rewrites: "
                        + "; ".join(problems),
                        attempts=attempts,
                    )
                log.info("draft %s still blocked after %d rewrites", job.key, round_no)
                break
            instructions: list[dict[str, Any]] = rewrite_instructions(report) if report.blocked else []
            instructions += [{"rule": "channel_limit", "message": p} for p in problems]
            messages += [
                AIMessage(res.raw),
                HumanMessage(
                    "Rewrite the JSON answer without the problems below; keep the meaning, "
                    "the schema and the language.\n<rewrite>"
                    + json.dumps(instructions, ensure_ascii=False)
                    + "</rewrite>\n"
                    + rendered.user.splitlines()[-2]
                    + "\n"
                    + rendered.user.splitlines()[-1]
                ),
            ]
        assert content is not None and report is not None
        if self.judge is not None:
            report = await self.judge.areview_content(content, report)
        return Draft(
            key=job.key,
            variant=job.variant,
            brief=brief,
            content=content,  # type: ignore[arg-type]
            text=content_text(content),
            prompt_ref=rendered.prompt_ref,
            model=self.handle.info,
            parameters={**rendered.model_config, "seed": seed, "rewrites_allowed": self.max_rewrites,
                        **({"learned_from": learned.provenance()} if learned else {})},
            timing={"elapsed_ms": round((time.perf_counter() - started) * 1000, 1)},
            attempts=attempts,
            compliance=report,
        )

    async def run(
        self,
        jobs: Iterable[Job],
        *,
        concurrency: int = 8,
        on_done: Callable[[Draft | Failure], None] | None = None,
        deadline_s: float | None = None,
    ) -> BatchResult:
        """Run jobs with at most `concurrency` in flight; results keep the jobs' order.

        deadline_s bounds the whole batch: drafts still running then fail, drafts not started
        fail at once ("not started"); every finished draft is kept.
        """
        jobs = list(jobs)
        results: list[Draft | Failure | None] = [None] * len(jobs)
        todo = iter(enumerate(jobs))
        lock = asyncio.Lock()
        started = time.perf_counter()
        batch_end = None if deadline_s is None else started + deadline_s

        async def bounded(job: Job) -> Draft:
            if batch_end is None:
                return await self.draft(job)
            left = batch_end - time.perf_counter()
            if left <= 0:
                raise ProviderError(f"not started: the batch deadline of {deadline_s:g} s had passed")
            if self.deadline_s is not None and self.deadline_s <= left:
                return await self.draft(job)
            return await self._bounded(job, left, deadline_s)

        async def one(job: Job) -> Draft | Failure:
            try:
                return await bounded(job)
            except ContentgenError as e:
                return Failure(
                    job.key, job.variant, job.brief.model_dump(mode="json"), str(e), job.source,
                    list(getattr(e, "attempts", [])),
                )
            except Exception as e:  # noqa: BLE001 - one bad item must not sink the batch
                log.exception("draft %s failed", job.key)
                return Failure(
                    job.key, job.variant, job.brief.model_dump(mode="json"),
                    f"{type(e).__name__}: {e}", job.source,
                )

        async def worker() -> None:
            # `concurrency` workers pull jobs in order: the bound without 500 parked tasks.
            gate = _LaunchGate(lock)
            _launch_gate.set(gate)
            for i, job in todo:
                await gate.acquire()
                try:
                    outcome = await one(job)
                finally:
                    gate.release()  # a draft that failed before its request still lets go
                results[i] = outcome
                if on_done:
                    on_done(outcome)

        # Everything alive before the batch (LangChain, pydantic schemas, catalog, packs: ~150k
        # objects) is long-lived; a full collection rescanning it mid-batch stalls the loop for
        # ~0.1 s. Freeze it for the batch's duration, then hand it back to the collector.
        gc.freeze()
        try:
            await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(jobs))))))
        finally:
            gc.unfreeze()
        batch = BatchResult(elapsed_s=time.perf_counter() - started)
        for r in results:
            if isinstance(r, Draft):
                batch.drafts.append(r)
            elif isinstance(r, Failure):
                batch.failures.append(r)
        return batch

    def run_sync(self, jobs: Iterable[Job], **kw: Any) -> BatchResult:
        return asyncio.run(self.run(jobs, **kw))


def generate(brief: Brief, variants: int = 1, **kw: Any) -> BatchResult:
    """Convenience: all variants of one brief on the default model."""
    return Generator(**kw).run_sync(jobs_for(brief, variants))
