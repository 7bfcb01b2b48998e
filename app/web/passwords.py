"""Pages for a forgotten password: ask for a link by e-mail, and choose a new password with it.
The e-mail goes into the outbox with the request's transaction and is sent right after the
answer (the scheduled delivery run sends it if this process cannot)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from app.accounts import recovery
from app.config import get_settings
from app.db import utcnow
from app.http.auth import client_ip
from app.http.downloads import ExportSessionsDep, Sessions
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.notifications import account_mail
from app.notifications.delivery import deliver
from app.notifications.mail import mailer_for
from app.web.auth import CsrfDep, redirect_with_flash
from app.web.templating import render, request_language

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


def _send_now(sessions: Sessions, key: str) -> None:
    @contextmanager
    def unit_of_work() -> Iterator[Session]:
        session = sessions()
        try:
            yield session
            session.commit()
        finally:
            session.close()

    settings = get_settings()
    deliver(unit_of_work, settings, mailer_for(settings), key=key)


@router.get("/password/forgot", response_class=HTMLResponse, name="forgot_password_page")
def forgot_password_page(request: Request) -> HTMLResponse:
    return render(
        request,
        "accounts/forgot.html",
        {"by_mail": bool(get_settings().smtp_host), "sent": False, "sent_message": ""},
    )


@router.post(
    "/password/forgot", response_class=HTMLResponse, name="forgot_password_submit", dependencies=[CsrfDep]
)
def forgot_password_submit(
    request: Request,
    session: SessionDep,
    sessions: ExportSessionsDep,
    background: BackgroundTasks,
    account: Annotated[str, Form(max_length=254)],
) -> HTMLResponse:
    settings = get_settings()
    if settings.smtp_host:
        key = account_mail.queue_reset_link(
            session,
            account=account,
            ip=client_ip(request),
            now=utcnow(),
            language=request_language(request),
            public_url=settings.public_url,
        )
        if key is not None:
            background.add_task(_send_now, sessions, key)
    return render(
        request,
        "accounts/forgot.html",
        {
            "by_mail": bool(settings.smtp_host),
            "sent": bool(settings.smtp_host),
            "sent_message": recovery.SENT,
        },
    )


@router.get("/password/reset", response_class=HTMLResponse, name="reset_password_page")
def reset_password_page(request: Request, session: SessionDep, token: str = "") -> HTMLResponse:
    works = recovery.link_works(session, token[:100], now=utcnow())
    return render(
        request,
        "accounts/reset.html",
        {"token": token[:100] if works else "", "works": works, "bad_link": recovery.BAD_LINK},
    )


@router.post("/password/reset", name="reset_password_submit", dependencies=[CsrfDep])
def reset_password_submit(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    password_again: Annotated[str, Form(max_length=200)],
) -> RedirectResponse:
    recovery.reset_password(
        session,
        token=token,
        password=password,
        password_again=password_again,
        ip=client_ip(request),
        now=utcnow(),
    )
    return redirect_with_flash("/login", "Your new password is set. Log in with it.")
