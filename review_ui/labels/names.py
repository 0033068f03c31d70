"""Human names of vocabulary identifiers: "<kind>:<identifier>" -> (zh, en)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {}
