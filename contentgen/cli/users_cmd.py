"""`contentgen users add|list`: the people who edit, review and approve."""

from __future__ import annotations

import os
import sys

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import open_library
from contentgen.kernel.errors import UsageError, check_identifier
from library.models import ROLES
from library.users import check_name


@click.group("users")
def users_group() -> None:
    """Add and list users (operator, reviewer, compliance, admin)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="operator, reviewer, compliance or admin.")
@click.option("--password-stdin", "password_stdin", is_flag=True, default=False,
              help="Read the password from the first line of stdin (for scripts).")
@click.option("--password", default=None,
              help="The password on the command line: VISIBLE in the process list and shell "
                   "history; prefer the prompt, --password-stdin or $CONTENTGEN_PASSWORD.")
@db_option
def add_cmd(name: str, role: str, password_stdin: bool, password: str | None,
            db: str | None) -> None:
    """Add a user: `contentgen users add rita --role reviewer`.

    \b
    The login password (stored scrypt-hashed) comes from, first found:
      --password P          works, but P is visible in the process list (a warning says so)
      --password-stdin      the first line of stdin:  printf '%s\\n' "$PW" | contentgen users ...
      $CONTENTGEN_PASSWORD  the environment
      a hidden prompt, asked twice, when stdin is a terminal (empty: no password)
    Otherwise the user has no password (CLI --as only; no UI login).
    """
    check_name("user", name)
    check_identifier("role", role, ROLES)  # before any prompt: a typo is not worth a password
    secret = _password(password, password_stdin)
    user = open_library(db).users.add(name, role, password=secret)
    click.echo(f"added {user.name} ({user.role})")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _password(flag: str | None, from_stdin: bool) -> str | None:
    """The password from the first source given (see `users add --help`), or None."""
    if flag is not None and from_stdin:
        raise UsageError("give the password one way: --password or --password-stdin, not both")
    if flag is not None:
        click.echo("Warning: --password is visible to other users in the process list and stays "
                   "in shell history; use the prompt, --password-stdin or CONTENTGEN_PASSWORD",
                   err=True)
        return flag
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError("--password-stdin: stdin held no password line")
        return line
    if os.environ.get("CONTENTGEN_PASSWORD"):
        return os.environ["CONTENTGEN_PASSWORD"]
    if _interactive():
        typed = click.prompt("Password (empty: none)", default="", show_default=False,
                             hide_input=True, confirmation_prompt="Repeat the password")
        return str(typed) or None
    return None


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
