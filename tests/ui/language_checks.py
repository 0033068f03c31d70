"""Reading a page as a person does, and the two checks of the language walk
(tests/ui/test_language_walk.py): a raw vocabulary identifier where its name belongs, and, in
zh, an English text of the catalogue. Also the vocabulary itself, kind by kind."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any, get_args

from markdown_it import MarkdownIt

from contentgen.kernel import vocab
from contentgen.kernel.report import Severity, Verdict
from review_ui._i18n import LABELS, label

# Audit actions that are not workflow steps (library/rescan.py, library/users.py).
AUDIT_ONLY_ACTIONS = ("rescan", "login_failed", "login_locked")
# The language switch names itself in both languages on purpose: whoever cannot read the
# current language still finds it.
BILINGUAL = {label("language", "zh"), label("language", "en")}


# ---- the vocabulary ------------------------------------------------------------------------


def vocabulary() -> dict[str, tuple[str, ...]]:
    """Every identifier of the vocabulary modules, under the kind labels/names.py names it by."""
    from contentgen.compliance.kinds import names as rule_kinds
    from contentgen.kernel.config import Settings
    from contentgen.kernel.schemas import CONTENT_MODELS, Brief, Scene, SendWindow
    from contentgen.plan_templates import TOUCHPOINT_KINDS, load_templates
    from contentgen.plans import PlanRequest, plans_dir
    from contentgen.prompts import LIFECYCLE_FAMILIES, OBJECTIVE_ALIASES
    from library import models, workflow
    from library.plans import PLAN_STATUSES
    from library.prompt_evals import PROMOTE_ACTION
    from library.store import SYSTEM_ROLE

    fields = {f for m in (Brief, PlanRequest, Scene, SendWindow, *CONTENT_MODELS.values())
              for f in m.model_fields}
    families = {f for chain in LIFECYCLE_FAMILIES.values() for f in chain}
    return {
        "industry": vocab.INDUSTRIES,
        "lifecycle": vocab.LIFECYCLES,
        "value_tier": vocab.VALUE_TIERS,
        "segment": vocab.SEGMENTS,
        "persona": vocab.PERSONAS,
        "channel": vocab.CHANNELS,
        "content_type": vocab.CONTENT_TYPES,
        "locale": vocab.LOCALES,
        "touch_model": vocab.TOUCH_MODELS,
        "product_type": vocab.PRODUCT_TYPES,
        "status": tuple(dict.fromkeys((*models.STATUSES, *PLAN_STATUSES))),
        "verdict": get_args(Verdict),
        "severity": get_args(Severity),
        "action": (*workflow.STEPS, *AUDIT_ONLY_ACTIONS, PROMOTE_ACTION),
        "role": (*models.ROLES, SYSTEM_ROLE),
        "source": models.SOURCES,
        "purpose": TOUCHPOINT_KINDS,
        "objective": tuple(sorted({*load_templates(plans_dir(Settings.load())), *OBJECTIVE_ALIASES.values(), *families})),
        "rule_kind": rule_kinds(),
        "field": tuple(sorted(fields)),
    }


# ---- what a person reads ---------------------------------------------------------------------

_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_TAGS = re.compile(r"<[^>]+>")
# What separates one shown value from the next: " · ", colons, brackets, list commas, quotes.
_SEP = re.compile(r"\s*(?:[·|:：,，;；()（）\[\]{}«»“”\"*`#>\n、]|\s/\s|\s[-—]\s)\s*")
# Markdown-rendering element kinds and the widget kinds whose label Streamlit renders.
VALUE_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning",
               "error", "toast", "text", "latex")
LABEL_KINDS = ("button", "download_button", "link_button", "page_link", "text_input", "text_area",
               "number_input", "date_input", "time_input", "selectbox", "multiselect", "radio",
               "checkbox", "toggle", "slider", "select_slider", "color_picker", "file_uploader",
               "expander", "tab", "metric", "status", "popover", "chat_input", "feedback", "pills",
               "segmented_control", "form_submit_button")


def _rendered(source: str) -> str:
    return html.unescape(_TAGS.sub(" ", _parser.render(source)))


def _elements(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _elements(child)


def _table(df: Any, columns_json: str = "") -> Iterator[str]:
    config = json.loads(columns_json) if columns_json else {}
    for column in df.columns:
        shown = (config.get(str(column)) or {}).get("label") if isinstance(config, dict) else None
        yield str(shown or column)
    for row in df.itertuples(index=False):
        yield from (str(v) for v in row if v is not None and str(v) not in ("", "nan", "None"))


def _chart(proto: Any) -> Iterator[str]:
    from streamlit import dataframe_util

    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("title", "text", "label", "labelExpr") and isinstance(v, str):
                    yield v
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    yield from strings(json.loads(proto.spec or "{}"))
    for data in (proto.data, *(d.data for d in proto.datasets)):
        if data.data:
            yield from _table(dataframe_util.convert_arrow_bytes_to_pandas_df(data.data))


def shown_strings(root: Any) -> list[str]:
    """Every string the page shows, as a person reads it (Markdown rendered, tags stripped).

    Code blocks and JSON are left out: they show files, diffs and records literally (prompts,
    payloads, raw provenance), keys and identifiers included on purpose."""
    out: list[str] = []
    for el in _elements(getattr(root, "_tree", root)):
        kind = getattr(el, "type", "")
        if kind in VALUE_KINDS:
            out.append(_rendered(str(el.value)))
        if kind in LABEL_KINDS:
            out.append(_rendered(str(getattr(el, "label", "") or "")))
        if kind in ("selectbox", "multiselect", "radio", "select_slider", "pills", "segmented_control"):
            out += [str(o) for o in getattr(el, "options", [])]
        if kind == "metric":
            out += [str(el.value), str(getattr(el.proto, "delta", "") or "")]
        if kind in ("dataframe", "table"):
            out += list(_table(el.value, getattr(el.proto, "columns", "") if kind == "dataframe" else ""))
        if kind in ("vega_lite_chart", "arrow_vega_lite_chart"):
            out += list(_chart(el.proto))
        if kind == "exception":
            out.append(f"EXCEPTION {el.value}")
    return [s for s in (" ".join(s.split()) for s in out) if s]


@cache
def english_texts() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    """The catalogue's English: exact texts, placeholder templates, and long phrases (3+ words)
    that betray themselves inside a longer string."""
    exact: set[str] = set()
    templates: list[str] = []
    phrases: list[str] = []
    for zh, en in LABELS.values():
        en = en.strip()
        if en == zh or len(en) < 3 or en in BILINGUAL or not re.search(r"[A-Za-z]{2}", en):
            continue
        if "{" in en:
            parts = [re.escape(p.strip()) for p in re.split(r"\{[^}]*\}", en)]
            pattern = r".+?".join(parts)
            if sum(len(p) for p in parts) >= 6:
                templates.append(pattern)
        else:
            exact.add(en)
            if en.count(" ") >= 2:
                phrases.append(re.escape(en))
    long_first = sorted(templates, key=len, reverse=True)
    return (frozenset(exact), re.compile("|".join(long_first)),
            re.compile("|".join(sorted(phrases, key=len, reverse=True))))


def catalogue_english(text: str, en_texts: Any = None) -> list[str]:
    exact, templates, phrases = en_texts or english_texts()
    found = [s for s in (text, *_SEP.split(text)) if s.strip() in exact]
    if m := templates.fullmatch(text):
        found.append(m.group(0))
    if m := phrases.search(text):
        found.append(m.group(0))
    return found


@cache
def _identifiers(lang: str) -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    """(identifiers shown alone, the identifier-shaped ones found anywhere, names that contain a
    separator and are cut out first so "Dormant · mass" is not read as "mass")."""
    catalogue = {pair[0 if lang == "zh" else 1] for pair in LABELS.values()}
    idents = {i for ids in vocabulary().values() for i in ids if i not in catalogue}
    shaped = sorted((i for i in idents if re.search(r"[^a-z]", i)), key=len, reverse=True)
    # Inside a longer identifier (a prompt id "short_video_script/welcome", a pack id
    # "zh-CN.advertising-law") it names that thing, not the vocabulary word.
    anywhere = re.compile(r"(?<![\w./@-])(?:" + "|".join(map(re.escape, shaped)) + r")(?![\w@/-]|\.\w)")
    joined = sorted((c for c in catalogue if _SEP.search(c)), key=len, reverse=True)
    return frozenset(idents), anywhere, re.compile("|".join(map(re.escape, joined)))


def raw_identifiers(text: str, lang: str) -> list[str]:
    alone, anywhere, names = _identifiers(lang)
    text = names.sub("\x00", text)
    found = [s.strip() for s in _SEP.split(text) if s.strip() in alone]
    return list(dict.fromkeys(found + anywhere.findall(text)))


def problems(text: str, lang: str) -> list[str]:
    found = [f"raw identifier {i!r}" for i in raw_identifiers(text, lang)]
    if lang == "zh":
        found += [f"English catalogue text {e!r}" for e in catalogue_english(text)]
    return found
