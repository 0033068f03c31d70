"""Labels of the queue filters shared by the review and library pages: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "queue_yes": ("是", "yes"),
    "queue_no": ("否", "no"),
    "queue_days": ("{n} 天", "{n} days"),
}
