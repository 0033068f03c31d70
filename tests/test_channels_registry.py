"""The channel registry: one file per channel, and a new channel added from fixture files only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from contentgen.kernel import vocab
from contentgen.kernel.channels import ChannelFileError, load_channels
from contentgen.kernel.config import ROOT, Settings
from contentgen.kernel.disclosures import load_disclosures

CHANNELS = ROOT / "channels"

# A LINE official-account message: what a ja-JP team would add. Only this file and its template
# are new; everything else is the project as it is.
LINE = """\
id: line
order: 7
names: {en: LINE official account message, zh: LINE官方账号消息}
content_types: [push]
limits:
  title: {"*": 0}
  body: {"*": 120, en-US: 240}
intensity: {weight: 2, rank: 2}
schedule: {send_at: "18:15", monthly_cap: 2}
opt_out: opt_out.sms
deeplink: true
compose: {form: short, images: [0]}
guidance:
  - LINE GUIDANCE MARKER - one friendly paragraph, as from the shop to a regular
"""
LINE_TEMPLATE = (
    "{{ content.body | trim }}{% if content.deeplink %} {{ content.deeplink }}{% endif %}"
    "{% if not has_opt_out and opt_out %} {{ opt_out }}{% endif %}"
)

# Run in a fresh interpreter: the registry is read once, when the vocabulary is first imported,
# so the new folders must be in the environment before that.
SCRIPT = textwrap.dedent(
    """
    import json
    from datetime import date

    from contentgen.generate import generate
    from contentgen.kernel import vocab
    from contentgen.kernel.config import Settings
    from contentgen.kernel.errors import PlanConstraintError, check_identifier
    from contentgen.kernel.schemas import Brief, PushContent, channel_problems
    from contentgen.plan_schedule import schedule
    from contentgen.plan_templates import TouchpointSpec
    from contentgen.prompts import PromptCatalog
    from library.payloads import PayloadRenderer, sample_version, self_check

    out = {"channels": list(vocab.CHANNELS), "identifier": check_identifier("channel", "line", vocab.CHANNELS)}
    brief = Brief(industry="retail", segment="active.mass", content_type="push", channel="line",
                  locale="ja-JP", product="ハンドクリーム", offer="2本目半額")
    try:
        Brief(industry="retail", segment="active.mass", content_type="copy", channel="line", product="x")
        out["copy_refused"] = False
    except ValueError as e:
        out["copy_refused"] = "line takes: push" in str(e)
    window = {"start": "10:00", "end": "12:00"}
    out["problems"] = channel_problems(PushContent(title="T", body="あ" * 121, send_window=window), "line", "ja-JP")
    out["fits_en"] = channel_problems(PushContent(title="", body="a" * 200, send_window=window), "line", "en-US")

    step = TouchpointSpec(day=0, channels=("line",), content_type="push", prompt="reactivate", purpose="hello")
    placed = schedule([step], start=date(2026, 12, 1), allowed_channels=["line", "sms"], timezone="Asia/Tokyo")
    out["scheduled"] = [(t.channel, t.local_time.strftime("%H:%M"), t.content_type) for t in placed]
    three = [step.model_copy(update={"day": d}) for d in (0, 2, 4)]
    try:
        schedule(three, start=date(2026, 12, 1), allowed_channels=["line"])
        out["cap"] = None
    except PlanConstraintError as e:
        out["cap"] = e.constraint

    catalog = PromptCatalog.load(Settings.load().prompts_dir)
    rendered = catalog.resolve(brief).render(brief)
    out["prompt"] = rendered.system + "\\n" + rendered.user

    renderer = PayloadRenderer(Settings.load().templates_dir)
    out["self_check"] = self_check(renderer)
    out["payload"] = renderer.render(sample_version("line", "ja-JP", "push"))

    draft = generate(brief, variants=1).drafts[0]
    out["draft"] = {"body": draft.content.body, "deeplink": draft.content.deeplink,
                    "problems": channel_problems(draft.content, "line", "ja-JP")}
    print(json.dumps(out, ensure_ascii=False))
    """
)


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A seventh... eighth channel, from a channel file and a template file in scratch folders."""
    tmp = tmp_path_factory.mktemp("new_channel")
    channels, templates = tmp / "channels", tmp / "templates"
    shutil.copytree(CHANNELS, channels)
    shutil.copytree(Settings.load().templates_dir, templates)
    (channels / "line.yaml").write_text(LINE, encoding="utf-8")
    (templates / "line.txt.j2").write_text(LINE_TEMPLATE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env |= {"CONTENTGEN_CHANNELS_DIR": str(channels), "CONTENTGEN_TEMPLATES_DIR": str(templates),
            "CONTENTGEN_DB": str(tmp / "contentgen.db")}
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300,
                         cwd=tmp)
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def test_a_new_channel_is_in_the_vocabulary_and_keeps_its_content_types(added: dict[str, object]) -> None:
    assert added["channels"] == [*vocab.CHANNELS, "line"]
    assert added["identifier"] == "line" and added["copy_refused"] is True


