"""The pre-send score in review (review_ui/_presend.py)."""

LABELS: dict[str, tuple[str, str]] = {
    "presend_tab": ("预估效果", "Expected outcome"),
    "presend_line": ("预估点击率 {rate}（{low} – {high}），依据 {n} 条相似的已发送内容。",
                     "Expected click rate {rate} ({low} – {high}), from {n} similar past send(s)."),
    "presend_thin": ("找到 {n} 条相似的已发送内容，但触达人数还不够，暂不预估。",
                     "{n} similar past send(s), too few recipients yet for an estimate."),
    "presend_no_history": ("暂无历史：同一客群、同一渠道还没有相似内容的效果数据。",
                           "No history: nothing similar has been sent to this segment on this channel yet."),
    "presend_method": ("依据同一客群、同一渠道、同一语言下文字最相近的已发送版本（字符 n-gram 相似度），"
                       "按相似度加权汇总；区间为 95% Wilson 区间。本素材自己的数据不计入。",
                       "From the past versions sent to the same segment on the same channel in the same "
                       "language whose text is most alike (character n-grams), weighted by likeness; "
                       "95% Wilson interval. This material's own history does not count."),
    "presend_spread": ("这 {n} 条相似内容各自的点击率在 {low} 到 {high} 之间；区间只反映汇总样本的不确定性，"
                       "不反映内容之间的差异。",
                       "The {n} similar sends' own click rates range from {low} to {high}; the interval is "
                       "that of the pooled sends, not of how much they differ."),
    "presend_failed": ("无法计算预估效果", "The expected outcome could not be worked out"),
    "presend_col_metric": ("指标", "Outcome"),
    "presend_col_expected": ("预估", "Expected"),
    "presend_col_interval": ("95% 区间", "95% interval"),
    "presend_col_weight": ("加权触达", "Weighted reach"),
    "presend_evidence": ("依据的内容（最相似在前）", "What it rests on (most alike first)"),
    "presend_col_title": ("标题", "Title"),
    "presend_col_id": ("素材", "Material"),
    "presend_col_similarity": ("相似度", "Likeness"),
    "presend_col_reached": ("触达", "Reached"),
}
