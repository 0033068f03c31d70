"""`prompts check` and `prompts test`: validate every file, run every file's own test cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from contentgen.kernel import vocab
from contentgen.kernel.errors import ContentgenError
from contentgen.prompt_context import Guidance
from contentgen.prompt_file import PromptFile
from contentgen.prompt_parse import make_env, parse_file
from contentgen.prompts import PromptCatalog, _prompt_paths


@dataclass
class CheckReport:
    files: list[PromptFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_dir(root: str | Path) -> CheckReport:
    """Parse every file on its own (so one broken file does not hide the others) and render it."""
    root = Path(root).resolve()
    report = CheckReport()
    try:
        guidance = Guidance.load(root)
    except ContentgenError as e:
        report.problems.append(str(e))
        return report
    env = make_env(root / "partials")
    for pid, path in _prompt_paths(root):
        try:
            pf = parse_file(path, pid, env, guidance)
        except ContentgenError as e:
            report.problems.append(str(e))
            continue
        report.files.append(pf)
        for loc in pf.locales:  # StrictUndefined only fires at render time
            try:
                pf.render(pf.sample_brief(locale=loc))
            except ContentgenError as e:
                report.problems.append(f"{e} (rendering a sample {loc} brief for {pf.id})")
                break
    for ct in vocab.CONTENT_TYPES:
        if not (root / ct / "default.md").exists():
            report.problems.append(f"{root}/{ct}/default.md: missing; every content type needs a default")
    return report


@dataclass
class CaseResult:
    prompt_id: str
    name: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_cases(catalog: PromptCatalog, only: str | None = None) -> list[CaseResult]:
    """Render each `tests:` case and check its contains / not_contains strings."""
    results = []
    for pf in catalog.files:
        if only and not (pf.id == only or pf.id.startswith(only + ".")):
            continue
        for case in pf.meta.tests:
            results.append(CaseResult(pf.id, case.name, _run_case(pf, case)))
    return results


def _run_case(pf: PromptFile, case: object) -> list[str]:
    from contentgen.prompt_meta import CaseSpec

    assert isinstance(case, CaseSpec)
    try:
        r = pf.render(pf.sample_brief(**case.brief), variant=case.variant, variants=case.variants)
    except ContentgenError as e:
        return [f"does not render: {e}"]
    text = f"{r.system}\n{r.user}"
    problems = [f"missing {s!r}" for s in case.contains if s not in text]
    problems += [f"unexpected {s!r}" for s in case.not_contains if s in text]
    return problems