def test_a_new_channel_gets_its_limits_per_locale(added: dict[str, object]) -> None:
    assert added["problems"] == ["title is 1 on line (ja-JP); the limit is 0",
                                 "body is 121 on line (ja-JP); the limit is 120"]
    assert added["fits_en"] == []


def test_a_new_channel_is_scheduled_at_its_time_under_its_cap(added: dict[str, object]) -> None:
    assert added["scheduled"] == [["line", "18:15", "push"]]
    assert added["cap"] == "monthly cap"  # two a month, and the plan asked for three


def test_a_new_channel_gets_its_guidance_and_opt_out_in_the_prompt(added: dict[str, object]) -> None:
    prompt = str(added["prompt"])
    assert "## Channel: LINE official account message" in prompt
    assert "LINE GUIDANCE MARKER" in prompt and "配信停止は「停止」と返信" in prompt


def test_a_new_channel_renders_a_payload_and_the_offline_model_writes_for_it(added: dict[str, object]) -> None:
    assert added["self_check"] == []
    assert added["payload"] == {"format": "text", "body": "Body line app://x 配信停止は「停止」と返信"}
    draft = added["draft"]
    assert isinstance(draft, dict)
    assert draft["problems"] == [] and str(draft["deeplink"]).startswith("app://")
    assert "ハンドクリーム" in draft["body"] and draft["body"].endswith("配信停止は「停止」と返信")


# ---- the registry itself ----------------------------------------------------------------------


def test_every_channel_file_is_valid_and_its_opt_out_is_a_known_statement() -> None:
    reg = vocab.CHANNEL_REGISTRY
    assert reg.ids == vocab.CHANNELS and len(list(CHANNELS.glob("*.yaml"))) == len(reg)
    lib = load_disclosures(Settings.load().rules_dir)
    for channel in reg:
        assert channel.guidance, f"channels/{channel.id}.yaml has no prompt guidance"
        if channel.opt_out:
            assert lib.text(channel.opt_out, "zh-CN"), channel.id
    assert [c for c in reg if reg.strongest(c.id)] == [reg["wecom_1v1"]]


def _folder(tmp_path: Path, edit: str, new: str, name: str = "sms.yaml") -> Path:
    folder = tmp_path / "channels"
    shutil.copytree(CHANNELS, folder)
    text = (folder / "sms.yaml").read_text(encoding="utf-8")
    assert edit in text
    (folder / "sms.yaml").unlink()
    (folder / name).write_text(text.replace(edit, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("edit", "new", "message"),
    [
        ('send_at: "11:00"', "send_at: 11:00", r"sms.yaml: schedule.send_at: .*quoted"),
        ("content_types: [push]", "content_types: [pushh]", r"sms.yaml: content_types: .*'pushh'"),
        ('body: {"*": 70, en-US: 160}', "body: {en-US: 160}", r"sms.yaml: limits: .*'\*'"),
        ('body: {"*": 70, en-US: 160}', 'body: {"*": 70, fr-FR: 160}', r"sms.yaml: limits: .*'fr-FR'"),
        ("  title: {\"*\": 0}", "  subject: {\"*\": 0}", r"sms.yaml: limits: unknown field 'subject'"),
        ("deeplink: false", "deep_link: false", r"sms.yaml: deep_link: Extra inputs"),
        ("order: 0", "order: 1", r"sms.yaml: order: 1 is already taken by app_push.yaml"),
        ("weight: 2, rank: 2", "weight: 1, rank: 2", r"group.yaml: intensity: rank 2 weight 2 disagrees with sms \(rank 2 weight 1\)"),
        ("compose: {form: short", "compose: {form: tweet", r"sms.yaml: compose.form:"),
    ],
)
def test_a_broken_channel_file_is_named_with_its_field(tmp_path: Path, edit: str, new: str, message: str) -> None:
    folder = _folder(tmp_path, edit, new)
    with pytest.raises(ChannelFileError, match=message):
        load_channels(folder, locales=vocab.LOCALES, content_types=vocab.CONTENT_TYPES)


def test_an_id_must_match_its_file_and_a_folder_must_have_channels(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "id: sms", "id: sms", name="text.yaml")
    with pytest.raises(ChannelFileError, match=r"text.yaml: id: 'sms' must match the file name"):
        load_channels(folder, locales=vocab.LOCALES, content_types=vocab.CONTENT_TYPES)
    with pytest.raises(ChannelFileError, match="no channel files"):
        load_channels(tmp_path / "empty", locales=vocab.LOCALES, content_types=vocab.CONTENT_TYPES)
