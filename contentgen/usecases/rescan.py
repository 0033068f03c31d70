"""Re-checking stored versions when the rule packs change, with the compliance engine.

    result = rescan(lib, rules_dir)      # CONTENTGEN_RULES_DIR (or rules/) when rules_dir is None
    print(result.summary())

library.rescan walks the library and applies the outcome; this module supplies the engine
(`RulePacks`, one load of the packs per run) and the delivery API's start-up check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from contentgen.compliance import check_content, load_packs
from contentgen.compliance.engine import packs_in_scope
from contentgen.compliance.matcher import Context
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.report import ComplianceReport
from library import rescan as library_rescan
from library.models import RescanResult
from library.rescan import PackSet, Scope
from library.store import Library

# A child of uvicorn's server logger: `contentgen serve` prints the startup summary with its
# own lines at its --log-level; anywhere else it propagates to the root logger as usual.
log = logging.getLogger("uvicorn.error.rescan")


class RulePacks:
    """The compliance engine over one load of the rule packs, shared by every check of a run."""

    def __init__(self, rules_dir: Path | str | None = None):
        self._packs = load_packs(rules_dir or Settings.load().rules_dir)
        self._scoped: dict[Scope, PackSet] = {}

    def packs(self, scope: Scope) -> PackSet:
        hit = self._scoped.get(scope)
        if hit is None:
            scoped = packs_in_scope(self._packs, Context(*scope))
            hit = self._scoped[scope] = frozenset((p.id, p.sha256) for p in scoped)
        return hit

    def check(self, content: BaseModel, scope: Scope) -> ComplianceReport:
        locale, industry, channel, content_type, segment = scope
        report: ComplianceReport = check_content(
            content, locale=locale, industry=industry, channel=channel,
            content_type=content_type, segment=segment, packs=self._packs)
        return report


def rescan(lib: Library, rules_dir: Path | str | None = None, *, dry_run: bool = False,
           started_by: str | None = None,
           progress: Callable[[int], None] | None = None) -> RescanResult:
    """library.rescan.rescan with the rule packs under rules_dir as the engine."""
    return library_rescan.rescan(lib, dry_run=dry_run, started_by=started_by,
                                 engine=RulePacks(rules_dir), progress=progress)


def rescan_before_serving(lib: Library) -> None:
    """The delivery API's on_start: a version the packs now block is withdrawn before anyone can
    fetch it; one summary line in the log. Fails closed: if the rescan cannot run, it raises."""
    try:
        result = rescan(lib)
    except ContentgenError as e:
        log.error("rescan at startup failed, not serving: %s", e)
        raise
    level = logging.WARNING if result.withdrawn or result.failed else logging.INFO
    log.log(level, "%s", result.summary())
