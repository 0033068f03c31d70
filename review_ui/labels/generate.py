"""Labels of the Generate page's brief form: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "gen_product_type": ("产品类别", "Product type"),
    "gen_product_type_help": ("金融、医药类产品的类别决定适用的法规；不选时由合规检查从文案推断。",
                              "In finance and health the product type decides which law applies; "
                              "left unset, the compliance check infers it from the text."),
    "gen_inferred": ("（从文案推断）", "(inferred from the text)"),
    "gen_unset": ("（不指定）", "(not set)"),
    "gen_auto": ("（按客群自动选择）", "(chosen from the segment)"),
    "gen_customer": ("客户画像：兴趣、时间偏好、添加天数", "Customer: interests, preferred times, days since added"),
    "gen_interests": ("客户兴趣（每行一个）", "Customer interests (one per line)"),
    "gen_times": ("时间偏好（每行一个）", "Preferred times (one per line)"),
    "gen_times_help": ("例如 weekend、fri 12:00、weekday evening、19:30",
                       "For example weekend, fri 12:00, weekday evening, 19:30"),
    "gen_days_added": ("添加好友天数", "Days since added"),
    "gen_touch_model": ("服务模式", "Touch model"),
    "gen_voice": ("人设与口吻：兴趣、擅长产品、品牌语气、目标", "Voice: persona interests, specialty products, brand voice, objective"),
    "gen_persona_interests": ("人设的兴趣（每行一个）", "The persona's interests (one per line)"),
    "gen_specialty": ("擅长推荐的产品（每行一个）", "Specialty products (one per line)"),
    "gen_brand_voice": ("品牌语气", "Brand voice"),
    "gen_brand": ("品牌（短信签名）", "Brand (SMS sender)"),
    "gen_brand_help": ("客户认得的发送方名称。营销短信以它开头（【品牌】），法律要求短信标明发送者；留空则不加。",
                       "The name customers know the sender by. An SMS opens with it (\"Brand: …\"), as the law "
                       "asks a message to name its sender; empty adds none."),
    "gen_learn": ("参考以往效果", "Learn from what worked"),
    "gen_learn_help": ("把同一行业、客群、内容类型和语言下效果明显高于平均的已审批内容作为范例交给模型，"
                       "明显偏低的作为需避免的写法；每个版本达到 30 位触达才计入。",
                       "Shows the model the approved content of the same industry, segment, content type "
                       "and language that did clearly better than average, as examples, and what did clearly "
                       "worse, to avoid. A version counts from 30 recipients."),
    "gen_learned": ("已参考 {e} 条效果好的范例、{a} 条需避免的写法（{metric}，该客群平均 {avg}）。",
                    "Learned from {e} proven example(s) and {a} to avoid ({metric}; this audience's "
                    "average {avg})."),
    "gen_learned_none": ("该客群还没有足够的效果数据，本次未参考以往内容。",
                         "No proven content for this audience yet: nothing to learn from."),
    "gen_learn_off": ("本次未参考以往效果。", "Not learning from past outcomes this time."),
    "gen_notes": ("给写作者的备注", "Notes for the writer"),
    "gen_objective": ("目标（决定提示词系列）", "Objective (picks the prompt family)"),
    "gen_prompt": ("指定提示词 ID（可选）", "Explicit prompt id (optional)"),
    "gen_prompt_help": ("如 copy/reactivation；留空时按内容类型和目标选择。",
                        "For example copy/reactivation; empty picks one from the content type and objective."),
}
