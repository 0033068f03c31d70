"""The channel registry: one YAML file per channel in channels/ ($CONTENTGEN_CHANNELS_DIR).

    reg = load_channels(Path("channels"), locales=vocab.LOCALES, content_types=vocab.CONTENT_TYPES)
    reg["sms"].limit("body", "en-US")     # 160
    reg.ids                                # ("sms", "app_push", ...), in each file's `order`

Every fact that differs by channel lives in its file: the vocabulary (kernel/vocab.py) exposes
them under their old names, and plan scheduling, prompt guidance, the offline writer and the
payload renderer read them from there. The format is described in channels/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from contentgen.kernel.errors import ContentgenError

# The fields channel_problems measures; a limit on any other name would be silently ignored.
LIMIT_FIELDS: tuple[str, ...] = ("title", "body", "headline", "images", "total_duration_s", "scenes")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ID = r"^[a-z][a-z0-9_]*$"
# Read on every start-up (the vocabulary imports it): libyaml's loader is ~10x faster than pure Python.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ChannelFileError(ContentgenError):
    """A channel file that is missing, unreadable or invalid; the message names file and field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Model):
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Intensity(_Model):
    """How much a send disturbs: `weight` counts toward the 7-day budget, `rank` 1 is strongest."""

    weight: int = Field(ge=1, le=10)
    rank: int = Field(ge=1)


class Schedule(_Model):
    send_at: time = Field(description="local time of day when no customer preference applies")
    monthly_cap: int | None = Field(default=None, ge=1, description="sends per customer in 30 days")

    @field_validator("send_at", mode="before")
    @classmethod
    def _hhmm(cls, v: Any) -> Any:
        # Unquoted, YAML 1.1 reads 10:30 as the number 630 (base 60): insist on the quoted form.
        if not isinstance(v, str) or not _HHMM.match(v):
            raise ValueError(f'write the time quoted as "HH:MM", e.g. "10:30" (got {v!r})')
        return v


