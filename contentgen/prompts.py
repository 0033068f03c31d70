"""The prompt catalog: load every prompt file under prompts/, resolve a brief to the right one.

    catalog = PromptCatalog.load(settings.prompts_dir)
    pf = catalog.resolve(brief)          # most specific file in the brief's family, logged
    r = pf.render(brief, variant=1, variants=3)
    r.system, r.user, r.prompt_ref, r.few_shot

Resolution order and the file format are documented in prompts/README.md.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from contentgen.kernel.errors import PromptError
from contentgen.kernel.schemas import Brief
from contentgen.prompt_context import Guidance
from contentgen.prompt_file import PromptFile, RenderedPrompt
from contentgen.prompt_parse import make_env, parse_file

__all__ = ["PromptCatalog", "PromptFile", "RenderedPrompt", "Resolution", "family_chain"]

log = logging.getLogger("contentgen.prompts")

PROMPT_SUFFIX = ".md"
SKIP_DIRS = ("partials", "plans", "industries")  # partials are included, plans are not prompts

# Which family a lifecycle stage gets when the brief names no objective (first that exists wins).
LIFECYCLE_FAMILIES: dict[str, tuple[str, ...]] = {
    "new": ("welcome",),
    "onboarding": ("onboarding",),
    "active": ("default",),
    "dormant": ("reactivation",),
    "churn_risk": ("retention", "reactivation"),
    "repurchase": ("repurchase",),
    "loyal": ("vip_care",),
}
# Objectives as operators type them → family names.
OBJECTIVE_ALIASES: dict[str, str] = {
    "reactivate": "reactivation",
    "reactivation": "reactivation",
    "wake": "reactivation",
    "welcome": "welcome",
    "ice_breaking": "welcome",
    "break_ice": "welcome",
    "onboard": "onboarding",
    "retain": "retention",
    "retention": "retention",
    "repurchase": "repurchase",
    "vip": "vip_care",
    "vip_care": "vip_care",
    "care": "vip_care",
    "event": "event",
    "campaign": "event",
    "promotion": "event",
}


def family_chain(brief: Brief) -> list[str]:
    """Families to try, in order, for a brief without an explicit prompt id."""
    if brief.objective:
        key = brief.objective.strip().lower().replace("-", "_").replace(" ", "_")
        names: tuple[str, ...] = (OBJECTIVE_ALIASES.get(key, key),)
    else:
        names = LIFECYCLE_FAMILIES.get(brief.lifecycle, ())
    chain = [f"{brief.content_type}/{n}" for n in names]
    default = f"{brief.content_type}/default"
    return chain + ([default] if default not in chain else [])


@dataclass
class Resolution:
    """How a brief was resolved: the chosen file and every step, fallbacks included."""

    prompt_id: str
    steps: list[str] = field(default_factory=list)
    fallback: bool = False


_CACHE: dict[Path, tuple[tuple[tuple[str, float, int], ...], PromptCatalog]] = {}
_CACHE_LOCK = threading.Lock()


class PromptCatalog:
    """All prompt files of one directory, parsed and validated once."""

    def __init__(self, root: Path, files: list[PromptFile], guidance: Guidance, status: str = "production"):
        self.root = root
        self.guidance = guidance
        self.status = status
        # Every version of every id; generation sees one per id: the `status` one, else production.
        self.all_files = sorted(files, key=lambda f: (f.id, version_key(f.version)))
        self._versions: dict[str, list[PromptFile]] = {}
        for f in self.all_files:
            self._versions.setdefault(f.id, []).append(f)
        for pid, versions in self._versions.items():
            live = [f.version for f in versions if f.status == "production"]
            if len(live) > 1:
                raise PromptError(f"{pid}: versions {', '.join(live)} are all production; "
                                  "set the older ones' status to retired (prompts/README.md, Versions)")
        picked = (next((f for f in reversed(vs) if f.status == status), None)
                  or next((f for f in vs if f.status == "production"), None) for vs in self._versions.values())
        self.files = [f for f in picked if f is not None]
        self._by_id = {f.id: f for f in self.files}
        self._views: dict[str, PromptCatalog] = {}

    @classmethod
    def load(cls, root: str | Path) -> PromptCatalog:
        """Load (or reuse, if no file changed) the catalog of a prompts directory."""
        root = Path(root).resolve()
        if not root.is_dir():
            raise PromptError(f"{root}: prompts directory not found; set CONTENTGEN_PROMPTS_DIR")
        stamp = _fingerprint(root)
        with _CACHE_LOCK:
            hit = _CACHE.get(root)
            if hit and hit[0] == stamp:
                return hit[1]
        catalog = cls._parse(root)
        with _CACHE_LOCK:
            _CACHE[root] = (stamp, catalog)
        return catalog

    @classmethod
    def _parse(cls, root: Path) -> PromptCatalog:
        guidance = Guidance.load(root)
        env = make_env(root / "partials")
        files = [parse_file(p, pid, env, guidance) for pid, p in _prompt_paths(root)]
        if not files:
            raise PromptError(f"{root}: no prompt files (*{PROMPT_SUFFIX} under <content_type>/)")
        return cls(root, files, guidance)

    # ---- lookup -------------------------------------------------------------------------
    def ids(self) -> list[str]:
        return [f.id for f in self.files]

    def get(self, prompt_id: str) -> PromptFile:
        """The file with this id (`id@version` or `id@candidate` pins one); PromptError otherwise."""
        pid, _, pin = prompt_id.partition("@")
        if pin:
            return self.version(pid, pin)
        pf = self._by_id.get(pid)
        if pf is None:
            raise PromptError(f"unknown prompt {prompt_id!r}; known: {', '.join(self.ids())}")
        return pf

    def versions(self, prompt_id: str) -> list[PromptFile]:
        """Every version of one id, oldest first, whatever its status."""
        return list(self._versions.get(prompt_id, []))

    def version(self, prompt_id: str, pin: str) -> PromptFile:
        """One version of an id, by version ("1.1.0") or by status ("candidate": the newest one)."""
        versions = self._versions.get(prompt_id)
        if not versions:
            raise PromptError(f"unknown prompt {prompt_id!r}; known: {', '.join(self._versions)}")
        by_status = [f for f in versions if f.status == pin]
        found = by_status[-1:] or [f for f in versions if f.version == pin]
        if not found:
            have = ", ".join(f"{f.version} ({f.status})" for f in versions)
            raise PromptError(f"{prompt_id} has no version or status {pin!r}; it has {have}")
        return found[0]

    def with_status(self, status: str) -> PromptCatalog:
        """The same files, resolving to each id's newest `status` version where one exists."""
        if status == self.status:
            return self
        if status not in self._views:
            self._views[status] = PromptCatalog(self.root, self.all_files, self.guidance, status)
        return self._views[status]

    def family(self, family: str) -> list[PromptFile]:
        """Files whose id is the family or the family plus a '.suffix'."""
        return [f for f in self.files if f.id == family or f.id.startswith(family + ".")]

    def resolve(self, brief: Brief) -> PromptFile:
        """The prompt file for a brief: explicit id, else most specific in its family chain."""
        return self.resolution(brief)[0]

    def resolution(self, brief: Brief) -> tuple[PromptFile, Resolution]:
        """resolve, with how the file was chosen. Returned, never kept on the catalog: one
        catalog is cached per prompts directory and shared by every thread and request."""
        return self._resolve(brief)

    def explain(self, brief: Brief) -> list[str]:
        """The resolution steps for a brief, in words (fallbacks included)."""
        return self._resolve(brief, quiet=True)[1].steps

    def resolve_in(self, family: str, brief: Brief) -> PromptFile:
        """The most specific file of one family that covers the brief (for `prompts show`)."""
        if not self.family(family):
            raise PromptError(f"no prompt family {family!r}; known ids: {', '.join(self.ids())}")
        best = self._best(family, brief)
        if best is None:
            raise PromptError(f"no file in family {family!r} covers {_context(brief)}")
        return best

    def _best(self, family: str, brief: Brief) -> PromptFile | None:
        fits = [f for f in self.family(family) if not f.misfits(brief)]
        return max(fits, key=lambda f: (f.specificity(), f.id), default=None)

    def _resolve(self, brief: Brief, quiet: bool = False) -> tuple[PromptFile, Resolution]:
        steps: list[str] = []

        def note(msg: str, fallback: bool = False) -> None:
            steps.append(msg)
            if not quiet:
                (log.info if fallback else log.debug)(msg)

        if brief.prompt:
            pf = self.get(brief.prompt)
            if pf.content_type != brief.content_type:
                raise PromptError(
                    f"prompt {pf.id} writes {pf.content_type}, but the brief asks for {brief.content_type}"
                )
            note(f"explicit prompt {pf.id} from the brief")
            misfit = pf.misfits(brief)
            if misfit:
                note(f"note: {pf.id} does not declare {', '.join(misfit)}; used because it was named", True)
            return pf, Resolution(pf.id, steps, fallback=bool(misfit))

        fallback = False
        for family in family_chain(brief):
            members = self.family(family)
            if not members:
                note(f"no prompt family {family}; falling back", True)
                fallback = True
                continue
            best = self._best(family, brief)
            if best is None:
                note(f"no file in {family} covers {_context(brief)}; falling back", True)
                fallback = True
                continue
            for f in members:
                if f is not best and f.specificity() > best.specificity():
                    note(f"skipped {f.id}: does not cover {', '.join(f.misfits(brief))}")
            specific = [f for f in members if f.industries == (brief.industry,)]
            if best.industries != (brief.industry,):
                if specific:
                    why = "; ".join(f"{f.id} does not cover {', '.join(f.misfits(brief))}" for f in specific)
                    note(f"{why}; using generic {best.id}", True)
                else:
                    note(f"no {brief.industry}-specific file in {family}; using generic {best.id}", True)
                fallback = True
            note(f"resolved {_context(brief)} to {best.ref}")
            return best, Resolution(best.id, steps, fallback)
        raise PromptError(
            f"no prompt file covers {_context(brief)}; add prompts/{brief.content_type}/default.md "
            "or widen a file's scope"
        )


def _context(brief: Brief) -> str:
    return (f"{brief.content_type} for {brief.industry}/{brief.segment} on {brief.channel} "
            f"in {brief.locale}")


def _prompt_paths(root: Path) -> list[tuple[str, Path]]:
    """(id, path) of every prompt file: <content_type>/<name>.md, skipping data and plan folders."""
    found = []
    for path in sorted(root.rglob(f"*{PROMPT_SUFFIX}")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or rel.parts[0] in SKIP_DIRS:
            continue  # README.md at the top, plans/, partials/
        # <name>@<version>.md is another version of the id <name> (prompts/README.md, Versions).
        found.append(("/".join(rel.with_suffix("").parts).partition("@")[0], path))
    return found


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sortable form of a version: numeric parts as numbers ("1.10.0" after "1.9.0")."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in version.replace("-", ".").split("."))


def _fingerprint(root: Path) -> tuple[tuple[str, float, int], ...]:
    stamp = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (PROMPT_SUFFIX, ".j2", ".yaml", ".yml"):
            st = path.stat()
            stamp.append((str(path), st.st_mtime, st.st_size))
    return tuple(stamp)
