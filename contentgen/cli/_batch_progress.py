"""Progress of a queued batch, read from the library: the same bar on any host."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import click

from library import batches

NO_WORKER_HINT_S = 15.0  # nothing started by then: say how to start a worker


def rate_options(f: Any) -> Any:
    """--rpm / --tpm: the provider's limits (CONTENTGEN_RPM / CONTENTGEN_TPM)."""
    f = click.option("--tpm", type=click.FloatRange(min=0, min_open=True), default=None,
                     envvar="CONTENTGEN_TPM", show_envvar=True,
                     help="The provider's tokens per minute; requests are paced to it.")(f)
    return click.option("--rpm", type=click.FloatRange(min=0, min_open=True), default=None,
                        envvar="CONTENTGEN_RPM", show_envvar=True,
                        help="The provider's requests per minute; requests are paced to it "
                             "(shared by every worker of a queue).")(f)


def line(p: batches.Progress) -> str:
    """One line of where a batch stands."""
    state = "complete" if p.complete else "in progress"
    blocked = f" ({p.blocked} blocked by compliance)" if p.blocked else ""
    return (f"{p.batch_id}: {state}: {p.done} done{blocked}, {p.failed} failed, "
            f"{p.running} running, {p.queued} queued of {p.total}")


def watch(lib: Any, batch_id: str, *, quiet: bool = False, poll_s: float = 0.5,
          file: TextIO | None = None) -> batches.Progress:
    """Until the batch is complete: a bar of finished items, what runs and waits beside it."""
    out = file or sys.stderr
    p = batches.progress(lib, batch_id)
    started, hinted = time.monotonic(), False
    if quiet:
        while not p.complete:
            time.sleep(poll_s)
            p = batches.progress(lib, batch_id)
        return p

    def show(_: object = None) -> str:
        return f"{p.running} running, {p.queued} queued, {p.failed} failed"

    with click.progressbar(length=p.total, label=f"batch {batch_id}", file=out, show_pos=True,
                           item_show_func=show) as bar:
        shown = 0
        while True:
            bar.update(p.finished - shown)
            shown = p.finished
            if p.complete:
                break
            if (not hinted and p.running == 0 and p.finished == 0
                    and time.monotonic() - started > NO_WORKER_HINT_S):
                hinted = True
                click.echo("\nno worker has taken a draft yet: start one with "
                           "`contentgen worker` on a host that reaches this database", err=True)
            time.sleep(poll_s)
            p = batches.progress(lib, batch_id)
    return p


def report_failures(lib: Any, batch_id: str) -> int:
    failed = batches.items(lib, batch_id, "failed")
    for it in failed:
        where = f" ({it.source})" if it.source else ""
        click.echo(f"Error: {it.key}{where} failed: {it.error}", err=True)
    return len(failed)