class Compose(_Model):
    """How a draft is shaped on the channel; the offline writer follows it."""

    # short: one idea and the offer; announcement: a label line opens it; article: sections.
    form: Literal["short", "message", "announcement", "article", "video"] = "message"
    images: tuple[int, ...] = Field(default=(0,), min_length=1, description="images attached, variant by variant")

    @field_validator("images")
    @classmethod
    def _non_negative(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(n < 0 for n in v):
            raise ValueError("image counts cannot be negative")
        return v


class Channel(_Model):
    """One channel's facts, as written in channels/<id>.yaml."""

    id: str = Field(pattern=_ID)
    order: int = Field(ge=0, description="position in every list of channels")
    names: Names
    content_types: tuple[str, ...] = Field(min_length=1)
    limits: dict[str, dict[str, int]] = Field(default_factory=dict)
    intensity: Intensity
    schedule: Schedule
    opt_out: str | None = Field(default=None, description="a statement key of rules/disclosures.yaml")
    deeplink: bool = True
    template: str | None = Field(default=None, pattern=_ID, description="payload template name; default: id")
    compose: Compose = Compose()
    guidance: tuple[str, ...] = ()

    @field_validator("content_types")
    @classmethod
    def _types(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        known: tuple[str, ...] | None = (info.context or {}).get("content_types")
        bad = [t for t in v if known is not None and t not in known]
        if bad and known is not None:
            raise ValueError(f"unknown content type {bad[0]!r}; choose from {', '.join(known)}")
        return v

    @field_validator("limits")
    @classmethod
    def _limits(cls, v: dict[str, dict[str, int]], info: ValidationInfo) -> dict[str, dict[str, int]]:
        locales = (info.context or {}).get("locales")
        for name, per_locale in v.items():
            if name not in LIMIT_FIELDS:
                raise ValueError(f"unknown field {name!r}; limits apply to {', '.join(LIMIT_FIELDS)}")
            if "*" not in per_locale:
                raise ValueError(f"{name}: give a '*' value for every locale, then any overrides")
            for loc, n in per_locale.items():
                if loc != "*" and locales is not None and loc not in locales:
                    raise ValueError(f"{name}: unknown locale {loc!r}; use '*' or one of {', '.join(locales)}")
                if n < 0:
                    raise ValueError(f"{name}.{loc}: a limit cannot be negative")
        return v

    @property
    def template_name(self) -> str:
        return self.template or self.id

    def limit(self, field: str, locale: str) -> int | None:
        """The limit for one field in one locale, or None when unlimited."""
        per_locale = self.limits.get(field)
        if per_locale is None:
            return None
        return per_locale.get(locale, per_locale.get("*"))

    def images_for(self, variant: int) -> int:
        """How many images the offline writer attaches to this variant."""
        counts = self.compose.images
        return counts[(max(1, variant) - 1) % len(counts)]


class ChannelRegistry:
    """Every channel of one folder, in `order`."""

    def __init__(self, channels: list[Channel], folder: Path):
        self.folder = folder
        self.channels: tuple[Channel, ...] = tuple(sorted(channels, key=lambda c: (c.order, c.id)))
        self._by_id = {c.id: c for c in self.channels}
        self.strongest_rank = min((c.intensity.rank for c in self.channels), default=1)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def __getitem__(self, channel_id: str) -> Channel:
        return self._by_id[channel_id]

    def get(self, channel_id: str) -> Channel | None:
        return self._by_id.get(channel_id)

    def __contains__(self, channel_id: object) -> bool:
        return channel_id in self._by_id

    def __iter__(self) -> Iterator[Channel]:
        return iter(self.channels)

    def __len__(self) -> int:
        return len(self.channels)

    def strongest(self, channel_id: str) -> bool:
        """Whether the channel is of the strongest (most disturbing) rank."""
        return self._by_id[channel_id].intensity.rank == self.strongest_rank


def load_channels(folder: Path | str, *, locales: tuple[str, ...], content_types: tuple[str, ...]) -> ChannelRegistry:
    """Read and check every <id>.yaml of the folder; read once per folder."""
    return _load(Path(folder).resolve(), tuple(locales), tuple(content_types))


@lru_cache(maxsize=8)
def _load(folder: Path, locales: tuple[str, ...], content_types: tuple[str, ...]) -> ChannelRegistry:
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        raise ChannelFileError(
            f"{folder}: no channel files (<id>.yaml); set CONTENTGEN_CHANNELS_DIR or restore channels/ from git"
        )
    context = {"locales": locales, "content_types": content_types}
    channels = [_read(path, context) for path in paths]
    _check_together(channels, paths)
    return ChannelRegistry(channels, folder)


def _read(path: Path, context: dict[str, Any]) -> Channel:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ChannelFileError(f"{path}: not readable YAML/UTF-8: {e}") from None
    if not isinstance(data, dict):
        raise ChannelFileError(f"{path}: expected a mapping of channel fields (see channels/README.md)")
    try:
        channel = Channel.model_validate(data, context=context)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ChannelFileError(f"{path}: {where}: {err['msg'].removeprefix('Value error, ')}") from None
    if channel.id != path.stem:
        raise ChannelFileError(f"{path}: id: {channel.id!r} must match the file name ({path.stem}.yaml)")
    return channel


def _check_together(channels: list[Channel], paths: list[Path]) -> None:
    """What no single file can check: distinct positions, and rank agreeing with weight."""
    seen: dict[int, Path] = {}
    for channel, path in zip(channels, paths, strict=True):
        if channel.order in seen:
            raise ChannelFileError(f"{path}: order: {channel.order} is already taken by {seen[channel.order].name}")
        seen[channel.order] = path
    for a, pa in zip(channels, paths, strict=True):
        for b in channels:
            # A stronger rank must not weigh less: the budget and the strongest-channel gap agree.
            if a.intensity.rank < b.intensity.rank and a.intensity.weight < b.intensity.weight or (
                a.intensity.rank == b.intensity.rank and a.intensity.weight != b.intensity.weight
            ):
                raise ChannelFileError(
                    f"{pa}: intensity: rank {a.intensity.rank} weight {a.intensity.weight} disagrees with "
                    f"{b.id} (rank {b.intensity.rank} weight {b.intensity.weight}); a stronger rank weighs at least as much"
                )
