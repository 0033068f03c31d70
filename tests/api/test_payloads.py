"""Channel payload templates: every channel renders, output is well formed, errors are clear."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contentgen.kernel import vocab
from contentgen.kernel.config import Settings
from contentgen.kernel.disclosures import load_disclosures
from contentgen.kernel.errors import ChannelTemplateError
from library.payloads import PayloadRenderer, sample_version, self_check

TEMPLATES = Settings.load().templates_dir


@pytest.fixture
def renderer() -> PayloadRenderer:
    return PayloadRenderer(TEMPLATES)


def test_every_channel_has_a_template_that_renders_in_every_locale(renderer: PayloadRenderer) -> None:
    assert renderer.missing_channels() == []
    assert self_check(renderer) == []
    readme = (TEMPLATES / "README.md").read_text()
    for channel in vocab.CHANNELS:
        assert f"`{channel}`" in readme, f"templates/README.md does not list {channel}"


@pytest.mark.parametrize(("locale", "line"), [("zh-CN", "回T退订"), ("ja-JP", "配信停止は「停止」と返信"),
                                              ("en-US", "Reply STOP to opt out.")])
def test_sms_ends_with_the_opt_out_line_of_its_locale(renderer: PayloadRenderer, locale: str, line: str) -> None:
    payload = renderer.render(sample_version("sms", locale, "push"))
    assert payload["format"] == "text" and payload["body"].endswith(line)
    assert payload["body"].startswith("Body line")
    assert line == load_disclosures(Settings.load().rules_dir).text("opt_out.sms", locale)  # one source


@pytest.mark.parametrize(("locale", "own"), [("zh-CN", "拒收请回复R"), ("en-US", "Text STOP to end")])
def test_sms_keeps_an_accepted_opt_out_of_its_own(renderer: PayloadRenderer, locale: str, own: str) -> None:
    v = sample_version("sms", locale, "push")
    v["content"]["body"] = f"Sale today. {own}"
    body = renderer.render(v)["body"]
    assert own in body and body.count("STOP") <= 1 and "回T退订" not in body


def test_json_payloads_escape_hostile_text(renderer: PayloadRenderer) -> None:
    v = sample_version("app_push", "en-US", "push")
    v["content"]["body"] = 'quote " backslash \\ brace } newline \n {{ 7*7 }}'
    body = renderer.render(v)["body"]
    assert body["body"] == v["content"]["body"]  # round-trips exactly; the braces stay text
    moments = sample_version("moments", "zh-CN", "copy")
    moments["content"]["body"] = '"}, "images": 99, "x": "'
    body = renderer.render(moments)["body"]
    assert body["images"] == 1 and '"images": 99' in body["text"]


def test_markdown_escapes_and_the_shot_table_stays_a_table(renderer: PayloadRenderer) -> None:
    v = sample_version("video_account", "en-US", "short_video_script")
    v["content"]["scenes"][0]["visual"] = "split | screen\nwith <b>html</b>"
    md = renderer.render(v)["body"]
    rows = [line for line in md.splitlines() if line.startswith("| 1 ")]
    assert len(rows) == 1 and rows[0].count(" | ") == 4  # the pipe in the cell is escaped
    assert r"split \| screen with &lt;b&gt;html&lt;/b&gt;" in rows[0]
    assert "| Shot | Duration | Visual | Voice-over | Caption |" in md
    article = sample_version("official_account", "zh-CN", "copy")
    article["content"]["body"] = "第一段\n\n# 不是标题\n<script>x</script>"
    md = renderer.render(article)["body"]
    assert md.startswith("# Headline\n\n第一段\n\n\\# 不是标题\n\n&lt;script&gt;")


def test_channels_with_two_content_kinds_render_both(renderer: PayloadRenderer) -> None:
    for channel in ("group", "wecom_1v1"):
        push = renderer.render(sample_version(channel, "zh-CN", "push") | {"id": f"{channel}-p"})["body"]
        copy = renderer.render(sample_version(channel, "zh-CN", "copy") | {"id": f"{channel}-c"})["body"]
        assert "Body line" in push and "app://x" in push
        assert "Headline" in copy and "Para 2" in copy and "Go" in copy


def _copy_templates(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target


def test_broken_templates_are_named_in_the_error(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    (folder / "sms.txt.j2").write_text("{{ content.bodyy }}")
    problems = self_check(PayloadRenderer(folder))
    assert problems and all(p.startswith("sms/") for p in problems)
    assert "sms.txt.j2" in problems[0] and "bodyy" in problems[0]

    (folder / "sms.txt.j2").write_text('{"not": json')
    (folder / "sms.txt.j2").rename(folder / "sms.json.j2")
    with pytest.raises(ChannelTemplateError, match="sms.json.j2 did not produce JSON"):
        PayloadRenderer(folder).render(sample_version("sms", "zh-CN", "push"))


def test_misnamed_duplicate_and_missing_templates(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    (folder / "fax.j2").write_text("x")
    with pytest.raises(ChannelTemplateError, match="fax.j2 is not named"):
        PayloadRenderer(folder)
    (folder / "fax.j2").unlink()
    (folder / "sms.md.j2").write_text("x")
    with pytest.raises(ChannelTemplateError, match="two templates for channel 'sms'"):
        PayloadRenderer(folder)
    (folder / "sms.md.j2").unlink()
    (folder / "moments.json.j2").unlink()
    r = PayloadRenderer(folder)
    assert r.missing_channels() == ["moments"]
    with pytest.raises(ChannelTemplateError, match="no template for channel 'moments'"):
        r.render(sample_version("moments", "zh-CN", "copy"))
    with pytest.raises(ChannelTemplateError, match="does not exist"):
        PayloadRenderer(tmp_path / "nowhere")


def test_the_api_refuses_to_start_with_broken_templates(tmp_path: Path) -> None:
    from library.api.app import create_app

    folder = _copy_templates(tmp_path)
    (folder / "group.txt.j2").write_text("{% if %}")
    with pytest.raises(ChannelTemplateError, match="group"):
        create_app(tmp_path / "lib.db", templates_dir=folder)


def test_rendering_is_cached_per_version(renderer: PayloadRenderer) -> None:
    v = sample_version("sms", "zh-CN", "push") | {"id": "cached", "version": 3}
    first = renderer.render(v)
    v2 = dict(v, content=json.dumps(v["content"] | {"body": "changed"}))
    assert renderer.render(v2) is first  # versions are immutable: (id, version, channel) is enough
    assert renderer.render(v2 | {"version": 4})["body"].startswith("changed")
