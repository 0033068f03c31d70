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
LABELS.update({
    "sug_title": ("来自审核修改的规则建议", "Rules suggested by reviewers' edits"),
    "sug_help": ("某个词在至少 3 篇稿件中被审核或运营人员从生成稿里删去（或统一改成同一说法），而现有规则包尚未标记它，"
                 "就成为一条建议。采纳后写入 rules/<语言>/reviewer-suggestions.yaml（级别：警告），"
                 "先通过全部规则检查，再对素材库重新扫描。",
                 "A term people removed from generated drafts (or replaced the same way) in at least 3 "
                 "materials, that the packs do not flag yet, becomes a suggestion. Accepting writes it to "
                 "rules/<locale>/reviewer-suggestions.yaml as a warning, checks every pack, then rescans "
                 "the library."),
    "sug_find": ("查找建议", "Find suggestions"),
    "sug_none": ("暂无建议：还没有一个词在 3 篇以上已审批稿件中被改掉。",
                 "No suggestions: no term was edited out of 3 or more approved materials yet."),
    "sug_replaced": ("改为 **{rep}**", "replaced with **{rep}**"),
    "sug_removed": ("被删除", "removed"),
    "sug_support": ("{n} 篇素材", "{n} materials"),
    "sug_before": ("生成稿", "Generated"),
    "sug_after": ("审批稿", "Approved"),
    "sug_accept": ("采纳", "Accept"),
    "sug_dismiss": ("忽略", "Dismiss"),
    "sug_note": ("忽略原因（可选）", "Why not a rule (optional)"),
    "sug_accepted": ("已采纳：规则 {rule} 写入 {path}，规则检查全部通过。{rescan}",
                     "Accepted: rule {rule} written to {path}; every pack passes. {rescan}"),
    "sug_dismissed": ("已忽略“{term}”，不会再次建议。", "Dismissed \"{term}\"; it is not suggested again."),
})
