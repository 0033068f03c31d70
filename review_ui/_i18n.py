"""UI labels in Chinese and English; the sidebar switch picks one per session."""

from __future__ import annotations

LANGS: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

# key -> (zh, en). Identifiers (industry, channel ...) stay as the vocabulary spells them.
LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("contentgen 内容审核台", "contentgen review desk"),
    "language": ("界面语言", "Language"),
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login_hint": ("请使用素材库中的本地账号登录。", "Log in with a local account of the library."),
    "login_failed": ("登录失败", "Login failed"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "offline_model": ("离线模型（演示用，非真实大模型）", "OFFLINE model (demo, not a real LLM)"),
    "page_generate": ("生成内容", "Generate"),
    "page_review": ("审核队列", "Review queue"),
    "page_rules": ("合规规则", "Rules"),
    "page_library": ("素材库", "Library"),
    "page_prompts": ("提示词", "Prompts"),
    "page_dashboard": ("数据看板", "Dashboard"),
    "page_plans": ("服务周期计划", "Plans"),
    "page_login": ("登录", "Log in"),
    # brief form
    "industry": ("行业", "Industry"),
    "segment": ("客群", "Segment"),
    "persona": ("人设", "Persona"),
    "content_type": ("内容类型", "Content type"),
    "channel": ("渠道", "Channel"),
    "locale": ("语言地区", "Locale"),
    "product": ("产品", "Product"),
    "selling_points": ("卖点（每行一个）", "Selling points (one per line)"),
    "offer": ("优惠", "Offer"),
    "variants": ("变体数量", "Variants"),
    "generate": ("生成", "Generate"),
    "generating": ("正在生成", "Generating"),
    "waiting": ("{n} 条等待中", "{n} waiting"),
    "variant": ("变体", "Variant"),
    "failed_variant": ("该变体生成失败", "This variant failed"),
    "findings": ("合规问题", "Findings"),
    "no_findings": ("未发现合规问题", "No findings"),
    "verdict": ("结论", "Verdict"),
    "suggestion": ("建议", "Suggestion"),
    "reference": ("依据", "Reference"),
    "apply_fixes": ("应用修改", "Apply fixes"),
    "edit": ("手动编辑", "Edit by hand"),
    "save_draft": ("存草稿", "Save draft"),
    "submit": ("提交审核", "Submit"),
    "saved": ("已保存", "Saved"),
    "submitted": ("已提交审核", "Submitted for review"),
    "fixes_applied": ("已应用修改", "Fixes applied"),
    "nothing_to_fix": ("没有可自动修改的问题", "Nothing to fix automatically"),
    "blocked_hint": ("存在错误级问题：修改后才能提交，或请合规人员豁免。",
                     "Error-level findings: fix them before submitting, or ask compliance to override."),
    # review
    "filters": ("筛选", "Filters"),
    "any": ("全部", "any"),
    "has_findings": ("有合规问题", "Has findings"),
    "oldest_first": ("最早的在前", "Oldest first"),
    "waiting_at_least": ("已等待至少", "Waiting at least"),
    "pending": ("待审核", "Pending"),
    "queue_empty": ("队列为空", "The queue is empty"),
    "item_of": ("第 {i} 条，共 {n} 条", "Item {i} of {n}"),
    "previous": ("上一条", "Previous"),
    "next": ("下一条", "Next"),
    "content": ("内容", "Content"),
    "diff": ("与上一版本的差异", "Diff against the previous version"),
    "no_previous": ("这是第一个版本", "This is the first version"),
    "provenance": ("来源信息", "Provenance"),
    "history": ("历史记录", "History"),
    "reason": ("理由", "Reason"),
    "approve": ("通过", "Approve"),
    "request_changes": ("要求修改", "Request changes"),
    "reject": ("拒绝", "Reject"),
    "own_version": ("这是你编写的版本：四眼原则下不能由你审批。",
                    "You wrote this version: four eyes means someone else approves it."),
    "bulk_approve": ("批量通过无问题条目", "Bulk-approve items without findings"),
    "bulk_done": ("已通过 {n} 条，跳过 {s} 条", "Approved {n}, skipped {s}"),
    "decision_done": ("已处理", "Done"),
    "override": ("合规豁免", "Compliance override"),
    "justification": ("豁免理由（必填）", "Justification (required)"),
    "override_done": ("已豁免", "Overridden"),
    "compliance_queue": ("存在错误级问题的草稿", "Drafts blocked by error-level findings"),
    # library
    "search": ("全文搜索", "Full-text search"),
    "status": ("状态", "Status"),
    "page": ("页码", "Page"),
    "total": ("共 {n} 条", "{n} in total"),
    "versions": ("版本", "Versions"),
    "version": ("版本", "Version"),
    "audit": ("审计日志", "Audit trail"),
    "release": ("发布", "Release"),
    "retire": ("下线", "Retire"),
    "released": ("已发布", "Released"),
    "retired": ("已下线", "Retired"),
    "select_material": ("选择素材", "Select a material"),
    "nothing_found": ("没有符合条件的素材", "No material matches"),
    # rules
    "packs": ("规则包", "Rule packs"),
    "paste_text": ("粘贴文本进行检查", "Paste text to check"),
    "rules_unavailable": ("规则包暂不可用", "Rule packs are not available"),
    # prompts
    "prompt_files": ("提示词文件", "Prompt files"),
    "preview": ("预览", "Preview"),
    "sample_inputs": ("示例输入", "Sample inputs"),
    # dashboard
    "materials": ("素材总数", "Materials"),
    "by_status": ("按状态", "By status"),
    "by_channel": ("按渠道", "By channel"),
    "by_industry": ("按行业", "By industry"),
    "approval_rate": ("通过率", "Approval rate"),
    "median_time": ("草稿到通过的中位时间", "Median draft → approval"),
    "top_rules": ("命中最多的规则", "Top rule hits"),
    "no_data": ("暂无数据", "No data yet"),
}


def label(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The label for key in lang ('zh' or 'en'); unknown keys show themselves so a gap is visible."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**fmt) if fmt else text
