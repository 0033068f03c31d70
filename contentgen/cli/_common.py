"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """--db PATH, falling back to CONTENTGEN_DB, then ./contentgen.db."""
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False),
        default=None,
        help="Library file (default: $CONTENTGEN_DB or ./contentgen.db).",
    )(f)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    def deco(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices or ("text", "json"))),
            default=default,
            show_default=True,
            help="Output format.",
        )(f)

    return deco


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, list | tuple):
        return [to_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


def emit_json(obj: Any, *, lines: bool = False) -> None:
    """Print JSON (UTF-8, not ASCII-escaped); lines=True prints one compact object per line."""
    data = to_jsonable(obj)
    if lines:
        click.echo(json.dumps(data, ensure_ascii=False, sort_keys=False))
    else:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
