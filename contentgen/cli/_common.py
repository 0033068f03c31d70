"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """--db PATH|URL, falling back to CONTENTGEN_DB, then ./contentgen.db."""
    return click.option(
        "--db",
        "db",
        type=str,
        default=None,
        metavar="PATH|URL",
        help="Library: a SQLite file or a postgresql:// URL (default: $CONTENTGEN_DB or "
             "./contentgen.db).",
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


def brief_options(f: F) -> F:
    """The flags that make one Brief (shared by `generate`, `prompts render` and others)."""
    opts = [
        click.option("--industry", help="finance, health, cosmetics, food, education, manufacturing, retail"),
        click.option("--segment", help="<lifecycle>.<value tier>, e.g. dormant.mass"),
        click.option("--persona", default="approachable", show_default=True),
        click.option("--content-type", "content_type", help="copy, short_video_script, push"),
        click.option("--channel", help="sms, app_push, wecom_1v1, group, moments, official_account, video_account"),
        click.option("--locale", default="zh-CN", show_default=True),
        click.option("--product", help="Product or service name."),
        click.option("--product-type", "product_type", default=None,
                     help="Where it changes the law and the required statements: deposit, fund, insurance, loan, "
                          "drug, medical_device, health_food... (default: inferred from the product)."),
        click.option("--selling-point", "selling_points", multiple=True, help="Repeatable."),
        click.option("--offer", default=None),
        click.option("--brand", default=None,
                     help="The name customers know the sender by; an SMS opens with it (【…】, \"…:\")."),
        click.option("--interest", "interests", multiple=True, help="Customer interest; repeatable."),
        click.option("--preferred-time", "preferred_times", multiple=True, help="e.g. 'fri 12:00'; repeatable."),
        click.option("--days-since-added", type=int, default=None),
        click.option("--objective", default=None, help="reactivate, welcome, repurchase, vip_care, event"),
        click.option("--prompt", "prompt", default=None, help="Explicit prompt id."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


BRIEF_OPTION_NAMES = (
    "industry", "segment", "persona", "content_type", "channel", "locale", "product", "product_type",
    "selling_points", "offer", "brand", "interests", "preferred_times", "days_since_added",
    "objective", "prompt",
)


def brief_from_options(options: dict[str, Any]) -> Any:
    """Build a Brief from brief_options values; a missing or bad value is a one-line UsageError."""
    from pydantic import ValidationError

    from contentgen.kernel.errors import BriefError, validation_message
    from contentgen.kernel.schemas import Brief

    data = {k: options.get(k) for k in BRIEF_OPTION_NAMES}
    missing = [k for k in ("industry", "segment", "content_type", "channel", "product") if not data[k]]
    if missing:
        flags = ", ".join("--" + m.replace("_", "-") for m in missing)
        raise BriefError(f"missing {flags} (or give a briefs file)")
    for k in ("selling_points", "interests", "preferred_times"):
        data[k] = list(data[k] or ())
    try:
        return Brief(**{k: v for k, v in data.items() if v is not None})
    except ValidationError as e:
        raise BriefError(validation_message(e)) from None
