"""`contentgen users add|list`: the people who edit, review and approve."""

from __future__ import annotations

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import open_library


@click.group("users")
def users_group() -> None:
    """Add and list users (operator, reviewer, compliance, admin)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="operator, reviewer, compliance or admin.")
@click.option("--password", default=None, help="Optional login password (stored scrypt-hashed).")
@db_option
def add_cmd(name: str, role: str, password: str | None, db: str | None) -> None:
    """Add a user: `contentgen users add rita --role reviewer`."""
    user = open_library(db).users.add(name, role, password=password)
    click.echo(f"added {user.name} ({user.role})")


@users_group.command("list")
@format_option("text", "json")
@db_option
def list_cmd(fmt: str, db: str | None) -> None:
    """List users and their roles."""
    users = open_library(db).users.list()
    if fmt == "json":
        emit_json(users)
        return
    for u in users:
        click.echo(f"{u.name:<24} {u.role:<11} {'password' if u.has_password else '-':<9} "
                   f"{u.created_at}")


def register(cli: click.Group) -> None:
    cli.add_command(users_group)
