"""Who is asking (session cookie → Actor), CSRF tokens and one-shot flash messages.

CSRF: a random `hocso_csrf` cookie, and in every form an HMAC of it under the secret key; a POST
is accepted only when the two agree. It needs no server state, so it works across app servers,
and the cookie is replaced at login so a token planted before login is useless after it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.auth import resolve_session
from app.api.deps import SessionDep
from app.config import get_settings
from app.errors import PermissionDenied
from app.notifications import inbox
from app.orgs.grants import actor_for
from app.orgs.permissions import ANONYMOUS, Actor

SESSION_COOKIE = "hocso_session"
CSRF_COOKIE = "hocso_csrf"
FLASH_COOKIE = "hocso_flash"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _sign(value: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def load_actor(request: Request, session: Session) -> Actor:
    """The actor of this request, resolved once and kept on request.state."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = ANONYMOUS
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        info = resolve_session(session, token)
        if info is not None:
            actor = actor_for(session, info.user, ip=client_ip(request))
            request.state.session_id = info.session_id
            # For the menu's badge; one indexed count, read while the session is at hand.
            request.state.unread_notices = inbox.unread_count(session, actor)
    request.state.actor = actor
    return actor


def current_actor(request: Request, session: SessionDep) -> Actor:
    return load_actor(request, session)


def logged_in_actor(request: Request, session: SessionDep) -> Actor:
    actor = load_actor(request, session)
    if not actor.authenticated:
        raise PermissionDenied("Please log in first.")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
LoggedInDep = Annotated[Actor, Depends(logged_in_actor)]


def csrf_cookie_value(request: Request) -> str:
    value = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE)
    if not value:
        value = secrets.token_urlsafe(24)
    request.state.csrf_cookie = value
    return str(value)


def csrf_token(request: Request) -> str:
    return _sign("csrf:" + csrf_cookie_value(request))


async def verify_csrf(request: Request) -> None:
    """Dependency for every state-changing form route."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form()
    sent = str(form.get("csrf_token", "")) or request.headers.get("x-csrf-token", "")
    if not cookie or not _same(sent, _sign("csrf:" + cookie)):
        raise PermissionDenied("The form has expired or did not come from this site. Please try again.")


CsrfDep = Depends(verify_csrf)


def csrf_header_ok(request: Request) -> bool:
    """For JSON writes made with a login session: the page's token in an X-CSRF-Token header."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get("x-csrf-token", "")
    return bool(cookie) and _same(sent, _sign("csrf:" + cookie))


def _same(sent: str, expected: str) -> bool:
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


def flash(response: Response, message: str, kind: str = "info", params: dict[str, int] | None = None) -> None:
    """Show a message on the next page. The message is a msgid, translated there; numbers in
    params fill its %(name)d placeholders."""
    data: dict[str, object] = {"m": message, "k": kind}
    if params:
        data["p"] = params
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    response.set_cookie(
        FLASH_COOKIE,
        f"{payload}.{_sign('flash:' + payload)}",
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        max_age=60,
        path="/",
    )


def redirect_with_flash(
    url: str, message: str, kind: str = "info", params: dict[str, int] | None = None
) -> RedirectResponse:
    """The end of a successful form: 303 to the next page, with the message shown there once."""
    response = RedirectResponse(url, status_code=303)
    flash(response, message, kind, params)
    return response


def take_flash(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign("flash:" + payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    request.state.flash_taken = True
    raw_params = data.get("p")
    params = {str(k): int(v) for k, v in raw_params.items()} if isinstance(raw_params, dict) else {}
    return {"message": str(data.get("m", "")), "kind": str(data.get("k", "info")), "params": params}
