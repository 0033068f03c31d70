"""Reviewer decisions fed back into the rules and the prompts.

    found = suggestions(lib)                     # open Suggestion list, mined from the library's edits
    done = accept(lib, "sug-…", actor="carl")    # appended to rules/<locale>/reviewer-suggestions.yaml,
    done.rescan.summary()                        # checked like `rules check`, then the rescan ran
    dismiss(lib, "sug-…", actor="carl", note="brand word, keep it")
    prompt_notes(lib); export_decisions(lib, out)

A suggestion is a term reviewers or operators removed (or replaced the same way) between the
generated and the approved text in at least `min_support` materials, that the current packs do
not already flag; its examples are the real edits. Accepting writes the rule as a warning (the
compliance officer may raise it in the file), and the pack must pass every check before it is
kept; otherwise the file is left as it was and the problems are the error.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from contentgen.compliance import load_packs
from contentgen.compliance.suggestions import Edit, Suggestion, add_to_pack, mine
from contentgen.kernel.config import Settings
from contentgen.kernel.errors import UsageError
from contentgen.usecases.rescan import rescan
from library import feedback
from library.errors import NotFoundError
from library.feedback import prompt_notes
from library.models import RescanResult
from library.store import Library

MIN_SUPPORT = 3

__all__ = ["Accepted", "accept", "dismiss", "export_decisions", "prompt_notes", "suggestions"]


def _rules_dir(rules_dir: Path | str | None) -> Path:
    return Path(rules_dir) if rules_dir is not None else Settings.load().rules_dir


def suggestions(lib: Library, rules_dir: Path | str | None = None, *, min_support: int = MIN_SUPPORT,
                include_decided: bool = False) -> list[Suggestion]:
    """What the library's edits suggest against the packs under rules_dir, most supported first;
    suggestions accepted or dismissed before are left out unless include_decided."""
    if min_support < 2:
        raise UsageError("--min-support is at least 2: one material's edit is an opinion, not a pattern")
    rows = feedback.edits(lib)
    found = mine([Edit(r.material_id, r.locale, r.before, r.after, r.industry, r.channel, r.editor_role)
                  for r in rows], min_support=min_support, packs=load_packs(_rules_dir(rules_dir)))
    if include_decided:
        return found
    done = feedback.decided(lib)
    return [s for s in found if (s.locale, s.term) not in done]


def _find(lib: Library, suggestion_id: str, rules_dir: Path, min_support: int) -> Suggestion:
    done = next((d for d in feedback.decided(lib).values() if d.id == suggestion_id), None)
    if done is not None:
        raise UsageError(f"suggestion {suggestion_id} was {done.status} by {done.actor} at {done.at}")
    for s in suggestions(lib, rules_dir, min_support=min_support):
        if s.id == suggestion_id:
            return s
    raise NotFoundError(f"no open suggestion {suggestion_id} at --min-support {min_support}; "
                        "`contentgen feedback suggest` lists them (with the same --min-support; a term "
                        "decided before, or flagged by the packs by now, is no longer suggested)")


@contextmanager
def _pack_lock(rules_dir: Path, locale: str) -> Iterator[None]:
    """One accept at a time per locale's pack (across processes on this host): each reads the
    pack, appends, checks and records, so a concurrent accept can neither overwrite nor restore
    away another's rule."""
    lock = rules_dir / locale / ".reviewer-suggestions.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Accepted:
    suggestion: Suggestion
    path: Path
    rescan: RescanResult


def accept(lib: Library, suggestion_id: str, *, actor: str, rules_dir: Path | str | None = None,
           min_support: int = MIN_SUPPORT) -> Accepted:
    """Write the suggestion's rule into its locale's reviewer-suggestions pack (every pack checked
    first, the file restored on a problem), record the decision, then rescan the library."""
    feedback.check_decider(lib, actor)
    root = _rules_dir(rules_dir)
    s = _find(lib, suggestion_id, root, min_support)
    with _pack_lock(root, s.locale):
        if (s.locale, s.term) in feedback.decided(lib):  # decided while this one waited for the lock
            raise UsageError(f"suggestion {s.id} ({s.term!r}) was decided meanwhile")
        path = add_to_pack(root, s)
        feedback.decide(lib, s.id, "accepted", actor=actor, locale=s.locale, kind=s.kind, term=s.term,
                        replacement=s.replacement, rule_id=s.rule_id)
    return Accepted(s, path, rescan(lib, root, started_by=actor))


def dismiss(lib: Library, suggestion_id: str, *, actor: str, note: str | None = None,
            rules_dir: Path | str | None = None, min_support: int = MIN_SUPPORT) -> Suggestion:
    """Record that the suggestion is not a rule (it is not suggested again)."""
    feedback.check_decider(lib, actor)
    s = _find(lib, suggestion_id, _rules_dir(rules_dir), min_support)
    feedback.decide(lib, s.id, "dismissed", actor=actor, locale=s.locale, kind=s.kind, term=s.term,
                    replacement=s.replacement, note=(note or "").strip() or None)
    return s


def export_decisions(lib: Library, out: IO[str]) -> int:
    """Every review decision as one JSON line (text, edit, label, reason, reviewer role, scope);
    the number of lines written."""
    rows = feedback.decisions(lib)
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)

