"""The errors a UI user can meet, said in the user's language.

The library and the engine raise ContentgenError with an English sentence written for the CLI.
Here each sentence a UI user can meet is matched by the error's class and the pattern of that
sentence (the raise sites are in library/ and contentgen/), and said again from the catalogue
(labels/errors.py): the quoted values are kept, the identifiers in them get their human names.
A pydantic ValidationError, or a message built from one by validation_message, is said field by
field. Anything no pattern knows still reads: the headline of its class, then the detail as
written, so a new message is understandable before it is translated.

    st.error(error_text(e))            # escaped for Markdown, in the session's language
    error_message(e, "en")             # the plain sentence (tests, st.text, tables)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from contentgen.kernel.errors import ContentgenError, PlanConstraintError, RulePackError
from library.errors import ConflictError, NotFoundError, PermissionDenied, TransitionError
from review_ui._i18n import LABELS, label, name
from review_ui._safe import md

_Q = r"(?:'[^']*'|\"[^\"]*\")"  # a value quoted by repr()


@dataclass(frozen=True)
class Known:
    """One sentence the library or the engine raises, and the catalogue key that says it."""

    error: type[BaseException]
    pattern: re.Pattern[str]
    key: str
    # group -> vocabulary kind whose human name replaces the captured identifier
    kinds: dict[str, str] = field(default_factory=dict)


def _k(error: type[BaseException], pattern: str, key: str, **kinds: str) -> Known:
    return Known(error, re.compile(pattern, re.DOTALL), key, kinds)


_V = r"(?P<version>\d+)"
_MID = r"(?P<mid>\S+)"
KNOWN: tuple[Known, ...] = (
    # library/users.py
    _k(PermissionDenied, r"unknown user or wrong password", "err_bad_login"),
    _k(PermissionDenied, r"invalid or revoked token", "err_bad_token"),
    _k(PermissionDenied, r"too many failed logins for (?P<name>.*); try again in (?P<n>\d+) minutes?",
       "err_locked_name"),
    _k(PermissionDenied, r"too many failed logins from this client; try again in (?P<n>\d+) minutes?",
       "err_locked_client"),
    _k(ConflictError, rf"user (?P<name>{_Q}) already exists; .*", "err_user_exists"),
    _k(NotFoundError, rf"unknown user (?P<name>{_Q}); .*", "err_unknown_user"),
    # library/workflow.py and library/prompt_evals.py
    _k(PermissionDenied, rf"four eyes: (?P<actor>\S+) authored version {_V} and may not approve it",
       "err_four_eyes"),
    _k(PermissionDenied, rf"four eyes: (?P<actor>\S+) authored version (?P<mine>\d+), an ancestor of "
       rf"version {_V}, and may not approve it", "err_four_eyes_ancestor"),
    _k(PermissionDenied, r"(?P<actor>\S+) \((?P<role>\w+)\) may not promote prompts: .*",
       "err_may_not_promote", role="role"),
    _k(PermissionDenied, r"(?P<actor>\S+) \((?P<role>\w+)\) may not (?P<action>[a-z ]+): .*",
       "err_may_not", role="role", action="action"),
    _k(ConflictError, rf"version {_V} of {_MID} is stale: the current version is (?P<current>\d+) "
       r"\((?P<status>\w+)\); .*", "err_stale", status="status"),
    _k(ConflictError, rf"version {_V} of {_MID} is not the released one: version (?P<released>\d+) is; .*",
       "err_not_released_version"),
    _k(TransitionError, rf"cannot (?P<action>[a-z ]+) version {_V} of {_MID}: it is (?P<status>\w+); .*",
       "err_transition", action="action", status="status"),
    _k(TransitionError, rf"version {_V} of {_MID} has (?P<count>\d+) error-level compliance "
       r"finding\(s\) \((?P<rules>.*)\); fix them .*", "err_blocked_submit"),
    _k(TransitionError, rf"version {_V} of {_MID} has no error-level finding to override",
       "err_nothing_to_override"),
    _k(TransitionError, rf"version {_V} of {_MID} was already overridden by (?P<by>\S+) at (?P<at>.+)",
       "err_already_overridden"),
    _k(TransitionError, rf"{_MID} is retired; .*", "err_retired"),
    _k(TransitionError, rf"{_MID} was never released, so it cannot be retired; .*", "err_never_released"),
    _k(TransitionError, rf"cannot reinstate version {_V} of {_MID}: version (?P<released>\d+) is released now",
       "err_reinstate_released"),
    _k(TransitionError, rf"cannot reinstate version {_V} of {_MID}: it is no longer the current version "
       r"\((?P<current>\d+)\)", "err_reinstate_not_current"),
    # library/workflow.check_reason (ReasonRequired) and Library.override
    _k(ContentgenError, r"(?P<action>[a-z ]+) needs a written reason\b.*", "err_reason_required",
       action="action"),
    _k(ContentgenError, r"an override needs a written justification\b.*", "err_justification_required"),
    # library/queries.py, library/plans.py, library/store.py
    _k(NotFoundError, rf"no material (?P<mid>{_Q}); .*", "err_no_material"),
    _k(NotFoundError, rf"{_MID} has no version {_V}; versions are 1 to (?P<current>\d+)", "err_no_version"),
    _k(NotFoundError, rf"no plan (?P<plan>{_Q}); .*", "err_no_plan"),
    _k(NotFoundError, r"plan (?P<plan>\S+) has no touchpoint #(?P<seq>\d+); .*", "err_no_touchpoint"),
    _k(NotFoundError, rf"no released material (?P<mid>{_Q})", "err_no_released"),
    # contentgen/compliance/pack_loading.py
    _k(RulePackError, r"rules directory (?P<path>.+) does not exist; .*", "err_rules_dir_missing"),
    _k(RulePackError, r"no rule packs \(\*\.yaml\) under (?P<path>.+)", "err_no_packs"),
)

# Sentences that also appear inside a validation message (pydantic value errors raised by our
# own validators), matched on their text alone.
_UNKNOWN = re.compile(rf"unknown (?P<kind>[a-z_ ]+?) (?P<value>{_Q});? choose (?:one of|from):? (?P<allowed>.*)",
                      re.DOTALL)
_CHANNEL_TAKES = re.compile(rf"content type (?P<content_type>{_Q}) does not go out on channel "
                            rf"(?P<channel>{_Q}); \S+ takes: (?P<allowed>.*)")
_PLAN_NEEDS = re.compile(r"the (?P<objective>\w+) plan needs (?P<flags>--[a-z-]+(?:, --[a-z-]+)*): .*")
_HHMM = re.compile(rf"(?P<value>{_Q}) is not a time of day as HH:MM")
_CYCLE = re.compile(r"a service cycle is (?P<allowed>[\d or]+) days, not (?P<n>-?\d+)")
_NO_CHANNEL = re.compile(r"give at least one channel")
# The details of a plan constraint that a person can fix from the plan form.
_NO_SEND_TIME = re.compile(r"quiet hours (?P<quiet>\S+) leave no time to send")
_PREFERRED_QUIET = re.compile(r"the segment's preferred time (?P<at>\S+) falls in quiet hours (?P<quiet>\S+); "
                              r"choose a time between (?P<start>\S+) and (?P<end>\S+)")
_CHANNELS_OFF = re.compile(r"(?P<step>.+) goes out on (?P<channels>.+), and the plan allows only "
                           r"(?P<allowed>.+); add one of them to --channels", re.DOTALL)
# What pydantic says, by message (its error types name the same things).
_PYDANTIC: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), key) for p, key in (
        (r"Field required", "err_missing"),
        (r"String should have at least (?P<n>\d+) characters?", "err_min_chars"),
        (r"String should have at most (?P<n>\d+) characters?", "err_max_chars"),
        (r"List should have at least (?P<n>\d+) items?.*", "err_min_items"),
        (r"List should have at most (?P<n>\d+) items? after validation, not (?P<got>\d+)", "err_max_items"),
        (r"Input should be greater than or equal to (?P<n>\S+)", "err_ge"),
        (r"Input should be greater than (?P<n>\S+)", "err_gt"),
        (r"Input should be less than or equal to (?P<n>\S+)", "err_le"),
        (r"Input should be less than (?P<n>\S+)", "err_lt"),
        (r"Input should be a valid integer.*", "err_integer"),
        (r"Input should be a valid number.*", "err_number"),
        (r"Extra inputs are not permitted", "err_extra"),
    )
)
# A validation message is "loc: problem; loc: problem" (kernel.errors.validation_message).
_PART_SPLIT = re.compile(r"; (?=[A-Za-z_][\w.]*: )")
_PART = re.compile(r"(?P<loc>[A-Za-z_][\w.]*): (?P<msg>.+)", re.DOTALL)
_INVALID_CONTENT = re.compile(r"invalid (?P<content_type>\w+) content: (?P<detail>.+)", re.DOTALL)
# The vocabulary kind an "unknown <kind>" message names (kinds are written with spaces).
_KIND_ALIASES = {"plan_objective": "objective", "plan_status": "status", "touchpoint_kind": "purpose"}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _inline(text: str, lang: str) -> str:
    """A name as it reads inside an English sentence: "Request changes" -> "request changes"
    (names that start with an acronym, "SMS", "WeCom", stay as they are)."""
    if lang == "en" and text[:1].isupper() and text[1:2].islower():
        return text[:1].lower() + text[1:]
    return text


def _named(kind: str, value: str, lang: str) -> str:
    """The human name of an identifier; verbs and statuses as they read inside a sentence."""
    text = name(kind, value, lang)
    return _inline(text, lang) if kind in ("action", "status") and text != value else text


def field_name(loc: str, lang: str, *, one_based: bool = False) -> str:
    """A field path as people say it: "selling_points.0" -> 卖点第 1 项; an unnamed part shows as
    written. Pydantic counts list items from 0; content_fields ("scenes.1.visual") from 1."""
    out: list[str] = []
    for p in (p for p in str(loc).split(".") if p):
        if p.isdigit() and out:
            out[-1] = label("err_item", lang, field=out[-1], n=int(p) + (0 if one_based else 1))
        else:
            out.append(name("field", p, lang))
    return " · ".join(out) or str(loc)


def _ids(kind: str | None, listed: str, lang: str) -> str:
    values = [v.strip() for v in listed.split(",") if v.strip()]
    sep = "、" if lang == "zh" else ", "
    return sep.join(name(kind, v, lang) if kind else v for v in values)


def _vocab_kind(kind: str) -> str | None:
    key = kind.strip().replace(" ", "_")
    key = _KIND_ALIASES.get(key, key)
    return key if any(k.startswith(f"{key}:") for k in LABELS) else None


def _sentence(text: str, lang: str) -> str | None:
    """Our own validators' sentences, wherever they appear; None when text is none of them."""
    text = text.strip().removeprefix("Value error, ")
    if m := _UNKNOWN.fullmatch(text):
        kind = _vocab_kind(m["kind"])
        value = _unquote(m["value"])
        kind_name = name("field", kind, lang) if kind else m["kind"]
        return label("err_unknown_value", lang, kind=m["kind"] if kind_name == kind else _inline(kind_name, lang),
                     value=name(kind, value, lang) if kind else value,
                     allowed=_ids(kind, m["allowed"], lang))
    if m := _CHANNEL_TAKES.fullmatch(text):
        return label("err_channel_takes", lang,
                     channel=name("channel", _unquote(m["channel"]), lang),
                     content_type=name("content_type", _unquote(m["content_type"]), lang),
                     allowed=_ids("content_type", m["allowed"], lang))
    if m := _PLAN_NEEDS.fullmatch(text):
        fields = [name("field", f.strip().removeprefix("--").replace("-", "_"), lang)
                  for f in m["flags"].split(",")]
        return label("err_plan_needs", lang, objective=name("objective", m["objective"], lang),
                     fields=("、" if lang == "zh" else ", ").join(fields))
    if m := _HHMM.fullmatch(text):
        return label("err_hhmm", lang, value=_unquote(m["value"]))
    if m := _CYCLE.fullmatch(text):
        return label("err_cycle_days", lang, allowed=m["allowed"].replace(" or ", "/"), n=m["n"])
    if _NO_CHANNEL.fullmatch(text):
        return label("err_no_channel", lang)
    for pattern, key in _PYDANTIC:
        if m := pattern.fullmatch(text):
            return label(key, lang, **m.groupdict())
    return None


