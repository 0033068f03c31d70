"""Rules page: a compliance officer finds the rules suggested by reviewers' edits, reads the
real edits and the YAML, and accepts one (the pack checked, the library rescanned) or dismisses
one; other roles do not see the section."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from contentgen.kernel.config import ROOT

EDITS = [
    ("周末野餐篮闭眼入，带娃出门超方便。", "周末野餐篮带娃出门超方便。"),
    ("保温杯闭眼入，冬天喝热水不发愁。", "保温杯保温效果好，冬天喝热水不发愁。"),
    ("露营椅闭眼入！折叠起来很轻。", "露营椅折叠起来很轻。"),
]


@pytest.fixture
def rules(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = Path(shutil.copytree(ROOT / "rules", isolated_env / "rules"))
    monkeypatch.setenv("CONTENTGEN_RULES_DIR", str(copy))
    return copy


def _edited(lib: Any, make_material: Any) -> None:
    for before, after in EDITS:
        m = make_material("draft", body=before)
        content = dict(lib.get_version(m.id, 1).content)
        lib.edit(m.id, base_version=1, content={**content, "body": after}, actor="olivia", source="edited")
        lib.submit(m.id, 2, actor="olivia")
        lib.approve(m.id, 2, actor="rui")


def test_a_compliance_officer_accepts_a_suggested_rule(lib: Any, app: Any, make_material: Any, rules: Path) -> None:
    _edited(lib, make_material)
    at = app("chen", "rules")
    assert not at.exception
    at.button(key="sug_find").click().run()
    assert not at.exception
    accept = [b for b in at.button if b.key and b.key.startswith("sug_accept_")]
    assert len(accept) == 1
    assert any("闭眼入" in c.value and "kind: terms" in c.value for c in at.code)
    accept[0].click().run()
    assert not at.exception
    # Markdown-escaped: the path and the rescan's counts show as written.
    assert any("reviewer-suggestions" in s.value and "rescan" in s.value for s in at.success)
    pack = yaml.safe_load((rules / "zh-CN" / "reviewer-suggestions.yaml").read_text(encoding="utf-8"))
    assert pack["rules"][0]["terms"] == ["闭眼入"]
    at.button(key="sug_find").click().run()
    assert not [b for b in at.button if b.key and b.key.startswith("sug_accept_")]
    assert at.info, "says there is nothing left to suggest"


def test_a_dismissal_keeps_its_note_and_other_roles_see_no_section(lib: Any, app: Any, make_material: Any,
                                                                    rules: Path) -> None:
    _edited(lib, make_material)
    at = app("root", "rules")
    at.button(key="sug_find").click().run()
    (key,) = [b.key for b in at.button if b.key and b.key.startswith("sug_dismiss_")]
    at.text_input(key=f"sug_note_{key.removeprefix('sug_dismiss_')}").input("our shop's slogan").run()
    at.button(key=key).click().run()
    assert not at.exception and any("闭眼入" in s.value for s in at.success)
    assert not (rules / "zh-CN" / "reviewer-suggestions.yaml").exists()
    for user in ("olivia", "rui"):
        other = app(user, "rules")
        assert not other.exception and not [b for b in other.button if b.key == "sug_find"]
