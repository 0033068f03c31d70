"""Macros a pack's regexes may use: numbers and percentages written in any script.

    expand_macros(r"年化{PCT}")  # matches 年化8%, 年化 8.5 %, 年化百分之八, 年化八个点

Regexes run on normalised text, so full-width digits are already ASCII, roman numerals digits,
traditional numerals simplified (zh) and katakana hiragana (ja).
"""

from __future__ import annotations

# Arabic (with decimals or thousands separators), Chinese (incl. financial forms), mixed (3万).
NUM = (
    r"(?:[0-9]+(?:[.,][0-9]+)*(?:[零〇一二两三四五六七八九十百千万亿]*)"
    r"|[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点]+)"
)
PCT = (
    rf"(?:{NUM}\s*(?:%|‰|percent\b|per cent\b|pct\b|ぱーせんと|个百分点|个点|厘)"
    rf"|百分之{NUM}|千分之{NUM}|{NUM}\s*割)"
)
MACROS = {"{NUM}": NUM, "{PCT}": PCT}


def expand_macros(pattern: str) -> str:
    """The pattern with {NUM} and {PCT} written out."""
    for name, regex in MACROS.items():
        if name in pattern:
            pattern = pattern.replace(name, regex)
    return pattern
