"""How alike two texts read: the cosine of their character 2- and 3-gram counts (NFKC,
case-folded, letters and digits only). It works the same for Chinese, Japanese and English
without a tokenizer. The pre-send score (library/presend.py) and the offline model's choice
among its phrasings (providers/offline_learned.py) both use it.

    cosine(grams("周末水果礼盒到店啦"), grams("周末水果礼盒今天到店"))   # ~0.6
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter


def grams(text: str) -> Counter[str]:
    """Character 2- and 3-grams of the letters and digits of text."""
    kept = "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())
    return Counter(kept[i:i + n] for n in (2, 3) for i in range(len(kept) - n + 1))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[g] for g, count in a.items() if g in b)
    return dot / (math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values())))
