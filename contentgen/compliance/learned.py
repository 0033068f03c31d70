"""The learned second opinion: a character n-gram linear model that reads a text the way the
rule packs' examples and the labelled corpora read, and says how much it looks like a violation.

Rules catch the words they list; a new author's wording slips past them. A linear model over
character 1-4-grams of the *normalised* text (the same folding the matcher uses, so `最🔥好`
and `guarant33d` look the same to both) generalises to paraphrases. Its findings are
warnings: a person reviews them; the model never names a statute.

The trained model is a small JSON artifact (rules/learned/<locale>.json: vocabulary, idf,
weights, the cross-validated threshold and figures), scored here with plain Python, so
checking needs neither scikit-learn nor pickles. Training lives in `learned_train`.

    model = load_model(Path("rules/learned/zh-CN.json"))
    for s in score_sentences(model, normalize(text, "zh").text): ...
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contentgen.kernel.errors import RulePackError

__all__ = ["DEFAULT_FEATURES", "FORMAT", "Features", "LearnedModel", "Scored", "grams", "load_model", "model_path", "score",
           "score_sentences", "sentences", "windows"]

FORMAT = 1  # bump when the artifact's layout or the feature function changes
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"[0-9]")
# Sentence ends in normalised text (NFKC turns ！？； into !?; and leaves 。 as it is).
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|(?<=[.])\s+")
_MIN_SENTENCE = 4  # shorter pieces (a stray "ok.") carry too few n-grams to judge alone


@dataclass(frozen=True)
class Features:
    """How a text becomes n-grams; stored in the artifact so training and scoring agree."""

    lo: int = 1
    hi: int = 4
    digits: bool = True  # every digit read as 0: "returned 35%" and "returned 42%" share grams
    context: bool = False  # industry / channel as extra tokens
    # Texts up to this many characters are scored whole (as the training texts were); longer
    # ones in runs of whole sentences up to it, so that one violating sentence in a long article
    # is not diluted in the article's vector.
    window: int = 200


DEFAULT_FEATURES = Features()


@dataclass(frozen=True)
class LearnedModel:
    """One locale's model: binary violation score plus a category guess for the message."""

    locale: str
    features: Features
    idf: dict[str, float]
    weight: dict[str, float]
    intercept: float
    threshold: float
    categories: tuple[str, ...] = ()
    # gram → ((category index, weight), ...): only the weights that move the argmax.
    category_weight: dict[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    category_intercept: tuple[float, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)  # cross-validated, as trained


@dataclass(frozen=True)
class Scored:
    start: int  # offsets into the text given (normalised text, for the engine)
    end: int
    score: float
    category: str | None


def grams(text: str, f: Features, industry: str | None = None, channel: str | None = None) -> list[str]:
    """The n-grams of an already normalised text (the model's tokens)."""
    t = " " + _SPACES.sub(" ", text).strip() + " "  # edges count: a claim that opens a sentence
    if f.digits:
        t = _DIGITS.sub("0", t)
    out = [t[i:i + n] for n in range(f.lo, f.hi + 1) for i in range(len(t) - n + 1)]
    if f.context:
        out += [f"\x00industry={industry}", f"\x00channel={channel}"]
    return out


def _vector(model: LearnedModel, toks: list[str]) -> dict[str, float]:
    """Sublinear tf × idf, l2-normalised, over the grams the model knows (as TfidfVectorizer)."""
    idf = model.idf
    vec = {g: (1.0 + math.log(c)) * idf[g] for g, c in Counter(toks).items() if g in idf}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {g: v / norm for g, v in vec.items()} if norm else {}


def score(model: LearnedModel, text: str, industry: str | None = None,
          channel: str | None = None) -> tuple[float, str | None]:
    """Probability that a normalised text is a violation, and its likeliest category."""
    vec = _vector(model, grams(text, model.features, industry, channel))
    z = model.intercept + sum(model.weight.get(g, 0.0) * v for g, v in vec.items())
    p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    return p, _category(model, vec)


def _category(model: LearnedModel, vec: dict[str, float]) -> str | None:
    if not model.categories:
        return None
    z = list(model.category_intercept)
    for g, v in vec.items():
        for i, w in model.category_weight.get(g, ()):
            z[i] += w * v
    return model.categories[max(range(len(z)), key=z.__getitem__)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; short pieces join the next one (a label like '【新品】' is no sentence)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if len(text[start:m.end()].strip()) >= _MIN_SENTENCE:
            spans.append((start, m.end()))
            start = m.end()
    if text[start:].strip():
        if spans and len(text[start:].strip()) < _MIN_SENTENCE:
            spans[-1] = (spans[-1][0], len(text))
        else:
            spans.append((start, len(text)))
    return spans


def windows(text: str, size: int) -> list[tuple[int, int]]:
    """The text whole if it fits, else runs of consecutive sentences of at most `size`
    characters (a longer sentence alone)."""
    if len(text) <= size:
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    for s, e in sentences(text):
        if out and e - out[-1][0] <= size:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


# Below this much text a window is not scored: a greeting ("王先生，周末愉快！", "Hi Sarah, hope
# you had a great weekend!") has too few n-grams for the model to tell it from a slogan, and
# short claims are the rule packs' terms' job. A CJK or kana character counts 1, a Latin letter
# or digit 1/3 (about a syllable).
MIN_WEIGHT = 12.0


def text_weight(text: str) -> float:
    return sum(1.0 if ord(c) >= 0x3040 else 1 / 3 for c in text if c.isalnum())


def score_sentences(model: LearnedModel, text: str, industry: str | None = None,
                    channel: str | None = None) -> list[Scored]:
    """Each window of a normalised text (see Features.window) with its score and category;
    windows lighter than MIN_WEIGHT score 0."""
    out = []
    for s, e in windows(text, model.features.window):
        if text_weight(text[s:e]) < MIN_WEIGHT:
            out.append(Scored(s, e, 0.0, None))
            continue
        p, cat = score(model, text[s:e], industry, channel)
        out.append(Scored(s, e, p, cat))
    return out


def model_path(rules_dir: Path, locale: str) -> Path:
    return rules_dir / "learned" / f"{locale}.json"


_LOADED: dict[tuple[str, int, int], LearnedModel] = {}


def load_model(path: Path) -> LearnedModel:
    """A trained artifact, read once per file version (it is data: JSON, never a pickle)."""
    try:
        st = path.stat()
    except OSError:
        raise RulePackError(f"learned model {path} is missing; train it with "
                            "`python -m contentgen.compliance.learned_train`") from None
    key = (str(path), st.st_mtime_ns, st.st_size)
    hit = _LOADED.get(key)
    if hit is None:
        hit = _LOADED[key] = _parse(json.loads(path.read_text(encoding="utf-8")), path)
    return hit


def _parse(raw: dict[str, Any], path: Path) -> LearnedModel:
    if raw.get("format") != FORMAT:
        raise RulePackError(f"learned model {path} has format {raw.get('format')!r}, this version reads "
                            f"{FORMAT}; retrain it with `python -m contentgen.compliance.learned_train`")
    vocab: list[str] = raw["vocabulary"]
    cats = raw.get("category_weight", {})
    cat_w: dict[str, list[tuple[int, float]]] = {}
    for gi, ci, w in zip(cats.get("gram", []), cats.get("category", []), cats.get("weight", []), strict=True):
        cat_w.setdefault(vocab[gi], []).append((ci, w))
    return LearnedModel(
        locale=raw["locale"],
        features=Features(**raw["features"]),
        idf=dict(zip(vocab, raw["idf"], strict=True)),
        weight={g: w for g, w in zip(vocab, raw["weight"], strict=True) if w},
        intercept=float(raw["intercept"]),
        threshold=float(raw["threshold"]),
        categories=tuple(raw.get("categories", ())),
        category_weight={g: tuple(v) for g, v in cat_w.items()},
        category_intercept=tuple(raw.get("category_intercept", ())),
        figures=raw.get("figures", {}),
    )
