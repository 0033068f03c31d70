"""Read many briefs from a YAML or JSON Lines file; bad entries are reported with their line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from contentgen.generate import Failure, Job, jobs_for
from contentgen.kernel.errors import BriefError
from contentgen.kernel.schemas import Brief

MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class _BadLine:
    """A line that is not JSON: reported as such, not as "not a mapping"."""

    problem: str


def load_jobs(path: str | Path, *, default_variants: int = 1) -> tuple[list[Job], list[Failure]]:
    """Jobs for every valid brief in the file, and a Failure (with file:line) for every bad one.

    YAML: a list of brief mappings, or {defaults: {...}, briefs: [...]}. JSONL: one object a line.
    Each brief may carry `variants`.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise BriefError(f"cannot read briefs file {p}: {e.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BriefError(f"briefs file {p} is over {MAX_FILE_BYTES // 2**20} MB; split it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BriefError(f"{p} is not UTF-8 (byte {e.start})") from None
    entries = _jsonl(p, text) if p.suffix.lower() in {".jsonl", ".ndjson"} else _yaml(p, text)
    jobs: list[Job] = []
    failures: list[Failure] = []
    for where, data in entries:
        if isinstance(data, _BadLine):
            failures.append(Failure("", 0, None, data.problem, where))
            continue
        if not isinstance(data, dict):
            failures.append(Failure("", 0, None, "a brief must be a mapping of fields", where))
            continue
        data = dict(data)
        variants = data.pop("variants", default_variants)
        try:
            brief = Brief(**data)
            jobs += jobs_for(brief, int(variants), where)
        except ValidationError as e:
            from contentgen.kernel.errors import validation_message

            failures.append(Failure("", 0, data, validation_message(e), where))
        except (TypeError, ValueError) as e:
            failures.append(Failure("", 0, data, str(e), where))
        except BriefError as e:
            failures.append(Failure("", 0, data, str(e), where))
    if not jobs and not failures:
        raise BriefError(f"{p} holds no briefs")
    return jobs, failures


def _jsonl(p: Path, text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    # JSON Lines ends lines with "\n" only: str.splitlines would also break on U+2028, U+2029,
    # U+0085 (valid raw inside a JSON string), rejecting the brief and shifting every later line.
    for n, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            out.append((f"{p}:{n}", json.loads(line)))
        except json.JSONDecodeError as e:
            out.append((f"{p}:{n}", _BadLine(f"invalid JSON: {e.msg} (column {e.colno})")))
    return out


def _yaml(p: Path, text: str) -> list[tuple[str, Any]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise BriefError(f"{where}: invalid YAML: {getattr(e, 'problem', e)}") from None
    defaults: dict[str, Any] = {}
    items_node = node
    if isinstance(data, dict):
        defaults = data.get("defaults") or {}
        data = data.get("briefs")
        items_node = next(
            (v for k, v in getattr(node, "value", []) if getattr(k, "value", None) == "briefs"), None
        )
    if not isinstance(data, list) or items_node is None:
        raise BriefError(f"{p}: expected a list of briefs (or a mapping with a 'briefs' list)")
    lines = [f"{p}:{n.start_mark.line + 1}" for n in items_node.value]
    return [
        (where, {**defaults, **item} if isinstance(item, dict) else item)
        for where, item in zip(lines, data, strict=True)
    ]
