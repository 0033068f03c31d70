"""`contentgen generate` from flags and from briefs files, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from contentgen.cli import cli

EXAMPLE = [
    "generate", "--industry", "cosmetics", "--segment", "dormant.mass", "--persona", "approachable",
    "--content-type", "short_video_script", "--channel", "video_account", "--locale", "zh-CN",
    "--product", "氨基酸洁面乳", "--selling-point", "温和不紧绷", "--variants", "3", "--format", "json",
]


def test_issue_example_prints_three_drafts_as_json() -> None:
    res = CliRunner().invoke(cli, EXAMPLE)
    assert res.exit_code == 0, res.output
    drafts = json.loads(res.stdout)
    assert len(drafts) == 3
    for d in drafts:
        assert d["prompt_ref"].count("@") == 1 and "+" in d["prompt_ref"]
        assert d["model"] == {"provider": "offline", "name": d["model"]["name"], "offline": True}
        assert d["compliance"]["verdict"] in {"pass", "warn"}
        assert d["content"]["scenes"] and d["content"]["total_duration_s"] > 0
        assert "seed" in d["parameters"] and "elapsed_ms" in d["timing"]
    assert len({d["text"] for d in drafts}) == 3


def test_real_console_script_and_text_output_say_offline(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "contentgen"
    args = [a for a in EXAMPLE if a not in ("--format", "json")]
    proc = subprocess.run([str(exe), *args[:-2], "--variants", "1"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "OFFLINE" in proc.stdout and "氨基酸洁面乳" in proc.stdout
    assert "1 drafts, 0 failed" in proc.stderr


def test_missing_and_bad_flags_are_one_line_usage_errors() -> None:
    exe = Path(sys.executable).parent / "contentgen"
    proc = subprocess.run([str(exe), "generate", "--industry", "finance"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("Error: missing --segment")
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [str(exe), "generate", "--industry", "banking", "--segment", "dormant.mass", "--content-type", "push",
         "--channel", "sms", "--product", "x"], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown industry 'banking'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_briefs_file_reports_bad_entries_by_line_and_keeps_the_good(tmp_path: Path) -> None:
    f = tmp_path / "briefs.yaml"
    f.write_text(
        "defaults: {locale: en-US, persona: professional}\n"
        "briefs:\n"
        "  - {industry: education, segment: new.mass, content_type: push, channel: app_push, product: IELTS Sprint}\n"
        "  - {industry: education, segment: new.mass, content_type: push, channel: moments, product: Bad}\n"
        "  - {industry: food, segment: loyal.high_value, content_type: copy, channel: moments,\n"
        "     product: Aged Pu'er Gift Box, variants: 2}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["generate", "--briefs", str(f), "--format", "json", "-q"])
    assert res.exit_code == 1
    drafts = json.loads(res.stdout)
    assert [d["brief"]["product"] for d in drafts] == ["IELTS Sprint", "Aged Pu'er Gift Box", "Aged Pu'er Gift Box"]
    assert f"{f}:4" in res.stderr and "does not go out on channel 'moments'" in res.stderr


def test_hostile_brief_is_plain_text_never_executed() -> None:
    res = CliRunner().invoke(cli, [
        "generate", "--industry", "retail", "--segment", "active.mass", "--content-type", "copy",
        "--channel", "moments", "--product", "{{ ''.__class__.__mro__ }}", "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    text = json.loads(res.stdout)[0]["text"]
    assert "<class" not in text and "__mro__" in text


def test_save_rerun_does_not_duplicate_or_regenerate(tmp_path: Path) -> None:
    args = ["generate", "--industry", "food", "--segment", "new.mass", "--content-type", "push",
            "--channel", "app_push", "--product", "燕麦脆", "--variants", "2", "--save", "--format", "json", "-q"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    ids = sorted(d["material_id"] for d in json.loads(first.stdout))
    assert len(ids) == 2 and all(d["version"] == 1 for d in json.loads(first.stdout))
    again = CliRunner().invoke(cli, [*args[:-5], "3", *args[-4:]])  # same brief, one more variant
    assert again.exit_code == 0, again.output
    new = json.loads(again.stdout)
    assert [d["variant"] for d in new] == [3]
    assert "2 draft(s) already in the library" in again.stderr
    listed = json.loads(CliRunner().invoke(cli, ["library", "list", "--format", "json"]).stdout)
    assert listed["total"] == 3


def test_brand_flag_opens_an_sms_with_the_sender_and_reaches_the_real_models_prompt() -> None:
    args = ["--industry", "food", "--segment", "dormant.mass", "--content-type", "push", "--channel", "sms",
            "--locale", "zh-CN", "--product", "周末鲜果盒", "--offer", "首单立减10元", "--brand", "果园小铺"]
    res = CliRunner().invoke(cli, ["generate", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    (draft,) = json.loads(res.stdout)
    assert draft["content"]["body"].startswith("【果园小铺】") and draft["brief"]["brand"] == "果园小铺"
    assert "art43-sms-sender" not in json.dumps(draft["compliance"])
    res = CliRunner().invoke(cli, ["prompts", "render", *args])
    assert res.exit_code == 0, res.output
    assert "Open the body with the sender's name as 【果园小铺】" in res.output
    from contentgen.testing import cli_main

    code, _, err = cli_main("generate", *args[:-1], "x" * 31)
    assert code == 2 and err.startswith("Error: brand: String should have at most 30 characters"), err


def test_offline_drafts_carry_the_statement_their_facts_call_for(tmp_path: Path) -> None:
    """A benchmark in the selling points owes its caveat (zh); a ja 機能性表示食品 owes the statement the
    labelling standard prescribes word for word, even in a short push."""
    briefs = [
        {"industry": "finance", "segment": "active.mass", "content_type": "copy", "channel": "moments", "locale": "zh-CN",
         "product": "季季盈R2理财（180天）", "selling_points": ["业绩比较基准2.6%-3.1%", "每180天开放一次"]},
        {"industry": "health", "segment": "active.mass", "content_type": "push", "channel": "app_push", "locale": "ja-JP",
         "product": "機能性表示食品 ラクトトリペプチド飲料", "selling_points": ["血圧が高めの方に"], "offer": "初回30%オフ"},
    ]
    f = tmp_path / "briefs.jsonl"
    f.write_text("\n".join(json.dumps(b, ensure_ascii=False) for b in briefs), encoding="utf-8")
    res = CliRunner().invoke(cli, ["generate", "--briefs", str(f), "--format", "json", "-q", "--variants", "2"])
    assert res.exit_code == 0, res.output
    drafts = json.loads(res.stdout)
    assert len(drafts) == 4
    for d in drafts:
        assert d["compliance"]["verdict"] in {"pass", "warn"}, (d["text"], d["compliance"]["findings"])
    zh = [d["text"] for d in drafts if d["brief"]["locale"] == "zh-CN"]
    ja = [d["text"] for d in drafts if d["brief"]["locale"] == "ja-JP"]
    assert all("业绩比较基准不代表" in t for t in zh)
    assert all("疾病の診断、治療、予防を目的としたものではありません" in t for t in ja)


def test_a_device_is_written_about_as_a_device_not_a_consumable() -> None:
    """A blood-pressure monitor is replaced or serviced, not used up, and has no ingredients."""
    res = CliRunner().invoke(cli, ["generate", "--industry", "health", "--segment", "repurchase.mass",
                                   "--content-type", "copy", "--channel", "moments", "--locale", "zh-CN",
                                   "--product", "上臂式电子血压计", "--selling-point", "大屏显示", "--variants", "3",
                                   "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    for d in json.loads(res.stdout):
        assert not [w for w in ("快用完", "补货", "成分", "营养补充") if w in d["text"]], d["text"]
        assert "#家庭健康" in d["text"] or "#健康监测" in d["text"] or "#居家护理" in d["text"]
    consumable = CliRunner().invoke(cli, ["generate", "--industry", "health", "--segment", "repurchase.mass",
                                          "--content-type", "copy", "--channel", "moments", "--locale", "zh-CN",
                                          "--product", "维生素D软胶囊", "--format", "json", "-q"])
    assert "#家庭健康" not in json.loads(consumable.stdout)[0]["text"]


def test_text_output_lays_a_script_out_as_shots_and_a_copy_with_its_cta() -> None:
    args = [a for a in EXAMPLE if a not in ("--format", "json", "3")]
    args[args.index("--variants") + 1:args.index("--variants") + 1] = ["1"]
    res = CliRunner().invoke(cli, [*args, "-q"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Title: " in out and "Hook: " in out and "Shot 1  0-" in out
    assert "  Visual:     " in out and "  Voice-over: " in out and "\nCTA: " in out
    res = CliRunner().invoke(cli, ["generate", "--industry", "retail", "--segment", "active.mass", "--content-type",
                                   "copy", "--channel", "moments", "--product", "铸铁平底锅", "-q"])
    assert res.exit_code == 0 and "\nCTA: " in res.stdout and "#铸铁平底锅" in res.stdout, res.output


def test_product_type_flag_reaches_the_brief_and_a_bad_one_is_a_usage_error() -> None:
    base = ["generate", "--industry", "finance", "--segment", "active.mass", "--content-type", "copy",
            "--channel", "moments", "--product", "稳享一年期", "--selling-point", "年利率1.75%", "--format", "json"]
    res = CliRunner().invoke(cli, [*base, "--product-type", "deposit"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)[0]
    assert d["brief"]["product_type"] == "deposit"
    assert "投资有风险" not in d["text"]  # a deposit owes no investment-risk warning
    exe = Path(sys.executable).parent / "contentgen"
    proc = subprocess.run([str(exe), *base, "--product-type", "credit"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown product type 'credit'" in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
