"""A draft as its recipient sees it: the channel payload, rendered by the delivery API's own
templates (templates/<channel>.*.j2), laid out as a chat bubble, a moments card, an SMS, an
app notification, an official-account article or a video storyboard.

Every piece of text that reaches the HTML goes through html_text or highlight_html (see _safe);
the boxes around it are ours. Findings are marked where their text appears in the payload.

    preview(material, version)          # in a page
    html = preview_html("sms", payload, content, findings, "zh-CN", tr=t)   # pure, for tests
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from contentgen.kernel import vocab
from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.schemas import CONTENT_MODELS, VideoScriptContent, content_fields
from library.payloads import PayloadRenderer
from library.released import ITEM_FIELDS
from review_ui._highlight import by_field, highlight_html
from review_ui._safe import html_text, md
from review_ui._session import n, settings, t

Tr = Callable[..., str]
Grouped = Mapping[str | None, list[Any]]

# Light boxes with dark text, whatever the app theme: this is the recipient's phone, not the app.
_INK = "color:#1f2328;overflow-wrap:anywhere;word-break:break-word;line-height:1.55"
_SCREEN = f"background:#ededed;border-radius:10px;padding:12px;max-width:620px;margin-bottom:8px;{_INK}"
_BUBBLE = "background:#ffffff;border-radius:8px;padding:8px 12px;min-width:0;flex:1 1 auto"
_AVATAR = "width:36px;height:36px;border-radius:6px;flex:none;background:{c}"
_SMALL = "font-size:0.8em;color:#57606a"
_LINK = "color:#0969da"


@functools.lru_cache(maxsize=4)
def _renderer(templates_dir: Path) -> PayloadRenderer:
    # The very renderer the delivery API uses (not a copy), so the preview cannot drift from
    # what is sent.
    return PayloadRenderer(templates_dir)


def payload_of(material: Any, version: Any) -> dict[str, Any]:
    """The payload the delivery API would serve for this version: {"format", "body"}."""
    row: dict[str, Any] = {k: getattr(material, k, None) for k in ITEM_FIELDS}
    row.update(version=version.version, title=version.title, content=dict(version.content))
    return dict(_renderer(settings().templates_dir.resolve()).render(row))


def _marks(piece: str, fields: Mapping[str, str], grouped: Grouped) -> list[dict[str, Any]]:
    """The findings whose text sits in piece, with offsets moved into it (checked, not guessed):
    piece holds a whole field (a text payload), or a field holds piece (one paragraph)."""
    out: list[dict[str, Any]] = []
    cursor = 0
    for name, text in fields.items():
        found = grouped.get(name) or []
        core = text.strip()
        if not core:
            continue
        at = piece.find(core, cursor)
        at = piece.find(core) if at < 0 else at
        if at >= 0:  # the template trims fields: shift by what trimming took off the front
            shift, cursor = at - (len(text) - len(text.lstrip())), at + len(core)
        elif (inner := text.find(piece.strip())) >= 0 and piece.strip():
            shift = -inner + (len(piece) - len(piece.lstrip()))
        else:
            continue
        for f in found:
            start, end = int(f.get("start") or 0) + shift, int(f.get("end") or 0) + shift
            if 0 <= start < end <= len(piece) and piece[start:end] == text[start - shift:end - shift]:
                out.append({**f, "start": start, "end": end})
    return out


@dataclass(frozen=True)
class _Ctx:
    fields: dict[str, str]
    grouped: Grouped
    locale: str
    tr: Tr

    def text(self, piece: str) -> str:
        """piece as escaped HTML with its findings marked."""
        return highlight_html(piece, _marks(piece, self.fields, self.grouped))


def _chat(ctx: _Ctx, body: str, header: str, avatar: str) -> str:
    return (f'<div class="cg-preview" style="{_SCREEN}"><div style="{_SMALL};margin-bottom:6px">'
            f'{html_text(header)}</div><div style="display:flex;gap:8px;align-items:flex-start">'
            f'<div style="{_AVATAR.format(c=avatar)}"></div>'
            f'<div style="{_BUBBLE}">{ctx.text(body)}</div></div></div>')


def _wecom(ctx: _Ctx, body: Any) -> str:
    return _chat(ctx, str(body), ctx.tr("view_wecom_header"), "#2b7de9")


def _group(ctx: _Ctx, body: Any) -> str:
    return _chat(ctx, str(body), ctx.tr("view_group_header"), "#07c160")


def _sms(ctx: _Ctx, body: Any) -> str:
    text = str(body)
    limit = vocab.channel_limit("sms", "body", ctx.locale)
    count = ctx.tr("view_length", n=len(text), limit=limit) if limit else ""
    return (f'<div class="cg-preview" style="{_SCREEN}"><div style="{_SMALL};text-align:center">'
            f'{html_text(ctx.tr("view_sms_header"))}</div><div style="{_BUBBLE};background:#e5e5ea;'
            f'margin-top:6px;max-width:85%">{ctx.text(text)}</div>'
            f'<div style="{_SMALL};margin-top:6px">{html_text(count)}</div></div>')


def _push(ctx: _Ctx, body: Any) -> str:
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {"body": str(body)}
    window: Mapping[str, Any] = data.get("send_window") or {}
    link = data.get("deeplink")
    when = ctx.tr("view_send_window", start=window.get("start", "?"), end=window.get("end", "?"))
    return (f'<div class="cg-preview" style="{_SCREEN};background:#dfe3e8">'
            f'<div style="{_BUBBLE};box-shadow:0 1px 3px rgba(0,0,0,.15)">'
            f'<div style="{_SMALL};display:flex;gap:6px;align-items:center">'
            f'<span style="{_AVATAR.format(c="#8250df")};width:16px;height:16px;border-radius:4px">'
            f'</span>{html_text(ctx.tr("view_push_app"))} · {html_text(ctx.tr("view_now"))}</div>'
            f'<div style="font-weight:600">{ctx.text(str(data.get("title") or ""))}</div>'
            f'<div>{ctx.text(str(data.get("body") or ""))}</div>'
            + (f'<div style="{_SMALL};{_LINK}">{html_text(link)}</div>' if link else "")
            + f'</div><div style="{_SMALL};margin-top:6px">{html_text(when)}</div></div>')


def _moments(ctx: _Ctx, body: Any) -> str:
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {"text": str(body)}
    images = int(data.get("images") or 0)
    tile = ("aspect-ratio:1;background:#c9ced6;border-radius:4px;display:flex;align-items:center;"
            f"justify-content:center;{_SMALL}")
    grid = "".join(f'<div style="{tile}">{html_text(ctx.tr("view_image", i=i))}</div>'
                   for i in range(1, min(images, 9) + 1))
    return (f'<div class="cg-preview" style="{_SCREEN};background:#fff;border:1px solid #d0d7de">'
            f'<div style="display:flex;gap:10px"><div style="{_AVATAR.format(c="#d4a017")}"></div>'
            f'<div style="min-width:0;flex:1"><div style="color:#576b95;font-weight:600">'
            f'{html_text(ctx.tr("view_moments_header"))}</div><div>{ctx.text(str(data.get("text") or ""))}'
            f'</div><div style="display:grid;grid-template-columns:repeat(3,minmax(0,90px));gap:4px;'
            f'margin-top:8px">{grid}</div><div style="{_SMALL};margin-top:6px">'
            f'{html_text(ctx.tr("view_images", n=images))}</div></div></div></div>')


_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]#|])")


def _unmarkdown(block: str) -> str:
    """Undo the templates' md_inline escaping (Markdown first, then HTML entities)."""
    return html.unescape(_MD_ESCAPED.sub(r"\1", block))


