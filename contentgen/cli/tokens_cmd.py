"""`contentgen tokens create|list|revoke`: bearer tokens for delivery clients."""

from __future__ import annotations

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import open_library


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke delivery API tokens (stored hashed, scoped to channels)."""


@tokens_group.command("create")
@click.argument("name")
@click.option("--channels", required=True, help="Comma-separated channels, e.g. sms,app_push.")
@db_option
def create_cmd(name: str, channels: str, db: str | None) -> None:
    """Create a token; it is printed once, alone on the last line."""
    from library.users import parse_channels

    scoped = parse_channels(channels)
    token = open_library(db).tokens.create(name, scoped)
    click.echo(f"token {name} for {', '.join(scoped)}; shown once, store it now:")
    click.echo(token)


@tokens_group.command("list")
@format_option("text", "json")
@db_option
def list_cmd(fmt: str, db: str | None) -> None:
    """List tokens (names and channels; never the secrets)."""
    tokens = open_library(db).tokens.list()
    if fmt == "json":
        emit_json(tokens)
        return
    for t in tokens:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        click.echo(f"{t.name:<24} {','.join(t.channels):<40} {state}")


@tokens_group.command("revoke")
@click.argument("name")
@db_option
def revoke_cmd(name: str, db: str | None) -> None:
    """Revoke a token: the delivery API refuses it from now on."""
    t = open_library(db).tokens.revoke(name)
    click.echo(f"revoked {t.name} at {t.revoked_at}")


def register(cli: click.Group) -> None:
    cli.add_command(tokens_group)
