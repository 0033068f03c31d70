"""The `contentgen` command: a thin wrapper; each command group lives in its own module."""

from __future__ import annotations

import importlib
import sys

import click

from contentgen.kernel.errors import ContentgenError

# One module per command group, each exposing register(cli). Add yours here.
COMMAND_MODULES: list[str] = ["generate_cmd", "prompts_cmd", "demo_cmd", "library_cmd", "users_cmd", "tokens_cmd", "export_cmd", "serve_cmd", "check_cmd", "rules_cmd", "plan_cmd", "events_cmd", "perf_cmd", "slots_cmd", "sent_text_cmd", "db_cmd", "queue_cmd", "feedback_cmd"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="contentgen")
def cli() -> None:
    """Generate, check, review and deliver marketing content for private-domain programmes."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"contentgen.cli.{_name}").register(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: known errors become one line on stderr and an exit code, never a traceback."""
    try:
        rv = cli.main(args=argv, prog_name="contentgen", standalone_mode=False)
    except ContentgenError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.NoArgsIsHelpError as e:
        click.echo(e.ctx.get_help() if e.ctx else str(e))
        sys.exit(2)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)
