"""Errors whose messages are for people: each says what went wrong and how to fix it.

    ContentgenError                 exit 1 unless stated
    ├── UsageError                  bad flags or input; exit 2
    │   ├── BriefError              a brief that cannot be generated from
    │   └── UnknownIdentifierError  an industry/locale/channel... not in the vocabulary
    ├── PromptError                 a prompt file that cannot be loaded or rendered
    ├── RulePackError               a compliance rule pack that is invalid
    ├── ProviderError               the LLM failed after retries, or answered nonsense
    │   ├── DraftValidationError    an answer that does not fit the content schema
    │   └── ChannelLimitError       a draft still over its channel's limits after the rewrites
    ├── LibraryError                material library problems
    │   ├── NotFoundError           no such material, version, user, plan
    │   ├── PermissionDenied        the role may not do this (four eyes included)
    │   ├── ConflictError           optimistic concurrency: acted on a stale version
    │   └── TransitionError         the workflow does not allow this step now
    ├── PlanError                   a service-cycle plan that cannot be made or stored
    │   └── PlanConstraintError     one of its constraints cannot be kept; .constraint names it
    └── ChannelTemplateError        a channel payload template missing, broken or misnamed

At the CLI boundary each becomes one line on stderr and its exit code; in Streamlit, st.error.
"""

from __future__ import annotations

from typing import Any


class ContentgenError(Exception):
    """Base for every error displayed to the user."""

    exit_code = 1


class UsageError(ContentgenError):
    exit_code = 2


class BriefError(UsageError):
    pass


class UnknownIdentifierError(UsageError):
    def __init__(self, kind: str, value: str, allowed: tuple[str, ...] | list[str]):
        self.kind, self.value, self.allowed = kind, value, tuple(allowed)
        super().__init__(f"unknown {kind} {value!r}; choose one of: {', '.join(allowed)}")


class PromptError(ContentgenError):
    pass


class RulePackError(ContentgenError):
    pass


class ProviderError(ContentgenError):
    """Carries the round trips made so far, so a failed draft still shows what was tried."""

    def __init__(self, message: str, *, attempts: list[Any] | None = None):
        super().__init__(message)
        self.attempts: list[Any] = list(attempts or [])


class DraftValidationError(ProviderError):
    pass


class ChannelLimitError(ProviderError):
    """A draft that still breaks its channel's limits after every rewrite round."""


class PlanError(ContentgenError):
    pass


class PlanConstraintError(PlanError):
    """A plan that cannot keep one of its constraints; `constraint` names which."""

    def __init__(self, constraint: str, message: str) -> None:
        self.constraint = constraint
        super().__init__(f"plan cannot meet its constraints: {constraint}: {message}")


class ChannelTemplateError(ContentgenError):
    pass


def check_identifier(kind: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """Return value if it is one of allowed, else raise UnknownIdentifierError."""
    if value not in allowed:
        raise UnknownIdentifierError(kind, value, allowed)
    return value


def validation_message(e: Any) -> str:
    """One readable line from a pydantic ValidationError."""
    parts = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err.get("loc", ())) or "brief"
        parts.append(f"{loc}: {err.get('msg', '').removeprefix('Value error, ')}")
    return "; ".join(parts)
