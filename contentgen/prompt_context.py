"""Guidance data (segments, personas, industries, channels, locales) and the render context.

The data lives in YAML files under prompts/ so that operators extend it without code; this
module loads it once per catalog and turns a Brief into the variables a prompt body sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from contentgen.kernel import vocab
from contentgen.kernel.disclosures import default_disclosures
from contentgen.kernel.errors import PromptError
from contentgen.kernel.schemas import CONTENT_MODELS, Brief

# Channel guidance is not here: it lives in each channel's file (channels/<id>.yaml, the registry).
DATA_FILES = ("segments.yaml", "personas.yaml", "locales.yaml")

# One distinct angle per variant so that N variants of one brief do not read alike.
ANGLES = (
    "lead with the single most concrete benefit for this customer",
    "open with a small everyday scene or story the customer recognises",
    "open with a question tied to the customer's interests",
    "lead with social proof: what similar customers noticed (no invented numbers)",
    "lead with timing: why this week, this moment, fits the customer",
)

# Hints the field list cannot say by itself.
SCHEMA_HINTS: dict[str, list[str]] = {
    "copy": [
        "hashtags: words without the leading #",
        "images: how many images to attach (0 when none)",
    ],
    "short_video_script": [
        "total_duration_s MUST equal the sum of the scenes' duration_s",
        "the hook is what is seen and heard in the first 3 seconds",
    ],
    "push": [
        "send_window: local times as HH:MM, start before end",
        "deeplink: a scheme://... URL, or null when the channel has none",
    ],
}


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptError(f"{path}: missing data file; restore it from git") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise PromptError(f"{path}{line}: invalid YAML: {getattr(e, 'problem', e)}") from None


def _need(path: Path, data: Any, *keys: str) -> None:
    if not isinstance(data, dict):
        raise PromptError(f"{path}: expected a mapping at the top level")
    for k in keys:
        if k not in data:
            raise PromptError(f"{path}: missing key {k!r}")


def localized(value: Any, locale: str) -> Any:
    """Pick the locale's entry from a {locale: text} mapping; plain values pass through."""
    if isinstance(value, dict) and set(value) <= set(vocab.LOCALES) | {"*"}:
        return value.get(locale, value.get("*", value.get("en-US")))
    return value


