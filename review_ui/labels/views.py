"""Labels of the content views (review_ui/_views.py, _preview.py, _diff.py, pages/review.py):
channel previews, the storyboard, the diff, the provenance card, history headers."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # the preview
    "view_preview": ("收件人看到的样子", "As the recipient sees it"),
    "view_fields": ("逐字段（标出问题）", "Field by field (findings marked)"),
    "view_preview_failed": ("无法生成渠道预览", "The channel preview could not be rendered"),
    "view_wecom_header": ("企业微信 · 您的专属顾问", "WeCom · your advisor"),
    "view_group_header": ("企业微信客户群 · 群消息", "WeCom customer group · group message"),
    "view_sms_header": ("短信", "Text message"),
    "view_push_app": ("应用通知", "App notification"),
    "view_now": ("刚刚", "now"),
    "view_send_window": ("发送时段 {start}–{end}", "Send window {start}–{end}"),
    "view_moments_header": ("顾问的朋友圈", "Advisor's moments"),
    "view_image": ("图 {i}", "Image {i}"),
    "view_images": ("配图 {n} 张（最多 9 张）", "{n} images (at most 9)"),
    "view_oa_header": ("公众号文章", "Official-account article"),
    "view_length": ("{n} 字 / 单条上限 {limit} 字", "{n} characters / limit {limit} per message"),
    # the storyboard
    "view_scene": ("镜头 {i}", "Scene {i}"),
    "view_scene_range": ("{start}–{end} 秒", "{start}–{end} s"),
    "view_visual": ("画面", "Visual"),
    "view_voice_over": ("口播", "Voice-over"),
    "view_caption": ("字幕", "Caption"),
    "view_hook": ("开场钩子", "Hook"),
    "view_cta": ("行动号召", "Call to action"),
    "view_total_of": ("总时长 {total} 秒 / 渠道上限 {limit} 秒", "Total {total} s / channel limit {limit} s"),
    "view_total": ("总时长 {total} 秒（该渠道无时长上限）", "Total {total} s (the channel sets no limit)"),
    "view_over_duration": ("超出时长上限：总时长 {total} 秒，{channel} 最长 {limit} 秒。请删减镜头。",
                           "Over the time limit: {total} s in total, {channel} allows {limit} s. Cut scenes."),
    "view_over_scenes": ("镜头过多：{n} 个，{channel} 最多 {limit} 个。",
                         "Too many scenes: {n}, {channel} allows {limit}."),
    # content fields
    "view_field_scene": ("镜头 {i} · {part}", "Scene {i} · {part}"),
    # the provenance card
    "view_none": ("—", "—"),
    "view_prov_prompt": ("提示词", "Prompt"),
    "view_prov_model": ("模型", "Model"),
    "view_model_offline": ("离线模型", "offline model"),
    "view_model_online": ("在线大模型", "online LLM"),
    "view_prov_variant": ("变体", "Variant"),
    "view_prov_source": ("来源", "Source"),
    "view_prov_packs": ("规则包", "Rule packs"),
    "view_prov_rewrites": ("改写轮次", "Rewrite rounds"),
    "view_prov_rounds": ("合规改写 {r} 次，格式修复 {p} 次", "{r} compliance rewrites, {p} format repairs"),
    "view_prov_author": ("作者", "Author"),
    "view_prov_created": ("本版本创建于", "Version created"),
    "view_prov_updated": ("素材最近更新", "Material last updated"),
    "view_prov_brief": ("需求简报与模型参数", "Brief and model parameters"),
    "view_prov_parameters": ("模型参数", "Model parameters"),
    "view_param_temperature": ("温度", "temperature"),
    "view_param_max_tokens": ("最大输出长度", "max output tokens"),
    "view_param_seed": ("随机种子", "seed"),
    "view_param_rewrites_allowed": ("允许的改写轮次", "rewrites allowed"),
    # the diff
    "view_diff_old": ("上一版本 v{v}", "Previous version v{v}"),
    "view_diff_new": ("本版本 v{v}", "This version v{v}"),
    "view_diff_none": ("内容与上一版本相同", "The content is the same as the previous version"),
    "view_diff_same": ("另有 {n} 个字段未改动", "{n} more fields unchanged"),
    # history table headers
    "view_hist_at": ("时间", "When"),
    "view_hist_who": ("操作人", "Who"),
    "view_hist_role": ("角色", "Role"),
    "view_hist_action": ("操作", "Action"),
    "view_hist_from": ("原状态", "From"),
    "view_hist_to": ("新状态", "To"),
    "view_hist_version": ("版本", "Version"),
    "view_hist_reason": ("理由", "Reason"),
    # review decisions
    "view_reason_label": ("理由（拒绝或要求修改时必填，作者会看到）",
                          "Reason (required to reject or request changes; the author reads it)"),
    "view_reason_needed": ("请先填写理由：拒绝和要求修改需要告诉作者原因（写完按 Ctrl+Enter 或点击输入框外）。",
                           "Write a reason first: rejecting or requesting changes tells the author why "
                           "(then press Ctrl+Enter or click outside the box)."),
}
