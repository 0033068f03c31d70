"""The library's errors: under the kernel's root, so every face reports them the same way."""

from __future__ import annotations

from contentgen.kernel.errors import ContentgenError, UsageError


class LibraryError(ContentgenError):
    pass


class NotFoundError(LibraryError):
    pass


class PermissionDenied(LibraryError):
    pass


class ConflictError(LibraryError):
    pass


class TransitionError(LibraryError):
    pass


class ReasonRequired(LibraryError, UsageError):
    """A step that needs a written reason was taken without one (exit 2 at the CLI)."""
