"""The rules page: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "rules_col_pack": ("规则包", "Pack"),
    "rules_col_title": ("名称", "Title"),
    "rules_col_count": ("规则数", "Rules"),
    "rules_col_rule": ("规则", "Rule"),
    "rules_col_kind": ("类型", "Kind"),
    "rules_col_level": ("级别", "Level"),
    "rules_col_message": ("说明", "Message"),
    "rules_all_locales": ("所有语言", "All locales"),
    "rules_all_industries": ("所有行业", "All industries"),
    "rules_pack_rules": ("{pack} 的 {n} 条规则", "The {n} rules of {pack}"),
}
