"""The long forms of the offline writer: official-account articles and short-video scripts.

An article has a title, a lead, sections with headings and the specifics a buyer asks for (what
the product is, the brief's selling points as a list, one industry section — for manufacturing
specifications, quotes, lead times — the offer, and how to get in touch). A video script is the
plan's moves as scenes: each scene shows what its voice-over says, and its caption is the fact
the voice-over states.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contentgen.kernel.schemas import Scene, VideoScriptContent
from contentgen.providers.offline_voice import clip

if TYPE_CHECKING:
    from contentgen.providers.offline_compose import Composer, Part

_VIDEO_SCENES = 8


def _section(c: Composer, title_path: str, lines: list[str]) -> str:
    title = c.say(title_path).rstrip("。.")
    body = [line for line in lines if line]
    if not title or not body:
        return ""
    return f"## {title}\n" + "\n".join(body)


def article(c: Composer) -> str:
    """The body of an official-account article: lead, sections, required statements."""

    b, f, ind = c.b, c.facts, c.brief.industry
    skip = _NOT_IN_LEAD + (_POINT_MOVES if f.points and not f.said_before(f.points[0]) else ())
    lead = c.finish(c.voice.sep.join(p.text for p in c.parts(skip=skip)[:4]))
    sections = []
    if f.points and not f.said_before(f.points[0]):  # an earlier article of the plan listed them
        bullets = [b["list_bullet"] + clip(c.finish(p), 200) for p in f.points[:6]]
        sections.append(_section(c, "article.what", [c.say("points_intro"), *bullets]))
    for key in _industry_sections(c):
        base = f"article.industry.{ind}.{key}"
        sections.append(_section(c, f"{base}.title", [c.say(f"{base}.l{i}") for i in (1, 2, 3)]))
    if f.exclusive_fits:
        sections.append(_section(c, "article.service_title", [c.move("exclusive")]))
    if f.offer:
        sections.append(_section(c, "article.offer_title", [c.move("offer"), c.move("deadline")]))
    sections.append(_section(c, "article.close_title", [c.say("article.close.l1"), c.say("article.close.l2")]))
    blocks = [lead, *(c.finish(s) for s in sections if s), *c.tail()]
    return "\n\n".join(x for x in blocks if x)


_NOT_IN_LEAD = ("greet", "cta", "offer", "offer_or_service", "deadline", "exclusive", "k:action")
_POINT_MOVES = ("benefit", "detail", "proof")  # listed in the article's own section instead


def _industry_sections(c: Composer) -> list[str]:
    """The industry's fixed sections (manufacturing: specs and quote) and one more by variant."""
    art = c.b["article"]
    # A section may be only for some product kinds ("kinds": a course for children) or not for some
    # ("not_kinds": a health-food FAQ is not about a blood-pressure monitor).
    keys = [k for k, spec in art["industry"][c.brief.industry].items()
            if c.kind in spec.get("kinds", [c.kind]) and c.kind not in spec.get("not_kinds", [])]
    always = [k for k in art.get("always", {}).get(c.brief.industry, []) if k in keys]
    rest = [k for k in keys if k not in always]
    if rest:
        # Variants take different sections (one angle each); the seed shifts which comes first.
        always.append(rest[(c.variant - 1 + c.phrase_seed) % len(rest)])
    return always


def _seconds(text: str, cjk: bool) -> float:
    # Voice-over pace: about 4.5 characters a second in zh/ja, 2.5 words a second in English.
    n = len(text) / 4.5 if cjk else len(text.split()) / 2.5
    return float(min(12, max(3, round(n + 1))))


def video(c: Composer) -> VideoScriptContent:
    """Scenes from the plan's moves: the visual shows what the voice-over says."""

    cjk = c.voice.sep == ""
    # A video opens on its hook (the question, the story, the benefit): a greeting or a "welcome"
    # line is the weakest first second a viewer can scroll past.
    c.spoken = True
    parts = c.parts(skip=("greet", "opener"))
    if len(parts) > _VIDEO_SCENES - 1:
        parts = sorted(sorted(parts, key=lambda p: -p.priority)[: _VIDEO_SCENES - 1], key=parts.index)
    scenes = [_scene(c, p, cjk) for p in parts]
    closing_vo = c.finish(c.voice.sep.join(c.tail()) or c.say("cta"))
    cta = c.cta_field()
    scenes.append(Scene(
        duration_s=_seconds(closing_vo or cta, cjk),
        visual=clip(c.finish(c.say("video.visual.close")), 300),
        voice_over=clip(closing_vo, 300),
        caption=clip(cta, 60),
    ))
    hook = clip(scenes[0].voice_over or c.brief.product, 120)
    title = c.title(f"headline.{c.plan.name}" if c.facts.kind is None else f"kinds.{c.plan.name}.title", 60)
    total = round(sum(s.duration_s for s in scenes), 1)
    return VideoScriptContent(title=title, hook=hook, scenes=scenes, cta=cta, total_duration_s=total)


def _scene(c: Composer, part: Part, cjk: bool) -> Scene:

    f = c.facts
    caption = {
        "benefit": c.point(0) or c.brief.product, "detail": c.point(1), "proof": c.point(2),
        "offer": f.brief.offer or "", "offer_or_service": f.brief.offer or "", "deadline": f.deadline or "",
        "product": c.brief.product, "describe": c.brief.product,
    }.get(part.move, "")
    if not caption:  # a question or a story: the caption names the product, it does not cut the line
        caption = c.say(f"video.caption.{part.move}") or c.brief.product
    kind = part.move if c.node(f"video.visual.{part.move}") else "other"
    visual = c.say(f"video.visual.{kind}", caption=clip(c.finish(caption), 40))
    return Scene(
        duration_s=_seconds(part.text, cjk),
        visual=clip(c.finish(visual or c.brief.product), 300),
        voice_over=clip(c.finish(part.text), 300),
        caption=clip(c.finish(caption), 18 if cjk else 50),
    )
