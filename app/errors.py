"""Domain errors. Services raise these; each adapter (web, API, CLI) maps them once."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a user can cause and be told about.

    The unit of work is rolled back, unless the error keeps its changes: work that must stand
    although the request itself is refused (a late answer is refused, and the automatic submit
    it set off is kept)."""

    def __init__(self, message: str, *, keep_changes: bool = False, **params: str | int) -> None:
        # The message is a msgid; values that vary (a code, a number) are named %(placeholders)s
        # filled from params, so each adapter can translate the words before filling them in.
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)
        self.keep_changes = keep_changes


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Unavailable(DomainError):
    """A temporary condition (a busy database): the same request may succeed later."""
