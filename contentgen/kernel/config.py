"""Settings, with one precedence: argument > environment variable > default.

    Settings.load(db="x.db")  # CONTENTGEN_DB, CONTENTGEN_PROMPTS_DIR, ... fill the rest
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # contentgen/kernel/config.py → the project root


def _path(arg: str | Path | None, env: str, default: Path) -> Path:
    if arg:
        return Path(arg)
    value = os.environ.get(env)
    return Path(value) if value else default


def _db(arg: str | Path | None) -> Path | str:
    """The library: a file path, or a postgresql:// URL kept as it is."""
    value = str(arg) if arg else os.environ.get("CONTENTGEN_DB") or ""
    if value.startswith(("postgresql://", "postgres://")):
        return value
    return Path(value) if value else Path("contentgen.db")


@dataclass(frozen=True)
class Settings:
    db_path: Path | str  # a SQLite file, or a PostgreSQL URL
    prompts_dir: Path
    rules_dir: Path
    templates_dir: Path
    channels_dir: Path
    openai_api_key: str | None
    openai_base_url: str | None
    openai_model: str

    @classmethod
    def load(cls, db: str | Path | None = None, model: str | None = None) -> Settings:
        return cls(
            db_path=_db(db),
            prompts_dir=_path(None, "CONTENTGEN_PROMPTS_DIR", ROOT / "prompts"),
            rules_dir=_path(None, "CONTENTGEN_RULES_DIR", ROOT / "rules"),
            templates_dir=_path(None, "CONTENTGEN_TEMPLATES_DIR", ROOT / "templates"),
            channels_dir=_path(None, "CONTENTGEN_CHANNELS_DIR", ROOT / "channels"),
            openai_api_key=os.environ.get("OPENAI_API_KEY") or None,
            openai_base_url=os.environ.get("OPENAI_BASE_URL") or None,
            openai_model=model or os.environ.get("CONTENTGEN_MODEL") or "gpt-4o-mini",
        )

    @property
    def offline(self) -> bool:
        """No API key means the embedded offline model."""
        return self.openai_api_key is None
