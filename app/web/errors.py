"""How the pages answer a failure: a form that was refused goes back where it came from with the
reason as a flash, a page that needs a login goes to the login, anything else is an error page
in the visitor's language. The statuses and texts are app.http.errors'."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.accounts.authority import Outranked
from app.errors import DomainError, NotFound, PermissionDenied
from app.http.auth import signed_in
from app.http.errors import HEADINGS, Failure
from app.web.auth import flash
from app.web.site import safe_next
from app.web.templating import render, request_language


def _path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _back_to_form(request: Request, exc: DomainError) -> Response | None:
    """A form that fails validation goes back where it came from, with the reason as a flash."""
    if request.method != "POST" or isinstance(exc, NotFound):
        return None
    if isinstance(exc, PermissionDenied) and not isinstance(exc, Outranked):
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    target = safe_next(referer.path + (f"?{referer.query}" if referer.query else "")) if referer.path else "/"
    response = RedirectResponse(target, status_code=303)
    flash(response, exc.template, "error", exc.params, typed=getattr(request.state, "typed", None))
    return response


def _worded(failure: Failure) -> str:
    """The failure's message in the visitor's language, its values filled in after translation."""
    exc = failure.error
    if exc is not None and exc.params:
        return i18n.gettext_(exc.template) % exc.params
    return i18n.gettext_(failure.message)


def respond(request: Request, failure: Failure) -> Response:
    exc = failure.error
    if exc is not None:
        back = _back_to_form(request, exc)
        if back is not None:
            return back
        if isinstance(exc, PermissionDenied) and request.method == "GET" and not signed_in(request):
            return RedirectResponse(f"/login?next={quote(_path(request))}", status_code=303)
    i18n.set_language(request_language(request))
    return render(
        request,
        "errors/error.html",
        {
            "heading": i18n.gettext_(HEADINGS.get(failure.status, HEADINGS[400])),
            "message": _worded(failure),
            "reference": failure.reference,
        },
        status_code=failure.status,
    )
