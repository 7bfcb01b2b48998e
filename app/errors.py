"""Domain errors. Services raise these; each adapter (web, API, CLI) maps them once."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a user can cause and be told about."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
