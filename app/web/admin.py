"""Admin pages: the overview of what needs doing, the org tree, role grants and the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app import overview
from app.accounts import grants, reorg, tokens
from app.db import utcnow
from app.http.params import BlankDay, BlankInt
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import local_day_start, today
from app.orgs import service as orgs
from app.orgs.permissions import ROLES
from app.reports import audit_log as audit
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/admin", include_in_schema=False)
Day = Annotated[date, Form()]


@router.get("", response_class=HTMLResponse, name="admin_overview_page")
def admin_overview_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    found = overview.admin_overview(session, actor, now=utcnow(), today=today())
    return render(request, "admin/overview.html", {"overview": found})


@router.get("/units", response_class=HTMLResponse, name="units_page")
def units_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    units = orgs.manageable_units(session, actor)
    return render(request, "admin/units.html", {"units": units, "today": today()})


@router.get("/units/{unit_id}", response_class=HTMLResponse, name="unit_page")
def unit_page(request: Request, session: SessionDep, actor: LoggedInDep, unit_id: int) -> HTMLResponse:
    history = orgs.unit_history(session, actor, unit_id)
    return render(
        request,
        "admin/unit.html",
        {
            "unit": orgs.get_unit(session, actor, unit_id),
            "history": history,
            "detail_labels": audit.DETAIL_LABELS,
            "word_keys": audit.WORD_KEYS,
            "word_values": audit.WORD_VALUES,
            "units": orgs.visible_units(session, actor, include_closed=False),
            "today": today(),
        },
    )


@router.post("/units", name="unit_create_submit", dependencies=[CsrfDep])
def unit_create_submit(
    session: SessionDep,
    actor: LoggedInDep,
    code: Annotated[str, Form(max_length=50)],
    name: Annotated[str, Form(max_length=300)],
    parent_id: Annotated[int, Form()],
    effective_on: Day,
) -> RedirectResponse:
    unit = orgs.create_unit(
        session, actor, code=code, name=name, parent_id=parent_id, effective_on=effective_on
    )
    return redirect_with_flash(f"/admin/units/{unit.id}", "The unit has been created.")


@router.post("/units/{unit_id}/rename", name="unit_rename_submit", dependencies=[CsrfDep])
def unit_rename_submit(
    session: SessionDep,
    actor: LoggedInDep,
    unit_id: int,
    name: Annotated[str, Form(max_length=300)],
    effective_on: Day,
) -> RedirectResponse:
    orgs.rename_unit(session, actor, unit_id=unit_id, name=name, effective_on=effective_on)
    return redirect_with_flash(f"/admin/units/{unit_id}", "The unit has been renamed.")


@router.post("/units/{unit_id}/move", name="unit_move_submit", dependencies=[CsrfDep])
def unit_move_submit(
    session: SessionDep,
    actor: LoggedInDep,
    unit_id: int,
    parent_id: Annotated[int, Form()],
    effective_on: Day,
) -> RedirectResponse:
    orgs.move_unit(session, actor, unit_id=unit_id, new_parent_id=parent_id, effective_on=effective_on)
    return redirect_with_flash(f"/admin/units/{unit_id}", "The unit has been moved.")


@router.post("/units/{unit_id}/merge", name="unit_merge_submit", dependencies=[CsrfDep])
def unit_merge_submit(
    session: SessionDep, actor: LoggedInDep, unit_id: int, into_id: Annotated[int, Form()], effective_on: Day
) -> RedirectResponse:
    reorg.merge_unit(session, actor, unit_id=unit_id, into_id=into_id, effective_on=effective_on)
    return redirect_with_flash(f"/admin/units/{unit_id}", "The unit has been merged.")


@router.post("/units/{unit_id}/close", name="unit_close_submit", dependencies=[CsrfDep])
def unit_close_submit(
    session: SessionDep, actor: LoggedInDep, unit_id: int, effective_on: Day
) -> RedirectResponse:
    reorg.close_unit(session, actor, unit_id=unit_id, effective_on=effective_on)
    return redirect_with_flash(f"/admin/units/{unit_id}", "The unit has been closed.")


@router.get("/roles", response_class=HTMLResponse, name="roles_page")
def roles_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    rows = grants.list_grants(session, actor)
    return render(
        request,
        "admin/roles.html",
        {"rows": rows, "roles": ROLES, "units": orgs.visible_units(session, actor, include_closed=False)},
    )


@router.post("/roles", name="role_grant_submit", dependencies=[CsrfDep])
def role_grant_submit(
    session: SessionDep,
    actor: LoggedInDep,
    officer_code: Annotated[str, Form(max_length=50)],
    role: Annotated[str, Form(max_length=20)],
    unit_id: Annotated[int, Form()],
) -> RedirectResponse:
    grants.grant_role(session, actor, officer_code=officer_code, role=role, unit_id=unit_id)
    return redirect_with_flash("/admin/roles", "The role has been granted.")


@router.post("/roles/{grant_id}/revoke", name="role_revoke_submit", dependencies=[CsrfDep])
def role_revoke_submit(session: SessionDep, actor: LoggedInDep, grant_id: int) -> RedirectResponse:
    grants.revoke_grant(session, actor, grant_id=grant_id)
    return redirect_with_flash("/admin/roles", "The role has been revoked.")


@router.get("/audit", response_class=HTMLResponse, name="audit_page")
def audit_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    action: Annotated[str, Query(max_length=50)] = "",
    who: Annotated[str, Query(max_length=50)] = "",
    since: Annotated[BlankDay, Query()] = None,
    until: Annotated[BlankDay, Query()] = None,
    before: Annotated[BlankInt, Query()] = None,
) -> HTMLResponse:
    events = audit.list_events(
        session,
        actor,
        action=action,
        officer_code=who,
        before_id=before,
        since=local_day_start(since) if since else None,
        until=local_day_start(until + timedelta(days=1)) if until else None,
    )
    filters = {
        "action": action,
        "who": who,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    return render(
        request,
        "admin/audit.html",
        {
            "events": events,
            "filters": filters,
            "page_size": audit.PAGE_SIZE,
            "action_labels": audit.ACTION_LABELS,
            "actor_name": audit.actor_name,
            "detail_labels": audit.DETAIL_LABELS,
            "word_keys": audit.WORD_KEYS,
            "word_values": audit.WORD_VALUES,
            "target_labels": audit.TARGET_LABELS,
        },
    )


@router.get("/tokens", response_class=HTMLResponse, name="tokens_page")
def tokens_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    rows = tokens.list_tokens(session, actor)
    return render(
        request,
        "admin/tokens.html",
        {
            "rows": rows,
            "roles": tokens.TOKEN_ROLES,
            "units": orgs.visible_units(session, actor, include_closed=False),
            "secret": None,
        },
    )


@router.post("/tokens", response_class=HTMLResponse, name="token_create_submit", dependencies=[CsrfDep])
def token_create_submit(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    unit_id: Annotated[int, Form()],
) -> HTMLResponse:
    token, secret = tokens.create_token(session, actor, name=name, role=role, unit_id=unit_id)
    response = render(
        request,
        "admin/tokens.html",
        {
            "rows": tokens.list_tokens(session, actor),
            "roles": tokens.TOKEN_ROLES,
            "units": orgs.visible_units(session, actor, include_closed=False),
            "secret": secret,
            "created": token,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{token_id}/revoke", name="token_revoke_submit", dependencies=[CsrfDep])
def token_revoke_submit(session: SessionDep, actor: LoggedInDep, token_id: int) -> RedirectResponse:
    tokens.revoke_token(session, actor, token_id=token_id)
    return redirect_with_flash("/admin/tokens", "The API token has been revoked.")
