"""Dependencies of the JSON API alone: the caller from an API token (Authorization: Bearer hs_…)
or a login session, with the page's CSRF token on writes made with a session (Reader, Writer,
MaybeActor), and the language of texts rendered for API callers. What the API shares with the
pages is in app.http.

A dependency that reads the database is a plain function (FastAPI runs it in a worker thread);
one that only looks at the request is a coroutine, run on the event loop: a worker thread costs
a hand-off each way, a measurable part of a request as small as an answer save."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.accounts.tokens import actor_for_token
from app.errors import PermissionDenied
from app.http.auth import SESSION_COOKIE, client_ip, csrf_header_ok, load_actor
from app.http.session import SessionDep
from app.orgs.permissions import ANONYMOUS, Actor


def bearer_token(request: Request) -> str | None:
    """The API token of a token request. Any other request (another Authorization scheme
    included) is a cookie request, which must prove it came from our pages."""
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def api_actor(request: Request, session: SessionDep) -> Actor:
    token = bearer_token(request)
    if token is not None:
        actor = actor_for_token(session, token, ip=client_ip(request))
        if actor is None:
            raise PermissionDenied("The API token is not valid.")
        request.state.actor = actor
        return actor
    actor = load_actor(request, session)
    if not actor.authenticated:
        raise PermissionDenied("Please log in first.")
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]


def optional_api_actor(request: Request, session: SessionDep) -> Actor:
    """For public endpoints: the caller when a valid credential came along, else anonymous (a
    stale cookie or token must not turn a public read into a 401)."""
    token = bearer_token(request)
    if token is not None:
        return actor_for_token(session, token, ip=client_ip(request)) or ANONYMOUS
    return load_actor(request, session)


MaybeActor = Annotated[Actor, Depends(optional_api_actor)]


async def api_writer(request: Request, actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    if bearer_token(request) is None and request.cookies.get(SESSION_COOKIE) and not csrf_header_ok(request):
        raise PermissionDenied("Send the page's CSRF token in an X-CSRF-Token header.")
    return actor


Writer = Annotated[Actor, Depends(api_writer)]
Reader = Annotated[Actor, Depends(api_actor)]


async def api_language(request: Request) -> str:
    """Texts rendered for API callers: English when the caller asks for it, else Vietnamese."""
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "vi"


LanguageDep = Annotated[str, Depends(api_language)]
