"""How the JSON API answers a failure: one error body (ErrorRead) for every route, 401 with
WWW-Authenticate when a caller without credentials is refused, and the error statuses the
OpenAPI schema documents, so a client reads one shape for every failure."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.errors import PermissionDenied
from app.http.auth import signed_in
from app.http.errors import HEADINGS, Failure


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorRead(BaseModel):
    error: str
    message: str
    detail: list[FieldProblem] | None = None


DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8 JSON, or a broken multipart form)",
    401: "No valid login session or API token",
    403: "The caller may not do this, or a browser session sent no valid X-CSRF-Token",
    404: "Not found, or outside the caller's units",
    409: "The change clashes with the current state or with a change saved at the same time",
    413: "The request body is larger than the configured upload limit",
    422: "Parameters or body not valid",
    503: "The database is busy; try again",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorRead, "description": DESCRIPTIONS[status]} for status in statuses}


def either(status: int, report: type[BaseModel], description: str) -> dict[int | str, dict[str, Any]]:
    """A status answered with the route's own report (an upload's problems, row by row) or, when
    the request never reached it (a missing file, a refused state), with the error body."""
    return {status: {"model": report | ErrorRead, "description": description}}


# Every route that reads the caller and the database.
API_ERRORS = error_responses(401, 403, 404, 422, 503)
# Public routes: nobody is refused, a missing or unpublished thing is not found.
PUBLIC_ERRORS = error_responses(404, 422, 503)
# Added on routes that change things: they may find a state they cannot act on, or lose a race.
CONFLICT = error_responses(409)
# Routes that change things from a request body, which may not even parse.
BODY_ERRORS = error_responses(400, 409)
# File uploads, which the body-size limit can also refuse.
UPLOAD_ERRORS = error_responses(400, 409, 413)


def respond(request: Request, failure: Failure) -> Response:
    status = failure.status
    unauthenticated = isinstance(failure.error, PermissionDenied) and not signed_in(request)
    if unauthenticated:
        status = 401
    body: dict[str, object] = {"error": HEADINGS.get(status, "Error"), "message": failure.message}
    if failure.detail is not None:
        body["detail"] = failure.detail
    if failure.reference is not None:
        body["reference"] = failure.reference
    response = JSONResponse(body, status_code=status)
    if unauthenticated:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response
