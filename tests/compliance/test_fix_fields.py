"""fix_content applies substitutions in every field: scenes and hashtags as well as top-level text."""

from __future__ import annotations

from contentgen.compliance import check_content, fix_content
from contentgen.kernel.schemas import Scene, VideoScriptContent


def test_fix_content_reaches_scene_fields() -> None:
    script = VideoScriptContent(
        title="洁面小课堂", hook="早上洗脸三步走", cta="点击了解",
        scenes=[Scene(duration_s=5, visual="产品特写", voice_over="这是最好的洁面乳", caption="温和")],
        total_duration_s=5,
    )
    report = check_content(script, locale="zh-CN", industry="cosmetics", channel="video_account",
                           content_type="short_video_script")
    assert any(f.field == "scenes.1.voice_over" for f in report.findings)
    fixed, applied = fix_content(script, report)
    assert isinstance(fixed, VideoScriptContent)
    assert "最好" not in fixed.scenes[0].voice_over and applied
    assert fixed.scenes[0].visual == "产品特写" and fixed.title == script.title
