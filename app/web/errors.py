"""Mapping of errors to responses, once for each adapter: JSON under /api, pages elsewhere."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import i18n
from app.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied, Unavailable
from app.i18n import N_
from app.logs import request_id
from app.orgs.permissions import Actor
from app.web.auth import flash
from app.web.site import safe_next
from app.web.templating import render, request_language

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


def _status_for(exc: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def _signed_in(request: Request) -> bool:
    actor = getattr(request.state, "actor", None)
    return isinstance(actor, Actor) and actor.authenticated


def _path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(
    request: Request, status: int, message: str, detail: object = None, reference: str | None = None
) -> Response:
    if _wants_json(request):
        body: dict[str, object] = {"error": HEADINGS.get(status, "Error"), "message": message}
        if detail is not None:
            body["detail"] = detail
        if reference is not None:
            body["reference"] = reference
        return JSONResponse(body, status_code=status)
    i18n.set_language(request_language(request))
    return render(
        request,
        "errors/error.html",
        {
            "heading": i18n.gettext_(HEADINGS.get(status, HEADINGS[400])),
            "message": i18n.gettext_(message),
            "reference": reference,
        },
        status_code=status,
    )


def _back_to_form(request: Request, exc: DomainError) -> Response | None:
    """A form that fails validation goes back where it came from, with the reason as a flash."""
    if request.method != "POST" or _wants_json(request) or isinstance(exc, NotFound | PermissionDenied):
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    target = safe_next(referer.path + (f"?{referer.query}" if referer.query else "")) if referer.path else "/"
    response = RedirectResponse(target, status_code=303)
    flash(response, exc.message, "error")
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError) -> Response:
        back = _back_to_form(request, exc)
        if back is not None:
            return back
        if (
            isinstance(exc, PermissionDenied)
            and request.method == "GET"
            and not _wants_json(request)
            and not _signed_in(request)
        ):
            return RedirectResponse(f"/login?next={quote(_path(request))}", status_code=303)
        if isinstance(exc, PermissionDenied) and _wants_json(request) and not _signed_in(request):
            response = _respond(request, 401, exc.message)
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return _respond(request, _status_for(exc), exc.message)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = DEFAULT_MESSAGES.get(exc.status_code, str(exc.detail))
        return _respond(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return _respond(request, 422, N_("Some fields are missing or not valid."), detail)

    @app.exception_handler(OverflowError)
    def unstorable_number(request: Request, exc: Exception) -> Response:
        # The SQLite driver refuses an id beyond 64 bits before any statement runs, so it is not
        # one of the database refusals the request session turns into a domain error; it is the
        # caller's mistake all the same, and the request's transaction was rolled back.
        return _respond(request, 422, N_("Some fields are missing or not valid."))

    @app.exception_handler(Exception)
    def unexpected_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        # The request id names the log line, so someone who reports the error can quote it.
        return _respond(request, 500, DEFAULT_MESSAGES[500], reference=request_id.get())
