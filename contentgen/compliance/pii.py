"""Personal data in content: phone numbers, ID numbers, bank cards, e-mail addresses.

Runs over normalised text (full-width digits are already ASCII). Numbers are validated
(ID-card checksum, Luhn) so an order number or a price does not look like a card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PHONES = {
    "zh-CN": re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"),
    "ja-JP": re.compile(r"(?<!\d)(?:\+?81[ -]?)?0[789]0[ -]?\d{4}[ -]?\d{4}(?!\d)"),
    "en-US": re.compile(r"(?<![\d-])(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]?\d{4}(?![\d-])"),
}
_CN_ID = re.compile(r"(?<![0-9a-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx](?![0-9a-z])")
_US_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
# A role account (support@, info@, stop@ …) is the business's own address, printed so customers can reach it
# (特定電子メール法 and CAN-SPAM even demand the sender's contact): not a person's data.
_ROLE_MAILBOX = re.compile(
    r"(?:support|info|information|contact|contactus|customer|customers|customercare|care|service|services|help|helpdesk|"
    r"hello|sales|shop|store|office|admin|noreply|no-reply|donotreply|stop|unsubscribe|optout|opt-out|privacy|press|media|"
    r"news|newsletter|marketing|billing|orders|order|returns|feedback|inquiry|enquiry|enquiries|kefu|cs)"
    r"(?:[._-][a-z0-9]+)?@")
# Every detector needs a digit or an '@': most copy has neither, and one search rules it out.
_MAYBE = re.compile(r"[\d@]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _cn_id_ok(s: str) -> bool:
    total = sum(int(d) * w for d, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    return "10x98765432"[total % 11] == s[17]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def maybe(text: str) -> bool:
    """Whether text could hold personal data at all (a digit or an '@')."""
    return _MAYBE.search(text) is not None


def detect(text: str, kinds: Sequence[str], locale: str) -> list[tuple[int, int]]:
    """Spans of personal data in (normalised) text, without overlaps."""
    if _MAYBE.search(text) is None:
        return []
    spans: list[tuple[int, int]] = []
    if "id_card" in kinds:
        spans += [m.span() for m in _CN_ID.finditer(text) if _cn_id_ok(m.group())]
        spans += [m.span() for m in _US_SSN.finditer(text)]
    if "bank_card" in kinds:
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if 13 <= len(digits) <= 19 and _luhn_ok(digits):
                spans.append(m.span())
    if "phone" in kinds:
        phone = _PHONES.get(locale)
        if phone is not None:
            spans += [m.span() for m in phone.finditer(text)]
    if "email" in kinds:
        spans += [m.span() for m in _EMAIL.finditer(text) if not _ROLE_MAILBOX.match(m.group())]
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int]] = []
    for s in spans:
        if out and s[0] < out[-1][1]:
            continue
        out.append(s)
    return out
