"""Briefs for queue tests and benchmarks: three industries and locales, one poison if asked."""

from __future__ import annotations

from contentgen.generate import Job, jobs_for
from contentgen.kernel.schemas import Brief

PRODUCTS = [("finance", "稳健理财季享计划", "zh-CN", "moments", "copy"), ("cosmetics", "アミノ酸洗顔フォーム", "ja-JP", "wecom_1v1", "copy"),
            ("food", "Weekend fruit box", "en-US", "sms", "push")]


def briefs(n: int, *, variants: int = 1, poison: int | None = None) -> list[Job]:
    """n briefs over three industries and locales; the brief at index `poison` is one no
    model answer can help."""
    jobs: list[Job] = []
    for i in range(n):
        industry, product, locale, channel, content_type = PRODUCTS[i % len(PRODUCTS)]
        brief = Brief(industry=industry, segment="dormant.mass", persona="approachable", content_type=content_type,
                      channel=channel, locale=locale, product=f"{product} {i}" if i != poison else "POISON",
                      selling_points=["fresh every Saturday" if locale == "en-US" else "限定"])
        jobs += jobs_for(brief, variants, source=f"briefs:{i + 1}")
    return jobs
