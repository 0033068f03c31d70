"""Promoting a candidate prompt version to production, only on evidence: the use case.

"At least as good" means, comparing the latest stored eval run of the candidate with the latest
run of the current production version on the same model and the same eval briefs:

- every automatic check's pass rate is >= production's (no tolerance: minus 0), and
- the mean variant Jaccard is <= production's (variants at least as distinct).

With no production version yet, the candidate's run must meet the absolute targets instead
(every check >= 95 %, Jaccard < 0.25). Judge means are shown in comparisons but do not gate:
a judge is optional and model-dependent. A promotion rewrites the two files' `status:` lines
(candidate → production, old production → retired) and writes one audit row; either both
happen or neither.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen import prompt_eval_checks as checks
from contentgen.kernel.errors import PromptError
from contentgen.prompt_eval import file_fingerprint
from contentgen.prompts import PromptCatalog
from library import prompt_evals as store
from library.store import Library


class PromotionRefused(PromptError):
    """The candidate is not shown to be at least as good; the message says what to do."""


@dataclass(frozen=True)
class Promotion:
    prompt_id: str
    version: str
    previous: str | None
    candidate_run: int
    production_run: int | None
    model: str


def shortfalls(candidate: dict[str, Any], production: dict[str, Any]) -> list[str]:
    """Where the candidate's summary is worse than production's; empty when at least as good."""
    out = []
    for name in checks.CHECKS:
        theirs = production["checks"].get(name, {}).get("rate")
        ours = candidate["checks"].get(name, {}).get("rate")
        if theirs is not None and (ours is None or ours < theirs):
            out.append(f"{name} {_pct(ours)} < {_pct(theirs)}")
    theirs_j, ours_j = production.get("jaccard"), candidate.get("jaccard")
    if theirs_j is not None and (ours_j is None or ours_j > theirs_j):
        out.append(f"Jaccard {_num(ours_j)} > {_num(theirs_j)}")
    return out


def target_shortfalls(summary: dict[str, Any]) -> list[str]:
    """Where a summary misses the absolute targets (used when there is no production version)."""
    out = [f"{name} {_pct(r['rate'])} < {_pct(checks.PASS_TARGET)}"
           for name, r in summary["checks"].items() if r.get("rate") is not None and r["rate"] < checks.PASS_TARGET]
    j = summary.get("jaccard")
    if j is not None and j >= checks.JACCARD_TARGET:
        out.append(f"Jaccard {_num(j)} >= {checks.JACCARD_TARGET}")
    return out


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def promote(catalog: PromptCatalog, lib: Library, prompt_id: str, version: str, *, actor: str,
            model: str | None = None) -> Promotion:
    """Promote one candidate version if its stored eval run is at least as good (see module doc)."""
    store.check_promoter(lib, actor)  # who may, before any evidence is weighed
    cand = catalog.version(prompt_id, version)
    if cand.status != "candidate":
        raise PromotionRefused(f"{prompt_id} {cand.version} is {cand.status}, not a candidate; set "
                               f"`status: candidate` in {cand.path.name} and run prompts eval first")
    run = store.latest_run(lib, prompt_id, cand.version, model=model)
    pin = f"{prompt_id}@{cand.version}"
    if run is None:
        on = f" on {model}" if model else ""
        raise PromotionRefused(f"no eval run of {pin}{on}; run: contentgen prompts eval {pin}")
    if run.fingerprint != file_fingerprint(cand):
        raise PromotionRefused(f"{cand.path.name} changed since eval run #{run.id}; "
                               f"run: contentgen prompts eval {pin}")
    live = next((f for f in catalog.versions(prompt_id) if f.status == "production"), None)
    base = None
    if live is not None:
        base = store.latest_run(lib, prompt_id, live.version, model=run.model)
        if base is None:
            raise PromotionRefused(f"no eval run of production {prompt_id} {live.version} on {run.model} "
                                   f"to compare with; run: contentgen prompts eval {prompt_id}@{live.version}")
        if base.briefs != run.briefs:
            raise PromotionRefused(f"runs #{run.id} and #{base.id} drafted different eval briefs; "
                                   f"run both again: contentgen prompts eval {pin} --compare {live.version}")
        worse = shortfalls(run.summary, base.summary)
        against = f"production {live.version} (run #{base.id})"
    else:
        worse = target_shortfalls(run.summary)
        against = "the targets (no production version yet)"
    if worse:
        raise PromotionRefused(f"{pin} (run #{run.id}) is not as good as {against}: {'; '.join(worse)}")
    reason = (f"eval run #{run.id} on {run.model} at least as good as "
              + (f"run #{base.id}" if base else "the targets"))
    changed = [(cand.path, "production")] + ([(live.path, "retired")] if live is not None else [])
    originals = {path: path.read_bytes() for path, _ in changed}
    try:
        for path, status in changed:
            set_status(path, status)
        store.record_promotion(lib, actor=actor, prompt_id=prompt_id, version=cand.version,
                               previous=live.version if live else None, reason=reason)
    except BaseException:
        for path, raw in originals.items():  # no half promotion: files and audit trail agree
            _write(path, raw)
        raise
    return Promotion(prompt_id, cand.version, live.version if live else None, run.id or 0,
                     base.id if base else None, run.model)


def set_status(path: Path, status: str) -> None:
    """Set the front matter's `status:` line (added after `version:` when absent); nothing else changes."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if not lines or lines[0].strip() != "---" or end is None:
        raise PromptError(f"{path}: no front matter to set the status in")
    nl = "\r\n" if lines[0].endswith("\r\n") else "\n"
    line = f"status: {status}{nl}"
    at = next((i for i in range(1, end) if lines[i].startswith("status:")), None)
    if at is not None:
        lines[at] = line
    else:
        after = next((i for i in range(1, end) if lines[i].startswith("version:")), end - 1)
        lines.insert(after + 1, line)
    _write(path, "".join(lines).encode("utf-8"))


def _write(path: Path, raw: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)  # a reader sees the old file or the new one, never half of one


# ---- storing and finding eval runs (the CLI's eval and versions commands) ---------------------


def store_run(lib: Library, run: Any) -> int | None:
    """Record one evaluation run (contentgen.prompt_eval.EvalRun); its id."""
    stored = store.record_run(lib, store.StoredRun(
        prompt_id=run.prompt_id, version=run.version, status=run.status, fingerprint=run.fingerprint,
        briefs=run.briefs, model=run.model_key, offline=run.model.offline, drafts=len(run.drafts),
        summary=run.summary(), results=[d.as_dict() for d in run.drafts]))
    return stored.id


def stored_run(lib: Library, pf: Any, model: str, briefs: str) -> Any:
    """The latest stored run of this exact file on this model and these briefs, if any."""
    run = store.latest_run(lib, pf.id, pf.version, model=model)
    ok = run is not None and run.briefs == briefs and run.fingerprint == file_fingerprint(pf)
    return run if ok else None


def latest_run(lib: Library, prompt_id: str, version: str) -> Any:
    return store.latest_run(lib, prompt_id, version)
