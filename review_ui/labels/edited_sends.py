"""Labels of the review page's queue of sends edited after approval: key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "sent_tab": ("发出后被改动（{n}）", "Edited after approval ({n})"),
    "sent_none": ("没有待看的改动：发出的内容都与批准的一致。",
                  "Nothing to look at: what was sent matched what was approved."),
    "sent_head": ("#{id} · {material} v{version} · {channel} · 发送人 {sender} · {at}",
                  "#{id} · {material} v{version} · {channel} · sent by {sender} · {at}"),
    "sent_unknown_sender": ("（未报告）", "(not reported)"),
    "sent_diff": ("批准的内容与实际发出的内容（统一差异格式）", "Approved text vs what was sent (unified diff)"),
    "sent_text": ("实际发出的内容（收件人姓名已替换为 {recipient}）",
                  "What was sent (the recipient's name replaced by {recipient})"),
    "sent_recheck": ("对发出内容的合规复检", "Compliance re-check of what was sent"),
    "sent_not_rechecked": ("未能复检：{why}", "Not re-checked: {why}"),
    "sent_note": ("处理说明（必填，写入审计日志）", "What was done (required, goes into the audit trail)"),
    "sent_done": ("已处理", "Done"),
    "sent_closed": ("已处理：#{id}", "Closed: #{id}"),
}
