"""Human names of vocabulary identifiers: "<kind>:<identifier>" -> (zh, en).

Kinds: industry, lifecycle, value_tier, segment, persona, channel, content_type, locale,
touch_model, product_type, status, verdict, severity, action, role, source, purpose (a plan
touchpoint's kind), objective (plan objectives and prompt families), rule_kind, event (outcome
event types) and field (brief and content fields). tests/ui/test_language_walk.py fails when an
identifier of the vocabulary modules has no name here, so a new one is named when it is added.
"""

from __future__ import annotations

from contentgen.kernel import vocab

_INDUSTRIES = {
    "finance": ("金融", "Finance"),
    "health": ("医药健康", "Pharma & health"),
    "cosmetics": ("美妆护肤", "Cosmetics & beauty"),
    "food": ("食品零食", "Food & snacks"),
    "education": ("教育培训", "Education & training"),
    "manufacturing": ("制造业", "Manufacturing"),
    "retail": ("综合零售", "General retail"),
}
_LIFECYCLES = {
    "new": ("新客", "New"),
    "onboarding": ("新手期", "Onboarding"),
    "active": ("活跃", "Active"),
    "dormant": ("沉睡", "Dormant"),
    "churn_risk": ("流失风险", "Churn risk"),
    "repurchase": ("复购期", "Repurchase window"),
    "loyal": ("忠诚 VIP", "Loyal / VIP"),
}
_VALUE_TIERS = {
    "high_value": ("高净值", "high value"),
    "mass": ("大众", "mass"),
    "price_sensitive": ("价格敏感", "price-sensitive"),
}
_PERSONAS = {
    "approachable": ("亲切随和", "Approachable"),
    "professional": ("专业严谨", "Professional"),
}
_CONTENT_TYPES = {
    "copy": ("营销文案", "Marketing copy"),
    "short_video_script": ("短视频脚本", "Short-video script"),
    "push": ("推送消息", "Push message"),
}
_LOCALES = {
    "zh-CN": ("简体中文", "Chinese (Simplified)"),
    "ja-JP": ("日语", "Japanese"),
    "en-US": ("美式英语", "English (US)"),
}
_TOUCH_MODELS = {
    "high": ("高接触（人工一对一）", "High touch"),
    "low": ("低接触", "Low touch"),
    "tech": ("技术接触（自动化）", "Tech touch"),
}
_PRODUCT_TYPES = {
    "deposit": ("存款", "Deposit"),
    "wealth_management": ("理财产品", "Wealth management product"),
    "fund": ("基金", "Fund"),
    "securities": ("证券", "Securities"),
    "bond": ("债券", "Bond"),
    "insurance": ("保险", "Insurance"),
    "loan": ("贷款", "Loan"),
    "drug": ("药品", "Drug"),
    "medical_device": ("医疗器械", "Medical device"),
    "health_food": ("保健食品", "Health food"),
    "special_medical_food": ("特殊医学用途配方食品", "Food for special medical purposes"),
    "cosmetic": ("普通化妆品", "Cosmetic"),
    "special_cosmetic": ("特殊化妆品", "Special-use cosmetic"),
    "quasi_drug": ("医药部外品", "Quasi-drug"),
}
# Version statuses (library/models.py) and the plan statuses derived from them (library/plans.py).
_STATUSES = {
    "draft": ("草稿", "Draft"),
    "in_review": ("审核中", "In review"),
    "approved": ("已通过", "Approved"),
    "changes_requested": ("已退回修改", "Changes requested"),
    "rejected": ("已拒绝", "Rejected"),
    "released": ("已发布", "Released"),
    "retired": ("已下线", "Retired"),
    "superseded": ("已被新版本取代", "Superseded"),
    "withdrawn": ("已撤回（规则更新）", "Withdrawn (rule change)"),
    "partially_released": ("部分已发布", "Partly released"),
}
_VERDICTS = {
    "pass": ("无问题", "Clean"),
    "warn": ("有警告", "Warnings"),
    "block": ("已拦截", "Blocked"),
}
_SEVERITIES = {
    "error": ("错误", "Error"),
    "warning": ("警告", "Warning"),
    "info": ("提示", "Info"),
}
# Workflow steps (library/workflow.py) and the other actions the audit trail records.
_ACTIONS = {
    "create": ("创建", "Create"),
    "edit": ("编辑", "Edit"),
    "submit": ("提交审核", "Submit"),
    "approve": ("通过", "Approve"),
    "reject": ("拒绝", "Reject"),
    "request_changes": ("要求修改", "Request changes"),
    "override": ("合规豁免", "Compliance override"),
    "release": ("发布", "Release"),
    "retire": ("下线", "Retire"),
    "withdraw": ("撤回", "Withdraw"),
    "reinstate": ("恢复投放", "Reinstate"),
    "rescan": ("规则复检", "Rule rescan"),
    "login_failed": ("登录失败", "Failed login"),
    "login_locked": ("登录已锁定", "Login locked"),
    "prompt_promote": ("提示词上线", "Prompt promoted"),
}
_ROLES = {
    "operator": ("运营", "Operator"),
    "reviewer": ("审核员", "Reviewer"),
    "compliance": ("合规专员", "Compliance officer"),
    "admin": ("管理员", "Admin"),
    "system": ("系统", "System"),
}
_SOURCES = {
    "generated": ("模型生成", "Generated"),
    "edited": ("人工编辑", "Edited by hand"),
    "auto_fixed": ("自动修改", "Auto-fixed"),
}
# What a plan touchpoint does in the story (contentgen/plan_templates.py TOUCHPOINT_KINDS).
_PURPOSES = {
    "re_presence": ("重新露面", "Re-presence"),
    "welcome": ("欢迎", "Welcome"),
    "intro": ("自我介绍", "Introduction"),
    "check_in": ("问候关怀", "Check-in"),
    "news": ("新动态", "News"),
    "teaser": ("预热", "Teaser"),
    "community": ("社群活动", "Community"),
    "guide": ("使用指南", "Guide"),
    "follow_up": ("跟进", "Follow-up"),
    "story": ("品牌故事", "Story"),
    "behind_scenes": ("幕后花絮", "Behind the scenes"),
    "benefit": ("专属福利", "Benefit"),
    "reminder": ("提醒", "Reminder"),
    "social_proof": ("用户口碑", "Social proof"),
    "recap": ("回顾", "Recap"),
    "preference_check": ("偏好调研", "Preference check"),
    "thank_you": ("感谢", "Thank-you"),
    "insight": ("干货知识", "Insight"),
    "invitation": ("邀请", "Invitation"),
    "event_details": ("活动详情", "Event details"),
    "upgrade": ("升级", "Upgrade"),
    "restock": ("补货提醒", "Restock"),
}
# Plan objectives (prompts/plans/*.yaml, same words as their titles) and prompt families.
_OBJECTIVES = {
    "reactivate": ("唤醒沉睡客户", "Reactivate dormant customers"),
    "welcome": ("新客破冰", "Break the ice with new customers"),
    "repurchase": ("复购提醒", "Repurchase reminder"),
    "vip_care": ("尊享客户关怀", "VIP care"),
    "event": ("活动促销", "Event or promotion"),
    "reactivation": ("唤醒", "Reactivation"),
    "onboarding": ("新手引导", "Onboarding"),
    "retention": ("挽留", "Retention"),
    "default": ("通用", "General"),
}
# Outcome event types (library/outcomes.py EVENT_TYPES): what a customer did after a send.
_EVENTS = {
    "delivered": ("已送达", "Delivered"),
    "read": ("已读", "Read"),
    "clicked": ("已点击", "Clicked"),
    "replied": ("已回复", "Replied"),
    "converted": ("已转化", "Converted"),
    "unsubscribed": ("已退订", "Unsubscribed"),
    "complained": ("已投诉", "Complained"),
}
_RULE_KINDS = {
    "terms": ("禁用词", "Terms"),
    "substitution": ("替换用语", "Substitution"),
    "pattern": ("模式匹配", "Pattern"),
    "pii": ("个人信息", "Personal data"),
    "requires": ("必备声明", "Required statement"),
    "length": ("长度", "Length"),
    "learned": ("学习模型", "Learned model"),
}
# Brief, plan request and content fields, as validation errors and edit boxes name them.
_FIELDS = {
    "industry": ("行业", "Industry"),
    "segment": ("客群", "Segment"),
    "persona": ("人设", "Persona"),
    "content_type": ("内容类型", "Content type"),
    "channel": ("渠道", "Channel"),
    "channels": ("渠道", "Channels"),
    "locale": ("语言地区", "Locale"),
    "product": ("产品", "Product"),
    "product_type": ("产品类别", "Product type"),
    "selling_points": ("卖点", "Selling points"),
    "offer": ("优惠", "Offer"),
    "interests": ("兴趣", "Interests"),
    "preferred_times": ("偏好时间", "Preferred times"),
    "preferred_channels": ("偏好渠道", "Preferred channels"),
    "touch_model": ("接触模式", "Touch model"),
    "days_since_added": ("添加天数", "Days since added"),
    "persona_interests": ("人设的兴趣", "Persona's interests"),
    "specialty_products": ("擅长的产品", "Specialty products"),
    "brand_voice": ("品牌语气", "Brand voice"),
    "brand": ("品牌（发送方）", "Brand (sender)"),
    "notes": ("备注", "Notes"),
    "objective": ("目标", "Objective"),
    "prompt": ("提示词", "Prompt"),
    "previous_messages": ("之前发过的消息", "Previous messages"),
    "days": ("周期天数", "Cycle days"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "timezone": ("时区", "Time zone"),
    "quiet_hours": ("免打扰时段", "Quiet hours"),
    "name": ("名称", "Name"),
    "kind": ("内容种类", "Kind"),
    "headline": ("标题", "Headline"),
    "body": ("正文", "Body"),
    "cta": ("行动号召", "Call to action"),
    "hashtags": ("话题标签", "Hashtags"),
    "images": ("配图数量", "Images"),
    "title": ("标题", "Title"),
    "hook": ("开头钩子", "Hook"),
    "scenes": ("分镜", "Scenes"),
    "visual": ("画面", "Visual"),
    "voice_over": ("旁白", "Voice-over"),
    "caption": ("字幕", "Caption"),
    "duration_s": ("时长（秒）", "Duration (s)"),
    "total_duration_s": ("总时长（秒）", "Total duration (s)"),
    "deeplink": ("跳转链接", "Deep link"),
    "send_window": ("发送时段", "Send window"),
    # kinds named by "unknown <kind> ..." messages
    "role": ("角色", "Role"),
    "status": ("状态", "Status"),
    "verdict": ("合规结论", "Verdict"),
    "severity": ("级别", "Severity"),
    "lifecycle": ("生命周期", "Lifecycle stage"),
    "value_tier": ("价值层级", "Value tier"),
}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _channels() -> dict[str, tuple[str, str]]:
    # A channel's names live in its registry file (channels/<id>.yaml), so a new channel is
    # named where it is added; the UI only capitalises the English name for a menu.
    return {c.id: (c.names.zh, _capitalised(c.names.en)) for c in vocab.CHANNEL_REGISTRY}


def _segments() -> dict[str, tuple[str, str]]:
    # A segment is "<lifecycle>.<value tier>": its name is the two names, built from the names
    # above (not from vocab), so an unnamed lifecycle or tier leaves its segments unnamed.
    return {
        vocab.segment_id(lc, vt): (f"{lz}·{vz}", f"{le} · {ve}")
        for lc, (lz, le) in _LIFECYCLES.items()
        for vt, (vz, ve) in _VALUE_TIERS.items()
    }


_KINDS: dict[str, dict[str, tuple[str, str]]] = {
    "industry": _INDUSTRIES,
    "lifecycle": _LIFECYCLES,
    "value_tier": {k: (z, _capitalised(e)) for k, (z, e) in _VALUE_TIERS.items()},
    "segment": _segments(),
    "persona": _PERSONAS,
    "channel": _channels(),
    "content_type": _CONTENT_TYPES,
    "locale": _LOCALES,
    "touch_model": _TOUCH_MODELS,
    "product_type": _PRODUCT_TYPES,
    "status": _STATUSES,
    "verdict": _VERDICTS,
    "severity": _SEVERITIES,
    "action": _ACTIONS,
    "role": _ROLES,
    "source": _SOURCES,
    "purpose": _PURPOSES,
    "objective": _OBJECTIVES,
    "rule_kind": _RULE_KINDS,
    "event": _EVENTS,
    "field": _FIELDS,
}

LABELS: dict[str, tuple[str, str]] = {
    f"{kind}:{ident}": pair for kind, names in _KINDS.items() for ident, pair in names.items()
}
