"""The class dashboard for coordinators: the roster with progress, filtered, sorted and paged; its
CSV export; reminders to chosen, not-started or overdue officers; and what became of the e-mails."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from app.classrooms import changes
from app.classrooms import service as classes
from app.config import get_settings
from app.db import utcnow
from app.http.downloads import disposition
from app.http.params import PageQuery, RosterFilterDep, SeparatorParam
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.notifications import delivery, reminders
from app.orgs import service as orgs
from app.progress.dashboard import STATUSES, roster_page, roster_rows
from app.progress.exports import roster_csv
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render, request_language

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/classes", include_in_schema=False)


@router.get("/{classroom_id}", response_class=HTMLResponse, name="class_page")
def class_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    flt: RosterFilterDep,
    page: PageQuery = 1,
) -> HTMLResponse:
    classroom, unit = classes.get_class(session, actor, classroom_id)
    listing = roster_page(session, classroom, today=today(), flt=flt, page=page)
    kept = {"status": flt.status, "q": flt.query, "sort": flt.sort, "desc": "1" if flt.descending else ""}
    # Empty ones left out: the export reads `desc` as a yes/no, which an empty value is not.
    filled = {k: v for k, v in kept.items() if v}
    semicolon = {**filled, "sep": "semicolon"}

    def link(**updates: object) -> str:
        """This page's address with some parameters changed, the empty ones left out."""
        merged: dict[str, object] = {**kept, **updates}
        params = {k: v for k, v in merged.items() if v not in ("", None) and not (k == "page" and v == 1)}
        return f"/classes/{classroom_id}?{urlencode(params)}" if params else f"/classes/{classroom_id}"

    return render(
        request,
        "classrooms/detail.html",
        {
            "classroom": classroom,
            "unit": unit,
            "listing": listing,
            "filter": flt,
            "statuses": STATUSES,
            "link": link,
            "export_link": f"/classes/{classroom_id}/roster.csv?{urlencode(filled)}",
            "export_semicolon_link": f"/classes/{classroom_id}/roster.csv?{urlencode(semicolon)}",
            "batches": classes.batches(session, actor, classroom_id=classroom_id),
            "units": orgs.visible_units(session, actor, include_closed=False),
            "outbox": delivery.class_outbox(session, classroom.id),
            "choices": changes.filter_choices(session, actor),
        },
    )


@router.get("/{classroom_id}/roster.csv", name="class_roster_csv")
def class_roster_csv(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    flt: RosterFilterDep,
    sep: SeparatorParam = "",
) -> StreamingResponse:
    classroom, _ = classes.get_class(session, actor, classroom_id)
    # Read while the request's session is open; the response is written after the handler returns.
    rows = list(roster_rows(session, classroom, today=today(), flt=flt))
    body = roster_csv(
        rows,
        language=request_language(request),
        timezone=get_settings().timezone,
        delimiter=";" if sep == "semicolon" else ",",
    )
    filename = f"lop-{classroom.code}.csv"
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition(filename)},
    )


@router.post("/{classroom_id}/remind", name="class_remind_submit", dependencies=[CsrfDep])
def class_remind_submit(
    session: SessionDep,
    actor: LoggedInDep,
    classroom_id: int,
    target: Annotated[str, Form(max_length=20)],
    user_ids: Annotated[list[int], Form(max_length=20000)] = [],  # noqa: B006 - FastAPI copies defaults
) -> RedirectResponse:
    report = reminders.remind(
        session,
        actor,
        get_settings(),
        classroom_id=classroom_id,
        target=target,
        user_ids=user_ids,
        today=today(),
    )
    if not report.notices:
        return redirect_with_flash(
            f"/classes/{classroom_id}",
            "Nobody needed a reminder: the officers chosen have finished, left the class or were "
            "already reminded today (%(already)d).",
            params={"already": report.already},
        )
    params: dict[str, int | str] = {"new": report.notices, "emails": report.emails, "already": report.already}
    # Only what happened is told: nobody skipped or nobody e-mailed needs no "0" of its own.
    if report.already:
        return redirect_with_flash(
            f"/classes/{classroom_id}",
            "Reminder sent to %(new)d officers: they see it in their notifications, and %(emails)d of "
            "them by e-mail too. Already reminded today, so not reminded again: %(already)d.",
            params=params,
        )
    if report.emails:
        return redirect_with_flash(
            f"/classes/{classroom_id}",
            "Reminder sent to %(new)d officers. They see it in their notifications; %(emails)d of them "
            "by e-mail too.",
            params=params,
        )
    return redirect_with_flash(
        f"/classes/{classroom_id}",
        "Reminder sent to %(new)d officers. They see it in their notifications.",
        params=params,
    )


@router.post("/{classroom_id}/mail/retry", name="class_mail_retry_submit", dependencies=[CsrfDep])
def class_mail_retry_submit(session: SessionDep, actor: LoggedInDep, classroom_id: int) -> RedirectResponse:
    count = delivery.retry_failed(session, actor, classroom_id=classroom_id, now=utcnow())
    return redirect_with_flash(
        f"/classes/{classroom_id}", "E-mails to be sent again: %(count)d.", params={"count": count}
    )
