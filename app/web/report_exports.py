"""Downloads of any report page: CSV or XLSX streamed now, with the page's own filters, or
prepared in the background and listed in "My exports"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.config import get_settings
from app.db import utcnow
from app.http.downloads import ExportSessionsDep, stream_table
from app.http.params import SeparatorParam
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.jobs import service as jobs
from app.reports import catalog
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import request_language

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/reports/export", include_in_schema=False)


def _download(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    sessions: ExportSessionsDep,
    report: str,
    fmt: str,
) -> Response:
    settings = get_settings()
    language = request_language(request)
    day = today(settings.timezone)
    table = catalog.report_table(
        session, actor, report, request.query_params, today=day, language=language, timezone=settings.timezone
    )
    return stream_table(
        table, fmt=fmt, sessions=sessions, language=language, timezone=settings.timezone, today=day
    )


@router.get("/{report}.csv", name="report_csv", response_model=None)
def report_csv(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    sessions: ExportSessionsDep,
    report: str,
    sep: SeparatorParam = "",
) -> Response:
    return _download(request, session, actor, sessions, report, "csv-semi" if sep == "semicolon" else "csv")


@router.get("/{report}.xlsx", name="report_xlsx", response_model=None)
def report_xlsx(
    request: Request, session: SessionDep, actor: LoggedInDep, sessions: ExportSessionsDep, report: str
) -> Response:
    return _download(request, session, actor, sessions, report, "xlsx")


Field = Annotated[str, Form(max_length=20)]


@router.post("/{report}", name="report_export_background", dependencies=[CsrfDep], response_model=None)
def report_export_background(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    report: str,
    fmt: Annotated[str, Form(alias="format", max_length=10)] = "csv",
    unit_id: Field = "",
    start: Annotated[str, Form(alias="from", max_length=10)] = "",
    end: Annotated[str, Form(alias="to", max_length=10)] = "",
    basis: Field = "",
    status: Field = "",
    year: Field = "",
    course_id: Field = "",
    classroom_id: Field = "",
) -> RedirectResponse:
    settings = get_settings()
    params = catalog.job_params(
        report,
        {
            "unit_id": unit_id,
            "from": start,
            "to": end,
            "basis": basis,
            "status": status,
            "year": year,
            "course_id": course_id,
            "classroom_id": classroom_id,
        },
    )
    jobs.create_export(
        session,
        actor,
        kind="reports.report",
        params=params,
        fmt=fmt,
        language=request_language(request),
        now=utcnow(),
        timezone=settings.timezone,
        keep_hours=settings.jobs_keep_hours,
    )
    return redirect_with_flash("/exports", "The export is being prepared; it will be listed here.")
