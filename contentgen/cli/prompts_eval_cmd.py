"""`contentgen prompts eval | promote | versions`: a thin wrapper over contentgen.prompt_eval*."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import PromptError, UsageError
from contentgen.prompt_eval_checks import AS_GOOD


def _settings(model: str | None, db: str | None) -> Settings:
    """--model offline forces the embedded model; any other name needs OPENAI_API_KEY."""
    settings = Settings.load(db=db, model=None if model == "offline" else model)
    if model == "offline":
        return dataclasses.replace(settings, openai_api_key=None)
    if model and settings.offline:
        raise UsageError(f"--model {model} needs OPENAI_API_KEY (and OPENAI_BASE_URL for other servers); "
                         "or use --model offline")
    return settings


def _targets(catalog: Any, prompt_id: str | None) -> list[Any]:
    """Prompt versions to evaluate: one pinned version, one id, ids under a prefix, or all."""
    if prompt_id is None:
        return list(catalog.files)
    if "@" in prompt_id or prompt_id in catalog.ids():
        return [catalog.get(prompt_id)]
    found = [f for f in catalog.files if f.id.startswith((prompt_id + ".", prompt_id.rstrip("/") + "/"))]
    if not found:
        raise PromptError(f"no prompt {prompt_id!r}; known: {', '.join(catalog.ids())}")
    return found


class _Runner:
    """Evaluates prompt versions, shows progress on stderr and stores each run."""

    def __init__(self, settings: Settings, judge: bool, concurrency: int, quiet: bool, store: bool):
        from contentgen.prompt_eval import Evaluator
        from contentgen.providers import get_model

        handle = get_model(settings, timeout=60.0)
        judge_handle = None
        if judge and handle.info.offline:
            click.echo("judge off: the offline model has no opinion to give; set OPENAI_API_KEY", err=True)
        elif judge:
            judge_handle = get_model(settings, temperature=0.0, timeout=60.0)
        self.evaluator = Evaluator(settings, handle, judge_handle=judge_handle, concurrency=concurrency)
        self.settings, self.quiet = settings, quiet
        self.lib: Any = None
        if store:
            from contentgen import usecases

            self.lib = usecases.open_library(settings.db_path)

    def run(self, pf: Any) -> tuple[Any, int | None]:
        from contentgen.prompt_eval import load_cases

        cases = load_cases(pf)
        total = sum(c.variants for c in cases)
        if self.quiet:
            run = self.evaluator.evaluate(pf, cases)
        else:
            with click.progressbar(length=total, label=f"{pf.id}@{pf.version}", file=sys.stderr,
                                   show_pos=True) as bar:
                run = self.evaluator.evaluate(pf, cases, on_draft=lambda _: bar.update(1))
        return run, self._store(run)

    def _store(self, run: Any) -> int | None:
        if self.lib is None:
            return None
        from contentgen.usecases.prompt_promotion import store_run

        return store_run(self.lib, run)

    def stored(self, pf: Any, model: str, briefs: str) -> Any:
        """The latest stored run of this exact file on this model and these briefs, if any."""
        if self.lib is None:
            return None
        from contentgen.usecases.prompt_promotion import stored_run

        return stored_run(self.lib, pf, model, briefs)


def _pct(rate: float | None) -> str:
    return "   n/a" if rate is None else f"{rate * 100:5.1f}%"


def _num(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def _print_summary(title: str, s: dict[str, Any]) -> None:
    from contentgen.prompt_eval_checks import CHECKS

    click.echo(title)
    locs = list(s["locales"])
    click.echo(f"  {'check':<15}{'all':>8}" + "".join(f"{loc:>8}" for loc in locs))
    for name in CHECKS:
        row = [s["checks"][name]["rate"]] + [s["locales"][loc]["checks"][name]["rate"] for loc in locs]
        click.echo(f"  {name:<15}" + "".join(f"{_pct(r):>8}" for r in row))
    row_j = [s["jaccard"]] + [s["locales"][loc]["jaccard"] for loc in locs]
    click.echo(f"  {'jaccard':<15}" + "".join(f"{_num(j):>8}" for j in row_j))
    judge = s["judge"]
    if judge["status"] != "off":
        means = ", ".join(f"{k} {v:.2f}" for k, v in judge["means"].items() if v is not None) or "no scores"
        click.echo(f"  judge {judge['status']}: {judge['scored']} scored, {judge['malformed']} malformed, "
                   f"{judge['failed']} failed; {means}")


def _print_compare(a: tuple[str, dict[str, Any]], b: tuple[str, dict[str, Any]]) -> None:
    from contentgen.prompt_eval_checks import CHECKS

    (la, sa), (lb, sb) = a, b
    click.echo(f"  {'':<22}{la:>16}{lb:>16}")
    for name in CHECKS:
        ra, rb = sa["checks"][name]["rate"], sb["checks"][name]["rate"]
        click.echo(f"  {name:<22}{_pct(ra):>16}{_pct(rb):>16}")
    click.echo(f"  {'jaccard':<22}{_num(sa['jaccard']):>16}{_num(sb['jaccard']):>16}")
    for c in sorted(set(sa["judge"]["means"]) | set(sb["judge"]["means"])):
        ja, jb = sa["judge"]["means"].get(c), sb["judge"]["means"].get(c)
        click.echo(f"  {'judge ' + c:<22}{_num(ja):>16}{_num(jb):>16}")


def _misses(s: dict[str, Any]) -> list[str]:
    from contentgen.usecases.prompt_promotion import target_shortfalls

    return target_shortfalls(s) + [f"{loc} Jaccard {v['jaccard']:.3f}" for loc, v in s["locales"].items()
                                   if v["jaccard"] is not None and v["jaccard"] >= 0.25]


@click.command("eval")
@click.argument("prompt_id", required=False)
@click.option("--model", default=None, help="offline, or a model name on the OpenAI-compatible server.")
@click.option("--compare", "compare", default=None, metavar="VERSION",
              help="Also show VERSION of the same id side by side (its stored run, else a new one).")
@click.option("--judge", is_flag=True, help="Score fluency and fit 1-5 with the real model (not offline).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--no-store", is_flag=True, help="Do not store the runs in the library.")
@click.option("--strict", is_flag=True, help="Exit 1 when a check is under 95% or a Jaccard is >= 0.25.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@format_option("text", "json")
@db_option
def eval_cmd(prompt_id: str | None, model: str | None, compare: str | None, judge: bool, concurrency: int,
             no_store: bool, strict: bool, quiet: bool, fmt: str, db: str | None) -> None:
    """Draft every eval brief of prompt versions and score the drafts; store each run.

    \b
    contentgen prompts eval                          # every production prompt, offline model
    contentgen prompts eval push/reactivation@candidate --compare 1.0.0
    contentgen prompts eval copy/ --model qwen-plus --judge --format json
    PROMPT_ID is an id (its production version), id@VERSION or id@candidate, or a prefix.
    Checks: schema, compliance, channel_limits, product, offer, grounded, repetition, segment,
    address; variants: mean pairwise character-4-gram Jaccard (target < 0.25).
    """
    from contentgen.prompt_eval import summarize
    from contentgen.prompts import PromptCatalog

    settings = _settings(model, db)
    catalog = PromptCatalog.load(settings.prompts_dir)
    targets = _targets(catalog, prompt_id)
    if compare and len(targets) != 1:
        raise UsageError("--compare needs one prompt id, e.g. prompts eval push/reactivation@candidate --compare 1.0.0")
    runner = _Runner(settings, judge, concurrency, quiet, store=not no_store)
    runs = [(pf, *runner.run(pf)) for pf in targets]
    out: dict[str, Any] = {"runs": [], "totals": None, "comparison": None}
    for pf, run, run_id in runs:
        out["runs"].append({"prompt_id": pf.id, "version": pf.version, "status": pf.status, "run_id": run_id,
                            "model": run.model_key, "summary": run.summary()})
    drafts = [d for _, run, _ in runs for d in run.drafts]
    locs = {d.case: d.locale for _, run, _ in runs for d in run.drafts}
    jac = [(locs.get(k, ""), v) for _, run, _ in runs for k, v in run.jaccard.items()]
    out["totals"] = summarize(drafts, jac, runs[0][1].judge)
    if compare:
        pf, run, _ = runs[0]
        other = catalog.version(pf.id, compare)
        stored = runner.stored(other, run.model_key, run.briefs)
        if stored is not None:
            theirs, their_id = stored.summary, stored.id
        else:
            other_run, their_id = runner.run(other)
            theirs = other_run.summary()
        out["comparison"] = {"a": {"version": pf.version, "status": pf.status, "summary": run.summary()},
                             "b": {"version": other.version, "status": other.status, "run_id": their_id,
                                   "summary": theirs}}
    misses = _misses(out["totals"])
    if fmt == "json":
        emit_json(out)
    else:
        for item in out["runs"]:
            where = f", run #{item['run_id']}" if item["run_id"] else ""
            _print_summary(f"{item['prompt_id']}@{item['version']} ({item['status']}) on {item['model']}: "
                           f"{item['summary']['drafts']} drafts{where}", item["summary"])
        if len(runs) > 1:
            _print_summary(f"all {len(runs)} prompts: {len(drafts)} drafts", out["totals"])
        if out["comparison"]:
            a, b = out["comparison"]["a"], out["comparison"]["b"]
            click.echo(f"compare {runs[0][0].id}:")
            _print_compare((f"{a['version']} ({a['status']})", a["summary"]),
                           (f"{b['version']} ({b['status']})", b["summary"]))
        click.echo(("targets met" if not misses else "below target: " + "; ".join(misses))
                   + " (every check >= 95%, Jaccard < 0.25 per locale)", err=True)
    if strict and misses:
        click.get_current_context().exit(1)


@click.command("promote", help=f"""Promote candidate VERSION of PROMPT_ID to production, on evidence.

