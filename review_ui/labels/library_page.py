"""The library page: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "lib_col_id": ("素材编号", "Material"),
    "lib_col_title": ("标题", "Title"),
    "lib_col_updated": ("更新时间", "Updated"),
    "lib_version_n": ("第 {n} 版", "Version {n}"),
}
