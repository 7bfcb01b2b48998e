"""Who is asking and whether they meant it, for pages and API alike: the login-session cookie
resolved to an Actor, the CSRF token, and the cookies set at login and logout.

CSRF: a random `hocso_csrf` cookie, and in every form an HMAC of it under the secret key; a POST
is accepted only when the two agree. It needs no server state, so it works across app servers,
and the cookie is replaced at login so a token planted before login is useless after it."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from anyio import to_thread
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.auth import resolve_session
from app.config import get_settings
from app.notifications import inbox
from app.orgs.permissions import ANONYMOUS, Actor

SESSION_COOKIE = "hocso_session"
CSRF_COOKIE = "hocso_csrf"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def sign(value: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def load_actor(request: Request, session: Session, *, for_page: bool = False) -> Actor:
    """The actor of this request, resolved once and kept on request.state. A page (`for_page`)
    also reads the unread notices for its menu's badge, one indexed count while the session is
    at hand; JSON requests, an exam's answer saves among them, skip it."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = ANONYMOUS
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        info = resolve_session(session, token, ip=client_ip(request))
        if info is not None:
            actor = info.actor
            request.state.session_id = info.session_id
            if for_page:
                request.state.unread_notices = inbox.unread_count(session, actor)
    request.state.actor = actor
    return actor


async def page_actor(request: Request, session: Session) -> Actor:
    """load_actor for a page, as a dependency: a request without a login cookie is anonymous at
    once, on the event loop; only one with a cookie goes to a worker thread to read the
    database. A visitor reading a lesson thus costs one thread hand-off (the handler), not two."""
    if not request.cookies.get(SESSION_COOKIE):
        request.state.actor = ANONYMOUS
        return ANONYMOUS
    return await to_thread.run_sync(functools.partial(load_actor, request, session, for_page=True))


def csrf_cookie_value(request: Request) -> str:
    value = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE)
    if not value:
        value = secrets.token_urlsafe(24)
    request.state.csrf_cookie = value
    return str(value)


def csrf_token(request: Request) -> str:
    return sign("csrf:" + csrf_cookie_value(request))


def csrf_header_ok(request: Request) -> bool:
    """For JSON writes made with a login session: the page's token in an X-CSRF-Token header."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get("x-csrf-token", "")
    return bool(cookie) and same_token(sent, sign("csrf:" + cookie))


def same_token(sent: str, expected: str) -> bool:
    # compare_digest refuses str with non-ASCII characters (a TypeError, so a 500); bytes it takes.
    return hmac.compare_digest(sent.encode(), expected.encode())


def set_auth_cookies(response: Response, token: str) -> None:
    secure = get_settings().cookie_secure
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
    # A new CSRF secret with the new session.
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(24), httponly=True, samesite="lax", secure=secure, path="/"
    )


def clear_auth_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def signed_in(request: Request) -> bool:
    """Whether this request was made with a login session or an API token (once resolved)."""
    actor = getattr(request.state, "actor", None)
    return isinstance(actor, Actor) and actor.authenticated
