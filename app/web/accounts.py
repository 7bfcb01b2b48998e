"""Pages of one's own account: log in and out, activate with a code, change the password, see
and end sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.accounts import activation, auth, self_service
from app.accounts.models import User
from app.http.auth import SESSION_COOKIE, clear_auth_cookies, client_ip, set_auth_cookies
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.orgs.models import OrgUnit
from app.web.auth import ActorDep, CsrfDep, LoggedInDep, flash, redirect_with_flash
from app.web.site import safe_next
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/login", response_class=HTMLResponse, name="login_page")
def login_page(request: Request, actor: ActorDep, next: str = "/home") -> HTMLResponse:
    return render(request, "accounts/login.html", {"next": safe_next(next), "error": None})


@router.post("/login", name="login_submit", dependencies=[CsrfDep], response_model=None)
def login_submit(
    request: Request,
    session: SessionDep,
    account: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/home",
) -> HTMLResponse | RedirectResponse:
    token = auth.log_in(
        session,
        account=account,
        password=password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    if token is None:
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(next), "error": auth.LOGIN_FAILED, "account": account},
            status_code=401,
        )
    # Without a page to return to, each person starts at their home (app.web.site.home_of).
    target = safe_next(next)
    response = RedirectResponse("/home" if target == "/" else target, status_code=303)
    set_auth_cookies(response, token)
    return response


@router.post("/logout", name="logout_submit", dependencies=[CsrfDep])
def logout_submit(request: Request, session: SessionDep) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.end_session(session, token)
    response = RedirectResponse("/", status_code=303)
    clear_auth_cookies(response)
    return response


@router.get("/activate", response_class=HTMLResponse, name="activation_page")
def activation_page(request: Request, actor: ActorDep) -> HTMLResponse:
    return render(request, "accounts/activate.html", {"error": None})


@router.post("/activate", name="activation_submit", dependencies=[CsrfDep])
def activation_submit(
    request: Request,
    session: SessionDep,
    officer_code: Annotated[str, Form(max_length=50)],
    code: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=200)],
    password_again: Annotated[str, Form(max_length=200)],
) -> RedirectResponse:
    token = activation.activate(
        session,
        officer_code=officer_code,
        code=code,
        password=password,
        password_again=password_again,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    if token is None:
        # Not an exception: the failed attempt must be committed so that guessing is throttled.
        return redirect_with_flash(
            "/activate", activation.INVALID_CODE, "error", typed={"officer_code": officer_code}
        )
    response = RedirectResponse("/home", status_code=303)
    set_auth_cookies(response, token)
    flash(response, "Your account is ready. You are logged in.")
    return response


@router.get("/account", response_class=HTMLResponse, name="account_page")
def account_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    sessions = auth.active_sessions(session, actor)
    me = session.get(User, actor.user_id) if actor.user_id else None
    roles = [(g.role, session.get_one(OrgUnit, g.unit_id).name) for g in actor.grants]
    return render(
        request,
        "accounts/account.html",
        {
            "sessions": sessions,
            "current_id": getattr(request.state, "session_id", None),
            "me": me,
            "roles": roles,
            "browser_of": browser_name,
        },
    )


# The browser and system a session was opened from, as a person would name them; the raw text
# says too much and too little.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
)


def browser_name(user_agent: str | None) -> str:
    text = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in text), "")
    system = next((name for token, name in _SYSTEMS if token in text), "")
    return " · ".join(part for part in (browser, system) if part) or text[:40]


@router.post("/account/password", name="change_password_submit", dependencies=[CsrfDep])
def change_password_submit(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    current: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    password_again: Annotated[str, Form(max_length=200)],
) -> RedirectResponse:
    self_service.change_password(
        session,
        actor,
        current=current,
        password=password,
        password_again=password_again,
        keep_session_id=int(request.state.session_id),
        ip=client_ip(request),
    )
    return redirect_with_flash(
        "/account", "Your password has been changed; your other sessions are logged out."
    )


@router.post("/account/sessions/end-others", name="end_other_sessions_submit", dependencies=[CsrfDep])
def end_other_sessions_submit(request: Request, session: SessionDep, actor: LoggedInDep) -> RedirectResponse:
    count = auth.end_other_sessions(session, actor, keep_session_id=int(request.state.session_id))
    response = RedirectResponse("/account", status_code=303)
    if count:
        flash(response, "Your other sessions have been logged out.")
    else:
        flash(response, "You had no other sessions.")
    return response
