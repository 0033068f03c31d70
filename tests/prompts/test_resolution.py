"""Resolution order, explicit ids, and the logged fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from contentgen.kernel.errors import PromptError
from contentgen.kernel.schemas import Brief
from contentgen.prompts import PromptCatalog, family_chain


def test_most_specific_wins(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    hnw = make_brief(industry="finance", segment="dormant.high_value", channel="wecom_1v1")
    assert catalog.resolve(hnw).id == "push/reactivation.finance_hnw"
    mass = make_brief(industry="finance", segment="dormant.mass", channel="wecom_1v1")
    assert catalog.resolve(mass).id == "push/reactivation.finance"
    other = make_brief(industry="retail", segment="dormant.mass")
    assert catalog.resolve(other).id == "push/reactivation"


def test_industry_fallback_is_logged_and_recorded(
    catalog: PromptCatalog, make_brief: Callable[..., Brief], caplog: pytest.LogCaptureFixture
) -> None:
    brief = make_brief(industry="retail", segment="dormant.mass")
    with caplog.at_level(logging.INFO, logger="contentgen.prompts"):
        pf, resolution = catalog.resolution(brief)
    assert "no retail-specific file in push/reactivation; using generic push/reactivation" in caplog.text
    assert resolution.fallback and resolution.prompt_id == pf.id
    assert not hasattr(catalog, "last_resolution")  # a shared, cached catalog keeps no per-call state
    # a finance file exists but does not cover sms + high value: the reason is said
    hnw_sms = make_brief(industry="finance", segment="dormant.high_value", channel="sms")
    steps = catalog.explain(hnw_sms)
    assert any("skipped push/reactivation.finance_hnw: does not cover channel sms" in s for s in steps)


def test_family_missing_falls_back_to_default(
    catalog: PromptCatalog, make_brief: Callable[..., Brief], caplog: pytest.LogCaptureFixture
) -> None:
    brief = make_brief(content_type="copy", channel="moments", segment="onboarding.mass")
    with caplog.at_level(logging.INFO, logger="contentgen.prompts"):
        assert catalog.resolve(brief).id == "copy/default"
    assert "no prompt family copy/onboarding; falling back" in caplog.text


def test_segment_scope_falls_back(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    # welcome is declared for new/onboarding only: an explicit welcome for a loyal customer falls back
    brief = make_brief(segment="loyal.mass", objective="welcome")
    assert catalog.resolve(brief).id == "push/default"
    assert any("no file in push/welcome covers" in s for s in catalog.explain(brief))


@pytest.mark.parametrize(
    ("segment", "objective", "first"),
    [
        ("new.mass", None, "push/welcome"),
        ("onboarding.mass", None, "push/onboarding"),
        ("active.mass", None, "push/default"),
        ("dormant.mass", None, "push/reactivation"),
        ("churn_risk.mass", None, "push/retention"),
        ("repurchase.mass", None, "push/repurchase"),
        ("loyal.mass", None, "push/vip_care"),
        ("active.mass", "event", "push/event"),
        ("active.mass", "reactivate", "push/reactivation"),
    ],
)
def test_lifecycle_and_objective_pick_the_family(
    catalog: PromptCatalog, make_brief: Callable[..., Brief], segment: str, objective: str | None, first: str
) -> None:
    brief = make_brief(industry="retail", segment=segment, objective=objective, offer="x")
    assert family_chain(brief)[0] == first
    assert catalog.resolve(brief).id == first


def test_explicit_prompt_id(catalog: PromptCatalog, make_brief: Callable[..., Brief]) -> None:
    assert catalog.resolve(make_brief(prompt="push/event", offer="x")).id == "push/event"
    with pytest.raises(PromptError, match="unknown prompt 'push/nope'; known: .*push/default"):
        catalog.resolve(make_brief(prompt="push/nope"))
    with pytest.raises(PromptError, match="writes copy, but the brief asks for push"):
        catalog.resolve(make_brief(prompt="copy/default"))


def test_ref_is_id_version_and_file_hash(catalog: PromptCatalog) -> None:
    import hashlib

    pf = catalog.get("push/reactivation.finance")
    digest = hashlib.sha256(pf.path.read_bytes()).hexdigest()
    assert pf.ref == f"push/reactivation.finance@{pf.version}+{digest[:12]}"


def test_catalog_is_cached_until_a_file_changes(scratch: object) -> None:
    from pathlib import Path

    root = Path(str(scratch))
    a = PromptCatalog.load(root)
    assert PromptCatalog.load(root) is a
    f = root / "push" / "default.md"
    f.write_text(f.read_text(encoding="utf-8").replace('version: "1.0.0"', 'version: "1.0.1"'), encoding="utf-8")
    b = PromptCatalog.load(root)
    assert b is not a and b.get("push/default").version == "1.0.1"
