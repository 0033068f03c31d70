"""The compliance filter: declarative rule packs, an obfuscation-proof matcher, fixes.

    report = check_text("全网最低价！", locale="zh-CN", industry="retail")
    report.verdict  # "block"
    check_fields({"title": "好久不见", "body": "会员日八折"}, locale="zh-CN", industry="retail",
                 channel="sms", content_type="push")  # a draft by field: the opt-out is missing

Rule kinds (terms, pattern, requires...) are declared in `contentgen.compliance.kinds`.
"""

from __future__ import annotations

from contentgen.compliance.engine import (
    MAX_CHARS,
    check_brief,
    check_content,
    check_fields,
    check_text,
)
from contentgen.compliance.fixes import apply_fixes, fix_content, rewrite_instructions, unified_diff
from contentgen.compliance.pack_loading import load_packs
from contentgen.compliance.packs import Rule, RulePack
from contentgen.kernel.report import ComplianceReport, Finding, PackRef

__all__ = [
    "MAX_CHARS",
    "ComplianceReport",
    "Finding",
    "PackRef",
    "Rule",
    "RulePack",
    "apply_fixes",
    "check_brief",
    "check_content",
    "check_fields",
    "check_text",
    "fix_content",
    "load_packs",
    "rewrite_instructions",
    "unified_diff",
]