def _validation(text: str, lang: str) -> str | None:
    """A "loc: problem; loc: problem" message field by field; None unless every part reads so."""
    if m := _INVALID_CONTENT.fullmatch(text):
        detail = _validation(m["detail"], lang)
        if detail is None:
            return None
        return label("err_invalid_content", lang,
                     content_type=_inline(name("content_type", m["content_type"], lang), lang),
                     detail=detail)
    out = []
    for part in _PART_SPLIT.split(text):
        m = _PART.fullmatch(part.strip())
        if m is None or name("field", m["loc"].split(".")[0], lang) == m["loc"].split(".")[0]:
            return None  # not a field we know: not a validation message
        problem = _sentence(m["msg"], lang) or m["msg"].removeprefix("Value error, ")
        out.append(label("err_field", lang, field=field_name(m["loc"], lang), problem=problem))
    return ("；" if lang == "zh" else "; ").join(out)


def _constraint_detail(detail: str, lang: str) -> str:
    if m := _NO_SEND_TIME.fullmatch(detail):
        return label("err_no_send_time", lang, quiet=m["quiet"])
    if m := _PREFERRED_QUIET.fullmatch(detail):
        return label("err_preferred_in_quiet", lang, **m.groupdict())
    if m := _CHANNELS_OFF.fullmatch(detail):
        return label("err_channels_off", lang, step=m["step"],
                     channels=_ids("channel", m["channels"].replace(" or ", ","), lang),
                     allowed=_ids("channel", m["allowed"], lang))
    return detail


