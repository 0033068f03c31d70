"""`contentgen serve`: the delivery API over HTTP (uvicorn)."""

from __future__ import annotations

import socket

import click

from contentgen.cli._common import db_option
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import UsageError


def _bind(host: str, port: int) -> socket.socket:
    """Bind first, so a busy port is one clear line instead of a server log traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UsageError(f"cannot resolve --host {host!r}: {e.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({e.strerror}); pick another with --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8100, show_default=True,
              help="Port (0 picks a free one).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@db_option
def serve(host: str, port: int, log_level: str, db: str | None) -> None:
    """Serve released materials to delivery systems (the delivery API; spec at /openapi.json)."""
    import uvicorn

    from contentgen import usecases
    from library.api import create_app
    from library.api.guard import uvicorn_log_config

    settings = Settings.load(db=db)
    app = create_app(usecases.open_library(settings.db_path), templates_dir=settings.templates_dir,
                     on_start=usecases.rescan_before_serving)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    click.echo(f"Delivery API for {settings.db_path} on http://{host}:{bound} "
               f"(spec: http://{host}:{bound}/openapi.json); Ctrl-C stops it.", err=True)
    # server_header off: no need to tell scanners what we run. The log config masks tokens
    # and query values in every line (a token sent as ?token= would be in the access log).
    # timeout_keep_alive: an idle connection is closed after 5 s; a stalled body, by the app.
    config = uvicorn.Config(app, log_level=log_level, server_header=False,
                            log_config=uvicorn_log_config(), timeout_keep_alive=5)
    uvicorn.Server(config).run(sockets=[sock])


def register(cli: click.Group) -> None:
    cli.add_command(serve)
