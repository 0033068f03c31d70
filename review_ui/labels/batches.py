"""Labels of the Batches page (review_ui/pages/batches.py): key -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "page_batches": ("生成批次", "Batches"),
    "bat_intro": ("用 contentgen generate --queue 排队生成的批次。任何主机上的 worker 都会领取草稿；"
                  "这里的进度直接读自素材库，各台主机看到的都一样。",
                  "Batches queued with contentgen generate --queue. Workers on any host take the "
                  "drafts; the progress here is read from the library, so every host shows the same."),
    "bat_none": ("还没有排队的批次。在能连到该数据库的主机上运行 "
                 "contentgen generate --briefs 文件.jsonl --as 你的用户名 --queue，"
                 "再用 contentgen worker 启动 worker。",
                 "No queued batches yet. On a host that reaches this database run "
                 "contentgen generate --briefs file.jsonl --as your-name --queue, "
                 "and start workers with contentgen worker."),
    "bat_sqlite": ("该素材库是一个 SQLite 文件：排队生成需要 PostgreSQL 素材库"
                   "（CONTENTGEN_DB=postgresql://…）。在 SQLite 上，contentgen generate 在本进程内生成。",
                   "This library is a SQLite file: queued generation needs a PostgreSQL library "
                   "(CONTENTGEN_DB=postgresql://…). On SQLite, contentgen generate runs in one process."),
    "bat_open": ("查看批次", "Show batch"),
    "bat_heading": ("批次 {id}", "Batch {id}"),
    "bat_col_batch": ("批次", "Batch"),
    "bat_col_author": ("作者", "Author"),
    "bat_col_source": ("来源", "Source"),
    "bat_col_state": ("状态", "State"),
    "bat_col_progress": ("进度", "Progress"),
    "bat_col_done": ("已完成", "Done"),
    "bat_col_failed": ("失败", "Failed"),
    "bat_help_done": ("已生成并存入素材库的草稿，含被合规拦截的（它们在“我的工作”里等待修改）。",
                      "Drafts generated and saved in the library, blocked ones included (they "
                      "wait in My work for edits)."),
    "bat_help_failed": ("没有生成出草稿的条目，原因见下表。", "Items that produced no draft; the table says why."),
    "bat_col_waiting": ("未结束", "Not finished"),
    "bat_help_waiting": ("worker 正在生成的，加上等待领取的（含稍后重试的）。",
                         "Items a worker is generating now, and those waiting for one (retries "
                         "scheduled for later included)."),
    "bat_blocked_detail": ("其中 {n} 条被合规拦截", "{n} of them blocked by compliance"),
    "bat_waiting_detail": ("{running} 条生成中 · {queued} 条排队中", "{running} running · {queued} queued"),
    "bat_progress_text": ("已结束 {finished} / {total}", "{finished} of {total} finished"),
    "bat_meta": ("作者 {author} · 创建于 {created} · 最近变化 {updated} · 来源 {source}",
                 "By {author} · created {created} · last change {updated} · source {source}"),
    "bat_no_worker": ("还没有 worker 领取草稿：在能连到该数据库的主机上运行 contentgen worker。",
                      "No worker has taken a draft yet: start one with contentgen worker on a host "
                      "that reaches this database."),
    "bat_refreshing": ("每 {s} 秒自动刷新，直到批次结束。", "Refreshes every {s} s until the batch is finished."),
    "bat_retry": ("重试失败的草稿（{n} 条）", "Retry failed drafts ({n})"),
    "bat_retry_not_yours": ("只有批次作者 {author} 或管理员可以重试。",
                            "Only the batch's author, {author}, or an admin may retry it."),
    "bat_retry_failed": ("没能重新排队：{error}。稍后再试，或在命令行重新运行同一条 generate --queue 命令。",
                         "Could not queue the drafts again: {error}. Try again later, or rerun the same "
                         "generate --queue command."),
    "bat_retried": ("已重新排队 {n} 条草稿。", "{n} drafts queued again."),
    "bat_show": ("显示", "Show"),
    "bat_first_rows": ("显示前 {n} 条，共 {total} 条；完整列表：contentgen batch status 批次号 --format json。",
                       "The first {n} of {total}; the full list: contentgen batch status ID --format json."),
    "bat_col_item": ("条目", "Item"),
    "bat_col_line": ("简报位置", "Brief"),
    "bat_col_brief": ("产品 · 渠道 · 语言", "Product · channel · locale"),
    "bat_col_variant": ("变体", "Variant"),
    "bat_col_starts": ("尝试次数", "Starts"),
    "bat_col_material": ("素材", "Material"),
    "bat_col_verdict": ("合规结论", "Verdict"),
    "bat_col_error": ("原因", "Reason"),
    "bat_col_worker": ("worker", "Worker"),
    "bat_col_updated": ("更新时间", "Updated"),
    "batch_status:queued": ("排队中", "Queued"),
    "batch_status:running": ("生成中", "Running"),
    "batch_status:done": ("已完成", "Done"),
    "batch_status:failed": ("失败", "Failed"),
    "batch_state:queued": ("排队中", "Queued"),
    "batch_state:running": ("进行中", "In progress"),
    "batch_state:done": ("已完成", "Complete"),
    "batch_state:failed": ("结束（有失败）", "Finished with failures"),
}
