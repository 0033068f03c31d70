"""UI text in Chinese and English from one catalogue (review_ui/labels/); the sidebar switch
picks the language per session."""

from __future__ import annotations

import importlib
import pkgutil

from review_ui import labels as _labels_pkg

LANGS: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(_labels_pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{_labels_pkg.__name__}.{info.name}")
        for key, pair in getattr(module, "LABELS", {}).items():
            if key in merged:
                raise RuntimeError(f"UI label {key!r} is defined twice (labels/{info.name}.py)")
            merged[key] = pair
    return merged


LABELS: dict[str, tuple[str, str]] = _load()


def label(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The label for key in lang ('zh' or 'en'); unknown keys show themselves so a gap is visible."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**fmt) if fmt else text


def name(kind: str, value: object, lang: str = DEFAULT_LANG) -> str:
    """The human name of a vocabulary identifier (kind 'industry', 'channel', 'status' ...);
    an identifier without a catalogue entry shows as itself so the language test can find it."""
    pair = LABELS.get(f"{kind}:{value}")
    if pair is None:
        return str(value)
    return pair[0] if lang == "zh" else pair[1]