def _article(ctx: _Ctx, body: Any) -> str:
    """A Markdown payload laid out by block: heading, bold line (call to action), tags, text."""
    parts: list[str] = []
    for block in str(body).split("\n\n"):
        block = block.strip()
        if block.startswith("# "):
            parts.append(f'<div style="font-size:1.35em;font-weight:700;margin-bottom:4px">'
                         f"{ctx.text(_unmarkdown(block[2:]))}</div>"
                         f'<div style="{_SMALL};margin-bottom:10px">{html_text(ctx.tr("view_oa_header"))}</div>')
        elif block.startswith("**") and block.endswith("**") and len(block) > 4:
            parts.append(f'<p style="font-weight:700">{ctx.text(_unmarkdown(block[2:-2]))}</p>')
        elif block and all(word.startswith("#") for word in block.split()):
            parts.append(f'<p style="{_LINK}">{ctx.text(_unmarkdown(block))}</p>')
        elif block:
            parts.append(f'<p style="margin:0 0 10px 0">{ctx.text(_unmarkdown(block))}</p>')
    return (f'<div class="cg-preview" style="{_SCREEN};background:#fff;border:1px solid #d0d7de;'
            f'padding:18px">{"".join(parts)}</div>')


def _plain(ctx: _Ctx, body: Any) -> str:
    """A channel without a layout of its own: its text, or each text value of a JSON payload."""
    if isinstance(body, Mapping):
        texts = [str(v) for v in body.values() if isinstance(v, str) and v]
        return f'<div class="cg-preview" style="{_SCREEN}">{"<br>".join(ctx.text(x) for x in texts)}</div>'
    return f'<div class="cg-preview" style="{_SCREEN}">{ctx.text(str(body))}</div>'


LAYOUTS: dict[str, Callable[[_Ctx, Any], str]] = {
    "wecom_1v1": _wecom, "group": _group, "sms": _sms, "app_push": _push, "moments": _moments,
    "official_account": _article,
}


