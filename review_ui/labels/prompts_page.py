"""The prompts page: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "prm_col_id": ("提示词", "Prompt"),
    "prm_col_description": ("说明", "Description"),
    "prm_col_ref": ("引用（id@版本+哈希）", "Reference (id@version+hash)"),
    "prm_all_industries": ("所有行业", "All industries"),
    "prm_system": ("系统提示词", "System prompt"),
    "prm_user": ("用户提示词", "User prompt"),
    "prm_sample_product": ("氨基酸洁面乳", "Amino-acid facial cleanser"),
    "prm_sample_point": ("温和不紧绷", "Gentle, never tight"),
}
