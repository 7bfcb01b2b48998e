"""Export pages: the enrolment export form (download now, or prepare in the background) and
"My exports", the requester's background exports with their progress and downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.config import get_settings
from app.db import utcnow
from app.errors import InvalidInput
from app.http.downloads import ExportSessionsDep, stream_job, stream_table
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import parse_day, today
from app.jobs import service as jobs
from app.reports import enrolments
from app.tabular.writers import FORMATS
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render, request_language

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


def _number(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("Please choose from the lists.")
    return int(value)


@router.get("/exports/enrolments", response_class=HTMLResponse, name="enrolment_export_page")
def enrolment_export_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    choices = enrolments.export_choices(session, actor)
    return render(request, "exports/enrolments.html", {"choices": choices})


@router.post(
    "/exports/enrolments", name="enrolment_export_submit", dependencies=[CsrfDep], response_model=None
)
def enrolment_export_submit(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    sessions: ExportSessionsDep,
    action: Annotated[str, Form(max_length=20)] = "download",
    fmt: Annotated[str, Form(alias="format", max_length=10)] = "csv",
    unit_id: Annotated[str, Form(max_length=20)] = "",
    course_id: Annotated[str, Form(max_length=20)] = "",
    classroom_id: Annotated[str, Form(max_length=20)] = "",
    enrolled_from: Annotated[str, Form(max_length=10)] = "",
    enrolled_to: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    settings = get_settings()
    language = request_language(request)
    if fmt not in FORMATS:
        raise InvalidInput("Unknown file format.")
    flt = enrolments.EnrolmentFilter(
        unit_id=_number(unit_id),
        course_id=_number(course_id),
        classroom_id=_number(classroom_id),
        enrolled_from=parse_day(enrolled_from),
        enrolled_to=parse_day(enrolled_to),
    )
    if action == "background":
        jobs.create_export(
            session,
            actor,
            kind="reports.enrolments",
            params=enrolments.filter_params(flt),
            fmt=fmt,
            language=language,
            now=utcnow(),
            timezone=settings.timezone,
            keep_hours=settings.jobs_keep_hours,
        )
        return redirect_with_flash("/exports", "The export is being prepared; it will be listed here.")
    table = enrolments.enrolment_table(
        session, actor, flt, language=language, today=today(settings.timezone), timezone=settings.timezone
    )
    return stream_table(
        table,
        fmt=fmt,
        sessions=sessions,
        language=language,
        timezone=settings.timezone,
        today=today(settings.timezone),
    )


@router.get("/exports", response_class=HTMLResponse, name="my_exports_page")
def my_exports_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    return render(request, "exports/mine.html", {"jobs": jobs.my_jobs(session, actor)})


@router.get("/exports/{job_id}/download", name="export_download", response_model=None)
def export_download(
    session: SessionDep, actor: LoggedInDep, sessions: ExportSessionsDep, job_id: int
) -> Response | RedirectResponse:
    job = jobs.finished_job(session, actor, job_id)
    return stream_job(job, sessions=sessions)