def preview_html(channel: str, payload: Mapping[str, Any], content: Mapping[str, Any],
                 findings: list[Any], locale: str, *, tr: Tr = t) -> str:
    """The payload laid out as the channel shows it, findings marked, every text escaped."""
    model = CONTENT_MODELS[str(content["kind"])].model_validate(dict(content))
    ctx = _Ctx(content_fields(model), by_field(findings), locale, tr)
    layout = LAYOUTS.get(channel)
    if layout is None:
        layout = _article if payload.get("format") == "markdown" else _plain
    return layout(ctx, payload.get("body"))


# ---- the short-video storyboard ----------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    index: int
    start: float
    end: float
    visual: str
    voice_over: str
    caption: str


def timeline(script: VideoScriptContent) -> list[Shot]:
    """Scenes in order with their start and end second (rounded to 0.1 s as the schema adds)."""
    shots, clock = [], 0.0
    for i, s in enumerate(script.scenes, 1):
        end = round(clock + s.duration_s, 1)
        shots.append(Shot(i, clock, end, s.visual, s.voice_over, s.caption))
        clock = end
    return shots


def seconds(value: float) -> str:
    return f"{value:g}"


def storyboard_html(script: VideoScriptContent, findings: list[Any], *, tr: Tr = t) -> str:
    """One panel per scene, in order, with its time range; hook first, call to action last."""
    grouped = by_field(findings)

    def mark(field: str, text: str) -> str:
        return highlight_html(text, grouped.get(field, []))

    def line(label: str, body: str, style: str = "") -> str:
        return (f'<div style="margin-top:4px;{style}"><span style="{_SMALL}">{html_text(label)}: </span>'
                f"{body}</div>") if body else ""

    panels = []
    for s in timeline(script):
        f = f"scenes.{s.index}"
        when = tr("view_scene_range", start=seconds(s.start), end=seconds(s.end))
        panels.append(
            f'<div class="cg-scene" style="background:#fff;border:1px solid #d0d7de;border-radius:8px;'
            f'padding:8px;min-width:0"><div style="font-weight:600">{html_text(tr("view_scene", i=s.index))}'
            f' · {html_text(when)}</div>'
            f'<div style="background:#24292f;color:#f6f8fa;border-radius:4px;padding:8px;margin-top:6px;'
            f'min-height:48px">{mark(f"{f}.visual", s.visual)}</div>'
            + line(tr("view_voice_over"), mark(f"{f}.voice_over", s.voice_over))
            + line(tr("view_caption"), mark(f"{f}.caption", s.caption), "font-weight:600")
            + "</div>")
    return (f'<div class="cg-preview cg-storyboard" style="{_SCREEN};max-width:none">'
            f'<div style="font-size:1.2em;font-weight:700">{mark("title", script.title)}</div>'
            + line(tr("view_hook"), mark("hook", script.hook))
            + '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));'
            f'gap:8px;margin-top:8px">{"".join(panels)}</div>'
            + line(tr("view_cta"), mark("cta", script.cta), "margin-top:8px") + "</div>")


def duration_check(script: VideoScriptContent, channel: str, locale: str, *, tr: Tr = t,
                   name: Callable[[str, object], str] = n) -> tuple[str, list[str]]:
    """The total against the channel's limit (channel registry), and a warning per limit the
    script is over."""
    total = script.total_duration_s
    limit = vocab.channel_limit(channel, "total_duration_s", locale)
    scenes = vocab.channel_limit(channel, "scenes", locale)
    where = name("channel", channel)
    summary = (tr("view_total_of", total=seconds(total), limit=limit) if limit is not None
               else tr("view_total", total=seconds(total)))
    warnings = []
    if limit is not None and total > limit:
        warnings.append(tr("view_over_duration", total=seconds(total), limit=limit, channel=where))
    if scenes is not None and len(script.scenes) > scenes:
        warnings.append(tr("view_over_scenes", n=len(script.scenes), limit=scenes, channel=where))
    return summary, warnings


# ---- the page part --------------------------------------------------------------------------


def preview(material: Any, version: Any) -> None:
    """The version as its recipient sees it. A video is laid out from its script (the template
    makes a shot table for the video team); its payload is still rendered, so a template that
    cannot take it shows here before anyone approves it."""
    content, findings = dict(version.content), list(version.compliance.get("findings", []))
    try:
        payload = payload_of(material, version)
    except ContentgenError as e:  # a broken template is the channel owner's to fix: say so
        st.error(f"{t('view_preview_failed')}: {md(e)}")
        return
    if content.get("kind") == "short_video_script":
        script = VideoScriptContent.model_validate(content)
        summary, warnings = duration_check(script, material.channel, material.locale)
        st.markdown(storyboard_html(script, findings), unsafe_allow_html=True)
        st.markdown(f"**{md(summary)}**")
        for w in warnings:
            st.warning(md(w), icon=":material/timer_off:")
        return
    st.markdown(preview_html(material.channel, payload, content, findings, material.locale),
                unsafe_allow_html=True)
