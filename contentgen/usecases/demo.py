"""Demo data for a first look: one user per role and materials at every stage of review.

    seed_demo(Library.open("contentgen.db"))   # idempotent: a rerun adds nothing twice

Materials are written by the configured model (the offline one without an API key), so the
demo shows real drafts with real compliance reports, not hand-made fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.schemas import Brief
from library.errors import NotFoundError
from library.store import Library

DEMO_PASSWORD = "demo1234"
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("olivia", "operator"),
    ("rui", "reviewer"),
    ("chen", "compliance"),
    ("admin", "admin"),
)
DEMO_TOKEN = "demo-delivery"
OPERATOR, REVIEWER = "olivia", "rui"

# Each brief with the stage its material is taken to; the path there is the real workflow.
DEMO_BRIEFS: tuple[tuple[dict[str, Any], str], ...] = (
    (dict(industry="cosmetics", segment="dormant.mass", content_type="short_video_script",
          channel="video_account", product="氨基酸洁面乳", selling_points=["温和不紧绷", "敏感肌可用"]),
     "released"),
    (dict(industry="food", segment="repurchase.price_sensitive", content_type="push",
          channel="sms", product="每日坚果礼盒", selling_points=["独立小包装"], offer="第二盒半价"),
     "released"),
    (dict(industry="finance", segment="loyal.high_value", content_type="copy",
          channel="official_account", product="稳健增利理财计划", selling_points=["专属顾问一对一"]),
     "approved"),
    (dict(industry="health", segment="active.mass", content_type="copy", channel="moments",
          product="益生菌固体饮料", selling_points=["每天一条", "便携"]),
     "in_review"),
    (dict(industry="education", segment="new.mass", content_type="push", channel="wecom_1v1",
          product="少儿编程体验课", selling_points=["小班教学"], locale="zh-CN"),
     "in_review"),
    (dict(industry="retail", segment="churn_risk.mass", content_type="push", channel="app_push",
          product="Weekend picnic basket", selling_points=["Free delivery"], locale="en-US"),
     "in_review"),
    (dict(industry="manufacturing", segment="onboarding.high_value", content_type="copy",
          channel="wecom_1v1", product="高强度PP改性塑料粒子", selling_points=["耐候", "稳定供货"]),
     "changes_requested"),
    (dict(industry="cosmetics", segment="loyal.high_value", content_type="copy", channel="moments",
          product="保湿修护精华", selling_points=["高浓度"], locale="ja-JP"),
     "draft"),
    (dict(industry="retail", segment="active.mass", content_type="copy", channel="group",
          product="不锈钢保温杯", selling_points=["长效保温"]),
     "blocked"),
)
# A plan in review, so the Plans page has a unit to read and approve.
DEMO_PLAN: dict[str, Any] = dict(segment="dormant.mass", objective="reactivate", days=7,
                                 industry="retail", persona="approachable", locale="zh-CN",
                                 offer="老朋友回店礼：满199减30")
# The operator's edit that trips the advertising-law rule: a draft for the compliance queue.
BLOCKING_EDIT = "全网最好的保温杯，"
STAGE_ORDER = ("draft", "in_review", "approved", "released")


@dataclass
class DemoSeed:
    """What a seeding run did; `token` is the plaintext delivery token when one was issued."""

    users_added: list[str] = field(default_factory=list)
    materials: list[tuple[str, str]] = field(default_factory=list)  # (material id, status)
    token: str | None = None
    notes: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # plan ids seeded


def seed_users(lib: Any, result: DemoSeed) -> None:
    for name, role in DEMO_USERS:
        try:
            lib.users.get(name)
        except NotFoundError:
            lib.users.add(name, role, password=DEMO_PASSWORD)
            result.users_added.append(name)


def seed_token(lib: Any, result: DemoSeed, *, rotate: bool) -> None:
    """A delivery token for every channel; rotate=True replaces one issued earlier."""
    from contentgen.kernel import vocab
    live = {t.name for t in lib.tokens.list() if t.revoked_at is None}
    if DEMO_TOKEN in live and rotate:
        lib.tokens.revoke(DEMO_TOKEN)
        live.discard(DEMO_TOKEN)
    if DEMO_TOKEN not in live:
        result.token = lib.tokens.create(DEMO_TOKEN, list(vocab.CHANNELS))
    else:
        result.notes.append(
            f"delivery token {DEMO_TOKEN!r} was issued earlier; rerun with --rotate-token for a new one"
        )


def _advance(lib: Library, material_id: str, target: str, result: DemoSeed) -> str:
    """Take a material forward through the workflow until it reaches target; returns its status."""
    m = lib.get(material_id)
    status, v = m.status, m.current_version
    try:
        if target == "blocked":
            if status == "draft" and v == 1:
                content = dict(lib.get_version(material_id, 1).content)
                content["body"] = BLOCKING_EDIT + content["body"]
                lib.edit(material_id, base_version=1, content=content, actor=OPERATOR)
            return str(lib.get(material_id).status)
        if target == "changes_requested":
            if status == "draft":
                lib.submit(material_id, v, actor=OPERATOR)
                status = "in_review"
            if status == "in_review":
                lib.request_changes(material_id, v, actor=REVIEWER,
                                    reason="请在结尾加上门店地址和营业时间。")
                status = "changes_requested"
            return status
        goal = STAGE_ORDER.index(target)
        while status in STAGE_ORDER and STAGE_ORDER.index(status) < goal:
            if status == "draft":
                lib.submit(material_id, v, actor=OPERATOR)
                status = "in_review"
            elif status == "in_review":
                lib.approve(material_id, v, actor=REVIEWER, reason="符合规范")
                status = "approved"
            elif status == "approved":
                lib.release(material_id, v, actor=REVIEWER)
                status = "released"
    except ContentgenError as e:
        # A draft the rules block stays a draft: the demo shows the gate instead of forcing it.
        result.notes.append(f"{material_id} stays {status}: {e}")
    return status


def seed_demo(lib: Any, settings: Settings | None = None, *, rotate_token: bool = False) -> DemoSeed:
    """Seed users, a delivery token and demo materials; safe to run again and again."""
    from contentgen.generate import Generator, jobs_for

    result = DemoSeed()
    seed_users(lib, result)
    seed_token(lib, result, rotate=rotate_token)
    generator = Generator(settings or Settings.load())
    jobs = [job for brief, _ in DEMO_BRIEFS for job in jobs_for(Brief(**brief), 1)]
    targets = {job.key: target for job, (_, target) in zip(jobs, DEMO_BRIEFS, strict=True)}
    batch = generator.run_sync(jobs, concurrency=4)
    for failure in batch.failures:
        result.notes.append(f"demo brief {failure.key} failed: {failure.error}")
    for draft in batch.drafts:
        mv = lib.save_draft(draft, author=OPERATOR)
        status = _advance(lib, mv.material_id, targets[draft.key], result)
        result.materials.append((mv.material_id, status))
    seed_plan(lib, settings or Settings.load(), result)
    return result


def seed_plan(lib: Any, settings: Settings, result: DemoSeed) -> None:
    """One 7-day reactivation plan, submitted, for reviewing as a unit; once per library."""
    from datetime import date, timedelta

    from contentgen.plans import PlanRequest
    from contentgen.usecases import plans

    if any(p.objective == DEMO_PLAN["objective"] for p in plans.list_plans(lib, limit=50)):
        return
    req = PlanRequest.parse(**DEMO_PLAN, start=date.today() + timedelta(days=1))
    try:
        created = plans.create_plan(req, settings=settings, lib=lib, as_user=OPERATOR)
        assert created.stored is not None  # a library was given
        plans.act_on_plan(lib, created.stored.id, "submit", actor=OPERATOR)
    except ContentgenError as e:
        result.notes.append(f"demo plan not seeded: {e}")
        return
    result.plans.append(created.stored.id)
