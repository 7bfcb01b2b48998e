"""Domain errors. Services raise these; each adapter (web, API, CLI) maps them once."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a user can cause and be told about.

    The unit of work is rolled back, unless the error keeps its changes: work that must stand
    although the request itself is refused (a late answer is refused, and the automatic submit
    it set off is kept)."""

    def __init__(self, message: str, *, keep_changes: bool = False) -> None:
        super().__init__(message)
        self.message = message
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
