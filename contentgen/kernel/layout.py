"""A content object laid out for a person reading it in a terminal: labelled fields, a script as shots.

`content_text` (schemas) is the flat text compliance reads; this is what an operator reads. Plain
text only: nothing is rendered as markdown or HTML.
"""

from __future__ import annotations

from pydantic import BaseModel

from contentgen.kernel.schemas import CopyContent, PushContent, VideoScriptContent


def readable(content: BaseModel) -> str:
    """The content as an operator reads it: a copy's headline, body, CTA and tags; a script's
    shots with their time, visual, voice-over and caption; a push's title and body."""
    if isinstance(content, VideoScriptContent):
        lines = [f"Title: {content.title}", f"Hook: {content.hook}",
                 f"Length: {content.total_duration_s:g} s, {len(content.scenes)} shots", ""]
        clock = 0.0
        for i, s in enumerate(content.scenes, 1):
            end = clock + s.duration_s
            lines.append(f"Shot {i}  {clock:g}-{end:g} s")
            lines.append(f"  Visual:     {s.visual}")
            if s.voice_over:
                lines.append(f"  Voice-over: {s.voice_over}")
            if s.caption:
                lines.append(f"  Caption:    {s.caption}")
            clock = end
        lines += ["", f"CTA: {content.cta}"]
        return "\n".join(lines)
    if isinstance(content, CopyContent):
        tags = " ".join(f"#{h}" for h in content.hashtags)
        images = f"\n[{content.images} image(s)]" if content.images else ""
        lines = [content.headline, "", content.body, "", f"CTA: {content.cta}"] + ([tags] if tags else [])
        return "\n".join(lines) + images
    if isinstance(content, PushContent):
        head = f"{content.title}\n" if content.title else ""
        window = f"\n[send {content.send_window.start}-{content.send_window.end}]"
        return head + content.body + window
    raise TypeError(f"not a content model: {type(content).__name__}")
