"""Docs that cannot drift: every command has help and is in the README; every file is referenced."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from contentgen.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _commands(group: click.Group, prefix: str = "contentgen") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, path)
    return out


COMMANDS = _commands(cli)


def test_there_are_commands_to_check() -> None:
    names = {p for p, _ in COMMANDS}
    assert {"contentgen generate", "contentgen check", "contentgen library", "contentgen serve"} <= names


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path: str, cmd: click.Command) -> None:
    assert (cmd.help or cmd.short_help or "").strip(), f"{path} has no help text"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert path in readme, f"README.md does not mention `{path}`"


def test_every_rule_pack_is_in_the_rules_reference() -> None:
    reference = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    packs = sorted(p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*.yaml"))
    assert packs
    missing = [p for p in packs if p not in reference and Path(p).stem not in reference]
    assert not missing, f"rules/README.md does not list {missing}"


def test_every_channel_template_is_in_the_templates_reference() -> None:
    reference = (ROOT / "templates" / "README.md").read_text(encoding="utf-8")
    templates = sorted(p.name for p in (ROOT / "templates").glob("*.j2"))
    assert templates
    assert not [t for t in templates if t not in reference]