\b
contentgen prompts eval push/reactivation@1.1.0
contentgen prompts promote push/reactivation 1.1.0 --as rita
Accepted only when the latest stored eval run of VERSION is at least as good as the current
production version's: {AS_GOOD}. With no production version, the run must meet the targets
(every check >= 95%, Jaccard < 0.25). Rewrites both files' status lines (the old production
version becomes retired) and records the promotion in the audit trail. Reviewers and admins
promote.""")
@click.argument("prompt_id")
@click.argument("version")
@click.option("--as", "as_user", required=True, help="Who promotes: a reviewer or admin.")
@click.option("--model", default=None, help="Compare runs on this model (default: the candidate's latest run's).")
@format_option("text", "json")
@db_option
def promote_cmd(prompt_id: str, version: str, as_user: str, model: str | None, fmt: str, db: str | None) -> None:
    from contentgen import usecases
    from contentgen.prompts import PromptCatalog
    from contentgen.usecases.prompt_promotion import promote

    settings = Settings.load(db=db)
    lib = usecases.open_library(settings.db_path)
    model_key = "offline:contentgen-offline-1" if model == "offline" else (f"openai:{model}" if model else None)
    done = promote(PromptCatalog.load(settings.prompts_dir), lib, prompt_id, version, actor=as_user,
                   model=model_key)
    if fmt == "json":
        emit_json(dataclasses.asdict(done))
        return
    was = f" (was {done.previous}, now retired)" if done.previous else ""
    click.echo(f"{done.prompt_id} {done.version} is production{was}; eval run #{done.candidate_run}"
               + (f" vs #{done.production_run}" if done.production_run else "") + f" on {done.model}")


@click.command("versions")
@click.argument("prompt_id", required=False)
@format_option("text", "json")
@db_option
def versions_cmd(prompt_id: str | None, fmt: str, db: str | None) -> None:
    """List every version of the prompt files with its status and latest eval run."""
    from contentgen import usecases
    from contentgen.prompts import PromptCatalog
    from contentgen.usecases.prompt_promotion import latest_run

    settings = Settings.load(db=db)
    catalog = PromptCatalog.load(settings.prompts_dir)
    lib = usecases.open_library(settings.db_path)
    ids = [prompt_id] if prompt_id else sorted({f.id for f in catalog.all_files})
    rows: list[dict[str, Any]] = []
    for pid in ids:
        versions = catalog.versions(pid)
        if not versions:
            raise PromptError(f"no prompt {pid!r}; known: {', '.join(catalog.ids())}")
        for f in versions:
            run = latest_run(lib, pid, f.version)
            low = min((c["rate"] for c in run.summary["checks"].values() if c["rate"] is not None),
                      default=None) if run else None
            rows.append({"id": pid, "version": f.version, "status": f.status, "path": str(f.path),
                         "run_id": run.id if run else None, "model": run.model if run else None,
                         "lowest_check": low, "jaccard": run.summary.get("jaccard") if run else None})
    if fmt == "json":
        emit_json(rows)
        return
    for r in rows:
        last = (f"run #{r['run_id']} on {r['model']}: lowest check {_pct(r['lowest_check']).strip()}, "
                f"Jaccard {_num(r['jaccard'])}") if r["run_id"] else "no eval run"
        click.echo(f"{r['id'] + '@' + r['version']:<44} {r['status']:<11} {last}")


def add_commands(group: click.Group) -> None:
    for cmd in (eval_cmd, promote_cmd, versions_cmd):
        group.add_command(cmd)
