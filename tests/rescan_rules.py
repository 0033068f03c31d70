"""What the rescan tests share: a text the shipped rules pass and a pack added later blocks, and
the two rules folders (before and after the compliance team adds that pack)."""

from __future__ import annotations

import shutil
from pathlib import Path

from contentgen.kernel.config import ROOT

FLAGGED = "好久不见，闪购专场开启，新品洁面乳回来了。"  # clean under rules/, blocked by the new pack
CLEAN = "久违了，新品洁面乳回来了"
NEW_PACK = """\
# A pack the compliance team adds after the materials were released.
id: zh-CN.test-rescan
version: "1"
title: rescan test pack
locales: [zh-CN]
rules:
  - id: zh.test.flash-sale
    kind: terms
    level: error
    message: this word may not be used (test rule)
    reference: test reference (not a law)
    terms: [{term}]
    examples:
      hit: [{term}专场]
      clean: [新品上架]
"""


def rules_before_and_after(tmp_path: Path) -> dict[str, Path]:
    """old: a copy of rules/; new: the same plus a pack that forbids a word of FLAGGED."""
    old, new = tmp_path / "rules-old", tmp_path / "rules-new"
    shutil.copytree(ROOT / "rules", old)
    shutil.copytree(ROOT / "rules", new)
    (new / "zh-CN" / "test-rescan.yaml").write_text(NEW_PACK.format(term="闪购"), encoding="utf-8")
    return {"old": old, "new": new}
