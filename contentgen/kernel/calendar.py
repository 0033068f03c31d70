"""Calendar facts shared by plan scheduling (engine) and stored plans (library)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Send:
    """A send already scheduled for the same customers (another plan), counted in the caps."""

    at: datetime  # aware
    channel: str
