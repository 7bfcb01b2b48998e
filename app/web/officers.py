"""Officer pages for HR, coordinators and admins: search, a record, activation codes, and a
roster's import (upload, column mapping, preview, confirmation, what it did)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts import activation
from app.accounts import roster_uploads as roster
from app.accounts import service as officers
from app.accounts.authority import outranked
from app.accounts.exports import activation_codes_xlsx
from app.accounts.grants import grants_of
from app.accounts.models import CATEGORIES
from app.accounts.roster_columns import LABELS
from app.certificates import service as certificates
from app.config import get_settings
from app.errors import InvalidInput
from app.http.downloads import disposition
from app.http.params import PageQuery
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import parse_day, today
from app.orgs import service as orgs
from app.orgs.models import OrgUnit
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


@router.get("/officers", response_class=HTMLResponse, name="officers_page")
def officers_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageQuery = 1,
    account: Annotated[Literal["", "not_activated", "activated", "inactive"], Query()] = "",
) -> HTMLResponse:
    rows = officers.search_officers(session, actor, query=q, page=page, account=account)
    return render(
        request,
        "officers/list.html",
        {
            "rows": rows,
            "query": q,
            "page": page,
            "page_size": officers.PAGE_SIZE,
            "account": account,
            "account_states": officers.ACCOUNT_STATES,
        },
    )


@router.get("/officers/import", response_class=HTMLResponse, name="roster_import_page")
def roster_import_page(request: Request, actor: LoggedInDep) -> HTMLResponse:
    roster.require_importer(actor)
    return render(request, "officers/import.html")


@router.post("/officers/import", name="roster_upload_submit", dependencies=[CsrfDep])
def roster_upload_submit(
    session: SessionDep,
    actor: LoggedInDep,
    file: UploadFile,
    deactivate_missing: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    data = file.file.read(get_settings().max_upload_bytes + 1)
    if len(data) > get_settings().max_upload_bytes:
        raise InvalidInput("The file is too large.")
    upload = roster.stage_upload(
        session, actor, filename=file.filename or "", data=data, deactivate_missing=deactivate_missing
    )
    return RedirectResponse(f"/officers/import/{upload.id}", status_code=303)


@router.get("/officers/import/{upload_id}", response_class=HTMLResponse, name="roster_preview_page")
def roster_preview_page(
    request: Request, session: SessionDep, actor: LoggedInDep, upload_id: int
) -> HTMLResponse:
    review = roster.review_upload(session, actor, upload_id=upload_id)
    if review.choice is not None:
        return render(request, "officers/columns.html", {"choice": review.choice})
    return render(
        request, "officers/preview.html", {"upload": review.upload, "plan": review.plan, "labels": LABELS}
    )


@router.get("/officers/import/{upload_id}/columns", response_class=HTMLResponse, name="roster_columns_page")
def roster_columns_page(
    request: Request, session: SessionDep, actor: LoggedInDep, upload_id: int
) -> HTMLResponse:
    choice = roster.column_choice(session, actor, upload_id=upload_id)
    return render(request, "officers/columns.html", {"choice": choice})


@router.post("/officers/import/{upload_id}/columns", name="roster_columns_submit", dependencies=[CsrfDep])
def roster_columns_submit(
    session: SessionDep,
    actor: LoggedInDep,
    upload_id: int,
    field: Annotated[list[str], Form(max_length=50)],
) -> RedirectResponse:
    roster.choose_columns(session, actor, upload_id=upload_id, chosen=field)
    return RedirectResponse(f"/officers/import/{upload_id}", status_code=303)


@router.post("/officers/import/{upload_id}/apply", name="roster_apply_submit", dependencies=[CsrfDep])
def roster_apply_submit(session: SessionDep, actor: LoggedInDep, upload_id: int) -> RedirectResponse:
    roster.apply_upload(session, actor, upload_id=upload_id, on=today())
    return redirect_with_flash(f"/officers/import/{upload_id}/done", "The roster has been imported.")


@router.get("/officers/import/{upload_id}/done", response_class=HTMLResponse, name="roster_done_page")
def roster_done_page(
    request: Request, session: SessionDep, actor: LoggedInDep, upload_id: int
) -> HTMLResponse:
    outcome = roster.import_outcome(session, actor, upload_id=upload_id)
    return render(request, "officers/imported.html", {"outcome": outcome})


@router.get("/officers/{user_id}", response_class=HTMLResponse, name="officer_page")
def officer_page(request: Request, session: SessionDep, actor: LoggedInDep, user_id: int) -> HTMLResponse:
    row = officers.get_officer(session, actor, user_id)
    can_manage = officers.can_manage(actor, row)
    roles = [(g.role, session.get_one(OrgUnit, g.unit_id).name) for g in grants_of(session, user_id)]
    return render(
        request,
        "officers/detail.html",
        {
            "row": row,
            "placements": officers.placements(session, actor, user_id),
            "roles": roles,
            # Its login, active flag and unit are not the actor's to change (app.accounts.authority).
            "above_me": bool(outranked(session, actor, [user_id])),
            "certificates": certificates.officer_certificates(session, actor, user_id=user_id),
            "can_manage": can_manage,
            "categories": CATEGORIES,
            "units": orgs.visible_units(session, actor, include_closed=False) if can_manage else [],
            "today": today(),
        },
    )


@router.post(
    "/officers/activation-codes", name="activation_codes_submit", dependencies=[CsrfDep], response_model=None
)
def activation_codes_submit(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    user_ids: Annotated[list[int], Form(max_length=5000)],
    format: Annotated[str, Form(pattern="^(html|xlsx)$")] = "html",
) -> Response:
    codes = activation.issue_codes(session, actor, user_ids=user_ids)
    if format == "xlsx":
        return Response(
            activation_codes_xlsx(codes, timezone=get_settings().timezone),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": disposition("ma-kich-hoat.xlsx"),
                "Cache-Control": "no-store",
            },
        )
    response = render(request, "officers/codes.html", {"codes": codes})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/officers/{user_id}", name="officer_update_submit", dependencies=[CsrfDep])
def officer_update_submit(
    session: SessionDep,
    actor: LoggedInDep,
    user_id: int,
    full_name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=254)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
    category: Annotated[str, Form(max_length=20)] = "other",
    rank: Annotated[str, Form(max_length=200)] = "",
    position: Annotated[str, Form(max_length=200)] = "",
    job_position: Annotated[str, Form(max_length=200)] = "",
    birth_date: Annotated[str, Form(max_length=10)] = "",
    active: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    changes: dict[str, object] = {
        "full_name": full_name,
        "email": email,
        "phone": phone,
        "category": category,
        "rank": rank,
        "position": position,
        "job_position": job_position,
        "active": active,
        "birth_date": parse_day(birth_date),
    }
    officers.update_officer(session, actor, user_id=user_id, changes=changes)
    return redirect_with_flash(f"/officers/{user_id}", "The record has been saved.")


@router.post("/officers/{user_id}/move", name="officer_move_submit", dependencies=[CsrfDep])
def officer_move_submit(
    session: SessionDep,
    actor: LoggedInDep,
    user_id: int,
    unit_id: Annotated[int, Form()],
    effective_on: Annotated[date, Form()],
) -> RedirectResponse:
    officers.move_officer(session, actor, user_id=user_id, unit_id=unit_id, effective_on=effective_on)
    return redirect_with_flash(f"/officers/{user_id}", "The officer has been moved.")
