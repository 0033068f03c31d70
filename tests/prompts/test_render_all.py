"""Every prompt file renders for every combination it declares, and its own cases pass."""

from __future__ import annotations

import json
import re

from contentgen.kernel.config import ROOT
from contentgen.kernel.schemas import CONTENT_MODELS
from contentgen.prompt_checks import check_dir, run_cases
from contentgen.prompts import PromptCatalog

PROMPTS = ROOT / "prompts"

TAIL = re.compile(r'\n<brief>(\{.*\})</brief>\n<output schema="(\w+)" variant="1" of="1"/>\Z')


def test_every_file_renders_every_declared_combination(catalog: PromptCatalog) -> None:
    total = 0
    for pf in catalog.files:
        for brief in pf.combinations():
            r = pf.render(brief)
            m = TAIL.search(r.user)
            assert m, f"{pf.id}: user message must end with the brief block"
            assert json.loads(m.group(1)) == brief.model_dump(mode="json")
            assert m.group(2) == pf.output_schema
            assert brief.product in r.user and r.system
            total += 1
    assert total > 5000  # the catalog declares thousands of combinations


def test_few_shot_answers_are_schema_valid(catalog: PromptCatalog) -> None:
    for pf in catalog.files:
        assert pf.meta.examples, f"{pf.id} has no few-shot example"
        for user, answer in pf.few_shot():
            assert user.endswith('variant="1" of="1"/>')
            CONTENT_MODELS[pf.output_schema](**json.loads(answer))


def test_own_cases_pass_and_every_file_has_some(catalog: PromptCatalog) -> None:
    results = run_cases(catalog)
    assert {r.prompt_id for r in results} == set(catalog.ids())
    assert [f"{r.prompt_id}: {r.name}: {r.problems}" for r in results if not r.ok] == []


def test_check_passes_on_the_shipped_files() -> None:
    report = check_dir(PROMPTS)
    assert report.problems == []
    assert len(report.files) >= 27


def test_coverage_of_families_industries_and_channels(catalog: PromptCatalog) -> None:
    from contentgen.kernel import vocab
    ids = set(catalog.ids())
    for ct in vocab.CONTENT_TYPES:
        for fam in ("default", "welcome", "reactivation", "repurchase", "vip_care", "event"):
            assert f"{ct}/{fam}" in ids
    industry_files = {f.industries[0] for f in catalog.files if len(f.industries) == 1}
    assert {"finance", "health", "cosmetics", "food", "education", "manufacturing"} <= industry_files
    covered = {ch for f in catalog.files for ch in f.channels}
    assert covered == set(vocab.CHANNELS)


def test_readme_lists_every_prompt_file(catalog: PromptCatalog) -> None:
    readme = (PROMPTS / "README.md").read_text(encoding="utf-8")
    assert [i for i in catalog.ids() if f"`{i}`" not in readme] == []
