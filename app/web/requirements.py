"""The admin's settings page for the yearly training-hours requirements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.accounts.models import CATEGORIES
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.reports import requirements
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/admin/requirements", include_in_schema=False)


@router.get("", response_class=HTMLResponse, name="requirements_page")
def requirements_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    rows = requirements.managed_requirements(session, actor)
    return render(
        request,
        "admin/requirements.html",
        {"rows": rows, "categories": CATEGORIES, "year": today().year},
    )


@router.post("", name="requirement_set_submit", dependencies=[CsrfDep])
def requirement_set_submit(
    session: SessionDep,
    actor: LoggedInDep,
    year: Annotated[int, Form()],
    category: Annotated[str, Form(max_length=20)],
    hours: Annotated[str, Form(max_length=20)],
) -> RedirectResponse:
    minutes = requirements.hours_to_minutes(hours)
    requirements.set_requirement(session, actor, year=year, category=category, minutes=minutes)
    return redirect_with_flash("/admin/requirements", "The requirement has been saved.")


@router.post("/delete", name="requirement_delete_submit", dependencies=[CsrfDep])
def requirement_delete_submit(
    session: SessionDep,
    actor: LoggedInDep,
    year: Annotated[int, Form()],
    category: Annotated[str, Form(max_length=20)],
) -> RedirectResponse:
    requirements.delete_requirement(session, actor, year=year, category=category)
    return redirect_with_flash("/admin/requirements", "The requirement has been removed.")
