"""`contentgen demo seed`: demo users, a delivery token and materials at every review stage."""

from __future__ import annotations

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.kernel.config import Settings


@click.group("demo")
def demo() -> None:
    """Demo data for a first look at the review UI and the delivery API."""


@demo.command("seed")
@db_option
@click.option("--rotate-token", is_flag=True, help="Replace the demo delivery token issued earlier.")
@format_option("text", "json")
def seed(db: str | None, rotate_token: bool, fmt: str) -> None:
    """Add demo users (one per role) and demo materials; running it again adds nothing twice."""
    from contentgen import usecases
    from contentgen.usecases.demo import DEMO_PASSWORD, DEMO_TOKEN, DEMO_USERS, seed_demo

    settings = Settings.load(db=db)
    lib = usecases.open_library(settings.db_path)
    try:
        result = seed_demo(lib, settings, rotate_token=rotate_token)
    finally:
        lib.close()
    if fmt == "json":
        emit_json(
            {
                "db": str(settings.db_path),
                "users": [{"name": n, "role": r, "password": DEMO_PASSWORD} for n, r in DEMO_USERS],
                "users_added": result.users_added,
                "materials": [{"id": i, "status": s} for i, s in result.materials],
                "plans": result.plans,
                "token_name": DEMO_TOKEN,
                "token": result.token,
                "notes": result.notes,
            }
        )
        return
    click.echo(f"library: {settings.db_path}")
    click.echo("demo logins (password " + DEMO_PASSWORD + "):")
    for name, role in DEMO_USERS:
        click.echo(f"  {name:<8} {role}")
    counts: dict[str, int] = {}
    for _, status in result.materials:
        counts[status] = counts.get(status, 0) + 1
    click.echo("materials: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    for plan_id in result.plans:
        click.echo(f"plan in review (7 days, reactivate dormant customers): {plan_id}")
    for note in result.notes:
        click.echo(f"note: {note}")
    if result.token:
        click.echo(f"delivery token ({DEMO_TOKEN}, all channels):")
        click.echo(result.token)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