@dataclass(frozen=True)
class Guidance:
    """All data files of one prompts directory, validated."""

    segments: dict[str, Any]
    personas: dict[str, Any]
    locales: dict[str, Any]
    industries: dict[str, Any]

    @classmethod
    def load(cls, root: Path) -> Guidance:
        data = {name: _read_yaml(root / name) for name in DATA_FILES}
        seg_path = root / "segments.yaml"
        _need(seg_path, data["segments.yaml"], "lifecycles", "value_tiers", "touch_models", "phases")
        for kind, ids in (("lifecycles", vocab.LIFECYCLES), ("value_tiers", vocab.VALUE_TIERS)):
            missing = [i for i in ids if i not in data["segments.yaml"][kind]]
            if missing:
                raise PromptError(f"{seg_path}: {kind} lacks {', '.join(missing)}")
        for name, ids in (
            ("personas.yaml", vocab.PERSONAS),
            ("locales.yaml", vocab.LOCALES),
        ):
            _need(root / name, data[name], *ids)
        industries: dict[str, Any] = {}
        for ind in vocab.INDUSTRIES:
            path = root / "industries" / f"{ind}.yaml"
            if not path.exists():
                raise PromptError(
                    f"{path}: missing guidance for industry {ind!r}; copy another industry's file"
                )
            doc = _read_yaml(path)
            _need(path, doc, "name", "stress", "avoid", "notices")
            industries[ind] = doc
        return cls(
            segments=data["segments.yaml"],
            personas=data["personas.yaml"],
            locales=data["locales.yaml"],
            industries=industries,
        )

    def context(
        self, brief: Brief, output_schema: str, variant: int, variants: int, extra: dict[str, Any]
    ) -> dict[str, Any]:
        """The variables a prompt body sees: brief data and the guidance that applies to it."""
        loc = brief.locale
        data = brief.model_dump(mode="json")
        return {
            "brief": data,
            "brief_json": _dumps(data),
            "locale": self._cached(("locale", loc), lambda: self._locale(loc)),
            "segment": self._segment(brief),
            "persona": self._cached(("persona", brief.persona, loc), lambda: self._persona(brief.persona, loc)),
            "industry": self._cached(("industry", brief.industry, loc), lambda: self._industry(brief.industry, loc)),
            "channel": self._cached(("channel", brief.channel, loc), lambda: self._channel(brief.channel, loc)),
            "schema": {"name": output_schema, "fields": _schema_outline(output_schema),
                       "hints": SCHEMA_HINTS.get(output_schema, [])},
            "variant": variant,
            "variants": variants,
            "angle": ANGLES[(variant - 1) % len(ANGLES)],
            "output_schema": output_schema,
            "extra": extra,
        }

    def __post_init__(self) -> None:
        object.__setattr__(self, "_memo", {})

    def _cached(self, key: tuple[str, ...], make: Any) -> Any:
        memo: dict[tuple[str, ...], Any] = self._memo  # type: ignore[attr-defined]
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def _locale(self, loc: str) -> dict[str, Any]:
        return {"id": loc, **self.locales[loc]}

    def _segment(self, brief: Brief) -> dict[str, Any]:
        seg = self.segments
        touch = seg["touch_models"].get(brief.touch_model) if brief.touch_model else None
        phase = None
        if brief.days_since_added is not None:
            for p in seg["phases"]:
                if p.get("max_days") is None or brief.days_since_added <= p["max_days"]:
                    phase = p
                    break
        return {
            "id": brief.segment,
            "lifecycle": {"id": brief.lifecycle, **seg["lifecycles"][brief.lifecycle]},
            "tier": {"id": brief.value_tier, **seg["value_tiers"][brief.value_tier]},
            "touch": touch,
            "phase": phase,
        }

    def _persona(self, pid: str, loc: str) -> dict[str, Any]:
        p = self.personas[pid]
        return {"id": pid, **{k: localized(v, loc) for k, v in p.items()}}

    def _industry(self, ind: str, loc: str) -> dict[str, Any]:
        d = self.industries[ind]
        return {
            "id": ind,
            "name": localized(d["name"], loc),
            "stress": d["stress"],
            "avoid": d["avoid"],
            "notices": [
                {"text": localized(n["text"], loc), "when": n.get("when", "always")}
                for n in d["notices"]
            ],
        }

    def _channel(self, ch: str, loc: str) -> dict[str, Any]:
        d = vocab.CHANNEL_REGISTRY[ch]
        limits = {field: d.limit(field, loc) for field in d.limits}
        return {
            "id": ch,
            "name": d.names.en,  # prompts are written in English whatever the locale
            "intensity": d.intensity.weight,
            "limits": {k: v for k, v in limits.items() if v is not None},
            "guidance": list(d.guidance),
            "opt_out": default_disclosures().text(d.opt_out, loc) if d.opt_out else None,
        }


def brief_json(brief: Brief) -> str:
    """Compact JSON of the brief for the <brief> block; '<' is escaped so brief text cannot open or close a tag."""
    return _dumps(brief.model_dump(mode="json"))


def _dumps(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


@cache
def _schema_outline(name: str) -> tuple[str, ...]:
    return tuple(schema_outline(name))


def schema_outline(name: str) -> list[str]:
    """One line per field of an output schema, taken from the pydantic model so it cannot drift."""
    model = CONTENT_MODELS.get(name)
    if model is None:
        raise PromptError(f"unknown output schema {name!r}; choose one of: {', '.join(CONTENT_MODELS)}")
    return _outline(model)


def _outline(model: type[BaseModel], prefix: str = "") -> list[str]:
    lines: list[str] = []
    for fname, field in model.model_fields.items():
        if fname == "kind":
            continue  # a discriminator the pipeline fills in, not the model's business
        ann = field.annotation
        nested = _nested_model(ann)
        if nested is not None:
            many = "list" in repr(ann)
            lines.append(f"{prefix}- {fname}: {'list of objects' if many else 'object'} with")
            lines += _outline(nested, prefix + "  ")
            continue
        kind = _type_name(ann)
        limits = [
            f"{_LIMIT_WORDS[k]} {getattr(m, k)}"
            for m in field.metadata
            for k in ("min_length", "max_length", "gt", "ge", "le")
            if getattr(m, k, None) is not None
        ]
        req = "required" if field.is_required() else "optional"
        lines.append(f"{prefix}- {fname}: {kind}, {req}" + (f" ({', '.join(limits)})" if limits else ""))
    return lines


_LIMIT_WORDS = {"min_length": "min length", "max_length": "max length", "gt": ">", "ge": ">=", "le": "<="}


def _nested_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _type_name(ann: Any) -> str:
    text = repr(ann).replace("typing.", "")
    if ann is str or "str" in text and "list" not in text:
        return "string" + (" or null" if "None" in text else "")
    if "list" in text:
        return "list of strings"
    if ann is int:
        return "integer"
    if ann is float:
        return "number"
    return text
