"""The pages' dependencies on who is asking (ActorDep, LoggedInDep), CSRF on every form, and
one-shot flash messages. Sessions, the actor and the CSRF token itself are in app.http.auth."""

from __future__ import annotations

import base64
import hmac
import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.config import get_settings
from app.errors import PermissionDenied
from app.http.auth import CSRF_COOKIE, page_actor, same_token, sign
from app.http.session import SessionDep
from app.orgs.permissions import Actor

FLASH_COOKIE = "hocso_flash"
# Form fields never written back into a page: secrets, and the form's own token.
NEVER_KEPT = frozenset({"csrf_token", "password", "password_again", "current", "token"})
MAX_TYPED = 300
# A cookie holds about 4 KB; what does not fit is simply not kept.
MAX_TYPED_BYTES = 2500


async def current_actor(request: Request, session: SessionDep) -> Actor:
    return await page_actor(request, session)


async def logged_in_actor(request: Request, session: SessionDep) -> Actor:
    actor = await page_actor(request, session)
    if not actor.authenticated:
        raise PermissionDenied("Please log in first.")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
LoggedInDep = Annotated[Actor, Depends(logged_in_actor)]


async def verify_csrf(request: Request) -> None:
    """Dependency for every state-changing form route: the form's token, or the page's token
    in an X-CSRF-Token header (the quiz autosave), must match the CSRF cookie."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form()
    # What was typed, should the form come back with an error (app.web.errors): text fields
    # only, never a secret.
    request.state.typed = {
        key: value[:MAX_TYPED]
        for key, value in form.items()
        if isinstance(value, str)
        and key not in NEVER_KEPT
        and not (key == "code" and request.url.path == "/activate")
    }
    sent = str(form.get("csrf_token", "")) or request.headers.get("x-csrf-token", "")
    if not cookie or not same_token(sent, sign("csrf:" + cookie)):
        raise PermissionDenied("The form has expired or did not come from this site. Please try again.")


CsrfDep = Depends(verify_csrf)


def flash(
    response: Response,
    message: str,
    kind: str = "info",
    params: dict[str, int | str] | None = None,
    *,
    typed: dict[str, str] | None = None,
) -> None:
    """Show a message on the next page. The message is a msgid, translated there; the values in
    params (numbers, or text such as a code) fill its %(name)d / %(name)s placeholders; typed
    holds what the person had typed into the form the next page shows again, so nothing has to
    be typed twice."""
    data: dict[str, object] = {"m": message, "k": kind}
    if params:
        data["p"] = params
    if typed and len(json.dumps(typed)) <= MAX_TYPED_BYTES:
        data["t"] = typed
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    response.set_cookie(
        FLASH_COOKIE,
        f"{payload}.{sign('flash:' + payload)}",
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        max_age=60,
        path="/",
    )


def redirect_with_flash(
    url: str,
    message: str,
    kind: str = "info",
    params: dict[str, int | str] | None = None,
    *,
    typed: dict[str, str] | None = None,
) -> RedirectResponse:
    """The end of a form: 303 to the next page, with the message shown there once."""
    response = RedirectResponse(url, status_code=303)
    flash(response, message, kind, params, typed=typed)
    return response


def take_flash(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, sign("flash:" + payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    request.state.flash_taken = True
    raw_params = data.get("p")
    params = (
        {str(k): v if isinstance(v, int) else str(v) for k, v in raw_params.items()}
        if isinstance(raw_params, dict)
        else {}
    )
    raw_typed = data.get("t")
    typed = {str(k): str(v) for k, v in raw_typed.items()} if isinstance(raw_typed, dict) else {}
    return {
        "message": str(data.get("m", "")),
        "kind": str(data.get("k", "info")),
        "params": params,
        "typed": typed,
    }
