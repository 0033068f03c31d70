"""Roles of a word or regex in the merged matcher, shared by the matcher, scanner and rule kinds.

Kept apart from `matcher` so a rule kind's checker can read them without importing the matcher
(which the pack models it validates against sit under).
"""

from __future__ import annotations

# MASK marks a required statement (rule -1): no prohibition fires inside one.
TERM, EXCEPTION, TRIGGER, ELEMENT, PREFILTER, EVIDENCE, MASK = range(7)