def _pydantic(e: ValidationError, lang: str) -> str:
    parts = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        msg = str(err.get("msg", ""))
        problem = _sentence(msg, lang) or msg.removeprefix("Value error, ")
        parts.append(label("err_field", lang, field=field_name(loc, lang), problem=problem) if loc else problem)
    return ("；" if lang == "zh" else "; ").join(parts)


def headline(e: BaseException, lang: str) -> str:
    """The catalogue's headline for the nearest class of e that has one."""
    for cls in type(e).__mro__:
        key = f"err_head_{cls.__name__}"
        if key in LABELS:
            return label(key, lang)
    return label("err_head_ContentgenError", lang)


def _known(e: BaseException, text: str, lang: str) -> str | None:
    for known in KNOWN:
        if not isinstance(e, known.error):
            continue
        m = known.pattern.fullmatch(text)
        if m is None:
            continue
        fmt: dict[str, str] = {k: _unquote(v) for k, v in m.groupdict().items() if v is not None}
        action = fmt.get("action", "").strip().replace(" ", "_")
        for group, kind in known.kinds.items():
            if group in fmt:
                raw = action if group == "action" else fmt[group]
                fmt[group] = _named(kind, raw, lang)
        if action:
            # Who may, and what comes first, are said per action (the library's English is
            # per action too); an action the catalogue does not know yet leaves them out.
            who = label(f"err_who_{action}", lang) if f"err_who_{action}" in LABELS else ""
            fmt["who"] = who + (label("err_or_admin", lang) if who and text.endswith("(or an admin)") else "")
            fmt["need"] = label(f"err_need_{action}", lang) if f"err_need_{action}" in LABELS else ""
        return label(known.key, lang, **fmt)
    return None


def error_message(e: BaseException, lang: str) -> str:
    """e as one plain sentence in lang ('zh' or 'en'); not escaped (see error_text)."""
    if isinstance(e, ValidationError):
        return _pydantic(e, lang)
    text = str(e).strip()
    if isinstance(e, PlanConstraintError):
        detail = text.removeprefix("plan cannot meet its constraints: ").removeprefix(f"{e.constraint}: ")
        key = "err_constraint_" + e.constraint.replace(" ", "_")
        constraint = label(key, lang) if key in LABELS else e.constraint
        return label("err_plan_constraint", lang, constraint=constraint,
                     detail=_constraint_detail(detail, lang))
    said = _known(e, text, lang) or _sentence(text, lang) or _validation(text, lang)
    if said is not None:
        return said
    return f"{headline(e, lang)}{'：' if lang == 'zh' else ': '}{text}"


def error_text(e: BaseException, lang: str | None = None) -> str:
    """e for st.error/st.warning: in the session's language (or lang), escaped for Markdown
    because the message quotes input (names, values, ids)."""
    if lang is None:
        from review_ui._session import lang as session_lang  # _session imports this module

        lang = session_lang()
    return md(error_message(e, lang))
