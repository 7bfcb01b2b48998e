"""Errors to responses, once for the whole app: the status each domain error means, the headings
and default texts, and the exception handlers. Each handler turns what went wrong into a Failure
and hands it to the adapter that owns the path (the API under its prefix, the pages elsewhere),
which decides how to answer: a JSON body, a page, a redirect back to the form or to the login."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, Unavailable
from app.i18n import N_
from app.logs import request_id

log = logging.getLogger("hocso")

STATUS = {NotFound: 404, PermissionDenied: 403, Conflict: 409, InvalidInput: 422, Unavailable: 503}
HEADINGS = {
    400: N_("The request could not be understood"),
    401: N_("Please log in or give an API token"),
    403: N_("You may not open this page"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    409: N_("Your change clashed with another one"),
    413: N_("What you sent is too large"),
    422: N_("Please check what you entered"),
    503: N_("The service is busy"),
    500: N_("Something went wrong on our side"),
}
DEFAULT_MESSAGES = {
    404: N_("The page you asked for does not exist or has moved."),
    500: N_("The error has been logged. Please try again in a moment."),
}
INVALID_FIELDS = N_("Some fields are missing or not valid.")


@dataclass(frozen=True)
class Failure:
    """What went wrong, before an adapter words it: the status, a msgid, field problems, the
    request id of a logged error, and the domain error when one was raised."""

    status: int
    message: str
    detail: list[dict[str, str]] | None = None
    reference: str | None = None
    error: DomainError | None = None


Responder = Callable[[Request, Failure], Response]


def status_for(exc: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def install(app: FastAPI, *, api_prefix: str, api: Responder, pages: Responder) -> None:
    def respond(request: Request, failure: Failure) -> Response:
        owner = api if request.url.path.startswith(api_prefix) else pages
        return owner(request, failure)

    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError) -> Response:
        return respond(request, Failure(status_for(exc), exc.message, error=exc))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = DEFAULT_MESSAGES.get(exc.status_code, str(exc.detail))
        return respond(request, Failure(exc.status_code, message))

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return respond(request, Failure(422, INVALID_FIELDS, detail))

    @app.exception_handler(OverflowError)
    def unstorable_number(request: Request, exc: Exception) -> Response:
        # The SQLite driver refuses an id beyond 64 bits before any statement runs, so it is not
        # one of the database refusals the request session turns into a domain error; it is the
        # caller's mistake all the same, and the request's transaction was rolled back.
        return respond(request, Failure(422, INVALID_FIELDS))

    @app.exception_handler(Exception)
    def unexpected_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        # The request id names the log line, so someone who reports the error can quote it.
        return respond(request, Failure(500, DEFAULT_MESSAGES[500], reference=request_id.get()))
