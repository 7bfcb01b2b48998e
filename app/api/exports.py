"""JSON endpoints for exports: the enrolment export streamed directly (API tokens and logged-in
people, scoped like the page), and background exports (a person's own jobs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import LanguageDep, Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT
from app.config import get_settings
from app.db import utcnow
from app.http.downloads import ExportSessionsDep, stream_job, stream_table
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.jobs import service as jobs
from app.jobs.models import JobStatus
from app.reports import catalog, enrolments

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["exports"], responses=API_ERRORS)


class ExportCreate(BaseModel):
    kind: Literal["reports.enrolments", "reports.report"]
    format: Literal["csv", "xlsx"] = "csv"
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="For reports.enrolments: unit_id, course_id, classroom_id, enrolled_from, "
        "enrolled_to (dates as YYYY-MM-DD), each optional. For reports.report: report (units, "
        "courses, classes, categories, months, officers, hours, shortfalls or enrolments) and its "
        "filters as on its page: unit_id, from, to, basis, status, year, course_id, classroom_id",
    )


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str = Field(description="queued, running, done or failed")
    params: dict[str, Any]
    rows_done: int
    rows_total: int | None
    filename: str | None
    size_bytes: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    download_url: str | None = None

    @classmethod
    def of(cls, job: Any) -> JobRead:
        read = cls.model_validate(job)
        if job.status == JobStatus.DONE:
            read.download_url = f"/api/v1/exports/{job.id}/download"
        return read


@router.post("/exports", response_model=JobRead, status_code=201, responses=BODY_ERRORS)
def create_export(session: SessionDep, actor: Writer, body: ExportCreate, language: LanguageDep) -> JobRead:
    settings = get_settings()
    job = jobs.create_export(
        session,
        actor,
        kind=body.kind,
        params=body.params,
        fmt=body.format,
        language=language,
        now=utcnow(),
        timezone=settings.timezone,
        keep_hours=settings.jobs_keep_hours,
    )
    return JobRead.of(job)


@router.get("/exports/{job_id}", response_model=JobRead)
def get_export(session: SessionDep, actor: Reader, job_id: int) -> JobRead:
    return JobRead.of(jobs.get_job(session, actor, job_id))


@router.get("/exports/{job_id}/download", response_class=Response, responses=CONFLICT)
def download_export(session: SessionDep, actor: Reader, sessions: ExportSessionsDep, job_id: int) -> Response:
    return stream_job(jobs.finished_job(session, actor, job_id), sessions=sessions)


def _enrolments(
    fmt: str,
    session: SessionDep,
    actor: Reader,
    sessions: ExportSessionsDep,
    language: str,
    flt: enrolments.EnrolmentFilter,
) -> Response:
    settings = get_settings()
    day = today(settings.timezone)
    table = enrolments.enrolment_table(
        session, actor, flt, language=language, today=day, timezone=settings.timezone
    )
    return stream_table(
        table, fmt=fmt, sessions=sessions, language=language, timezone=settings.timezone, today=day
    )


UnitQ = Annotated[int | None, Query(description="A unit; its sub-units are included")]


@router.get("/reports/enrolments.csv", response_class=Response)
def export_enrolments_csv(
    session: SessionDep,
    actor: Reader,
    sessions: ExportSessionsDep,
    language: LanguageDep,
    unit_id: UnitQ = None,
    course_id: int | None = None,
    classroom_id: int | None = None,
    enrolled_from: date | None = None,
    enrolled_to: date | None = None,
) -> Response:
    flt = enrolments.EnrolmentFilter(unit_id, course_id, classroom_id, enrolled_from, enrolled_to)
    return _enrolments("csv", session, actor, sessions, language, flt)


@router.get("/reports/enrolments.xlsx", response_class=Response)
def export_enrolments_xlsx(
    session: SessionDep,
    actor: Reader,
    sessions: ExportSessionsDep,
    language: LanguageDep,
    unit_id: UnitQ = None,
    course_id: int | None = None,
    classroom_id: int | None = None,
    enrolled_from: date | None = None,
    enrolled_to: date | None = None,
) -> Response:
    flt = enrolments.EnrolmentFilter(unit_id, course_id, classroom_id, enrolled_from, enrolled_to)
    return _enrolments("xlsx", session, actor, sessions, language, flt)


def _report(
    request: Request,
    session: SessionDep,
    actor: Reader,
    sessions: ExportSessionsDep,
    language: str,
    report: str,
    fmt: str,
) -> Response:
    settings = get_settings()
    day = today(settings.timezone)
    table = catalog.report_table(
        session, actor, report, request.query_params, today=day, language=language, timezone=settings.timezone
    )
    return stream_table(
        table, fmt=fmt, sessions=sessions, language=language, timezone=settings.timezone, today=day
    )


@router.get("/reports/export/{report}.csv", response_class=Response)
def export_report_csv(
    request: Request,
    session: SessionDep,
    actor: Reader,
    sessions: ExportSessionsDep,
    language: LanguageDep,
    report: str,
) -> Response:
    """Any report as CSV, with the filters of its page in the query string."""
    return _report(request, session, actor, sessions, language, report, "csv")


@router.get("/reports/export/{report}.xlsx", response_class=Response)
def export_report_xlsx(
    request: Request,
    session: SessionDep,
    actor: Reader,
    sessions: ExportSessionsDep,
    language: LanguageDep,
    report: str,
) -> Response:
    """Any report as XLSX, with the filters of its page in the query string."""
    return _report(request, session, actor, sessions, language, report, "xlsx")
