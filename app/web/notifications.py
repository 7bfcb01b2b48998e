"""The officer's notices page and marking them read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.notifications import inbox
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render, request_language

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/notifications", response_class=HTMLResponse, name="notifications_page")
def notifications_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    notices = inbox.notices(session, actor, language=request_language(request))
    return render(request, "notifications/list.html", {"notices": notices})


@router.post("/notifications/read", name="notifications_read_submit", dependencies=[CsrfDep])
def notifications_read_submit(session: SessionDep, actor: LoggedInDep) -> RedirectResponse:
    inbox.mark_all_read(session, actor)
    return redirect_with_flash("/notifications", "All notifications are marked as read.")
