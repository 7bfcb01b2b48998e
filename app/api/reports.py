"""JSON completion reports under /api/v1/reports: by unit (with drill-down to officers), course,
class, personnel category and month; scoped like the pages, so an API token with the HR role on
a unit reads that unit's subtree only. Training hours are in app/api/training_hours.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.deps import LanguageDep, Reader
from app.api.errors import API_ERRORS
from app.http.params import PeriodDep
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.reports import completion, officers, periods
from app.reports.facts import Counts
from app.reports.scope import Period, UnitRef

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1/reports", tags=["reports"], responses=API_ERRORS
)

UnitQuery = Annotated[int | None, Query(description="A unit: the report covers its subtree")]
Page = Annotated[int, Query(ge=1, le=100_000)]


class UnitRead(BaseModel):
    id: int
    code: str
    name: str

    @classmethod
    def of(cls, unit: UnitRef) -> UnitRead:
        return cls(id=unit.id, code=unit.code, name=unit.name)


class PeriodRead(BaseModel):
    start: date | None
    end: date | None
    basis: str

    @classmethod
    def of(cls, period: Period) -> PeriodRead:
        return cls(start=period.start, end=period.end, basis=period.basis)


class CountsRead(BaseModel):
    enrolled: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int
    completion_rate: float

    @classmethod
    def of(cls, c: Counts) -> CountsRead:
        return cls(
            enrolled=c.enrolled,
            completed=c.completed,
            in_progress=c.in_progress,
            not_started=c.not_started,
            overdue=c.overdue,
            completion_rate=c.rate,
        )


class UnitLineRead(BaseModel):
    unit: UnitRead
    # "subtree": the unit and every unit below it; "unit_only": officers placed in the unit itself.
    counted: str
    has_children: bool
    counts: CountsRead


class UnitReportRead(BaseModel):
    unit: UnitRead | None
    period: PeriodRead
    lines: list[UnitLineRead]
    total: CountsRead


@router.get("/completion/units", response_model=UnitReportRead)
def get_completion_by_unit(
    session: SessionDep, actor: Reader, period: PeriodDep, unit_id: UnitQuery = None
) -> UnitReportRead:
    report = completion.completion_by_unit(session, actor, unit_id=unit_id, period=period, today=today())
    return UnitReportRead(
        unit=UnitRead.of(report.scope.unit) if report.scope.unit else None,
        period=PeriodRead.of(period),
        lines=[
            UnitLineRead(
                unit=UnitRead.of(line.unit),
                counted="unit_only" if line.own else "subtree",
                has_children=line.has_children,
                counts=CountsRead.of(line.counts),
            )
            for line in report.lines
        ],
        total=CountsRead.of(report.total),
    )


class OfficerLineRead(BaseModel):
    user_id: int
    officer_code: str
    full_name: str
    unit_code: str
    unit_name: str
    class_code: str
    class_title: str
    course_title: str
    enrolled_at: datetime
    due_on: date | None
    status: str
    completed_at: datetime | None


class OfficerPageRead(BaseModel):
    unit: UnitRead
    period: PeriodRead
    items: list[OfficerLineRead]
    total: int
    page: int
    pages: int
    counts: CountsRead


@router.get("/completion/units/{unit_id}/officers", response_model=OfficerPageRead)
def get_unit_officers(
    session: SessionDep,
    actor: Reader,
    period: PeriodDep,
    unit_id: int,
    language: LanguageDep,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Page = 1,
) -> OfficerPageRead:
    found = officers.unit_officers(
        session, actor, unit_id=unit_id, period=period, today=today(), status=status, page=page
    )
    assert found.scope.unit is not None
    return OfficerPageRead(
        unit=UnitRead.of(found.scope.unit),
        period=PeriodRead.of(period),
        items=[
            OfficerLineRead(
                user_id=r.user_id,
                officer_code=r.officer_code,
                full_name=r.full_name,
                unit_code=r.unit_code,
                unit_name=r.unit_name,
                class_code=r.class_code,
                class_title=r.class_title,
                course_title=r.course_title(language),
                enrolled_at=r.enrolled_at,
                due_on=r.due_on,
                status=r.status,
                completed_at=r.completed_at,
            )
            for r in found.lines
        ],
        total=found.total_rows,
        page=found.page,
        pages=found.pages,
        counts=CountsRead.of(found.counts),
    )


class CourseLineRead(BaseModel):
    course_id: int
    slug: str
    title_vi: str
    title_en: str
    counts: CountsRead


class CourseReportRead(BaseModel):
    period: PeriodRead
    lines: list[CourseLineRead]
    total: CountsRead


@router.get("/completion/courses", response_model=CourseReportRead)
def get_completion_by_course(
    session: SessionDep, actor: Reader, period: PeriodDep, unit_id: UnitQuery = None
) -> CourseReportRead:
    report = completion.completion_by_course(session, actor, unit_id=unit_id, period=period, today=today())
    return CourseReportRead(
        period=PeriodRead.of(period),
        lines=[
            CourseLineRead(
                course_id=x.course_id,
                slug=x.slug,
                title_vi=x.title_vi,
                title_en=x.title_en,
                counts=CountsRead.of(x.counts),
            )
            for x in report.lines
        ],
        total=CountsRead.of(report.total),
    )


class ClassLineRead(BaseModel):
    classroom_id: int
    code: str
    title: str
    course_title_vi: str
    course_title_en: str
    due_on: date | None
    status: str
    counts: CountsRead


class ClassReportRead(BaseModel):
    period: PeriodRead
    lines: list[ClassLineRead]
    total: CountsRead


@router.get("/completion/classes", response_model=ClassReportRead)
def get_completion_by_class(
    session: SessionDep, actor: Reader, period: PeriodDep, unit_id: UnitQuery = None
) -> ClassReportRead:
    report = completion.completion_by_class(session, actor, unit_id=unit_id, period=period, today=today())
    return ClassReportRead(
        period=PeriodRead.of(period),
        lines=[
            ClassLineRead(
                classroom_id=x.classroom_id,
                code=x.code,
                title=x.title,
                course_title_vi=x.course_title_vi,
                course_title_en=x.course_title_en,
                due_on=x.due_on,
                status=x.status,
                counts=CountsRead.of(x.counts),
            )
            for x in report.lines
        ],
        total=CountsRead.of(report.total),
    )


class CategoryLineRead(BaseModel):
    category: str
    counts: CountsRead


class CategoryReportRead(BaseModel):
    period: PeriodRead
    lines: list[CategoryLineRead]
    total: CountsRead


@router.get("/completion/categories", response_model=CategoryReportRead)
def get_completion_by_category(
    session: SessionDep, actor: Reader, period: PeriodDep, unit_id: UnitQuery = None
) -> CategoryReportRead:
    report = completion.completion_by_category(session, actor, unit_id=unit_id, period=period, today=today())
    return CategoryReportRead(
        period=PeriodRead.of(period),
        lines=[CategoryLineRead(category=x.category, counts=CountsRead.of(x.counts)) for x in report.lines],
        total=CountsRead.of(report.total),
    )


class MonthLineRead(BaseModel):
    month: str
    completed: int


class MonthReportRead(BaseModel):
    period: PeriodRead
    lines: list[MonthLineRead]
    total: int


@router.get("/completion/months", response_model=MonthReportRead)
def get_completions_by_month(
    session: SessionDep, actor: Reader, period: PeriodDep, unit_id: UnitQuery = None
) -> MonthReportRead:
    """Completions per local calendar month; the range is on completion dates (basis is
    ignored) and defaults to the twelve months up to today."""
    report = periods.completions_by_month(
        session, actor, unit_id=unit_id, start=period.start, end=period.end, today=today()
    )
    return MonthReportRead(
        period=PeriodRead.of(report.period),
        lines=[
            MonthLineRead(month=f"{x.month.year:04d}-{x.month.month:02d}", completed=x.completed)
            for x in report.lines
        ],
        total=report.total,
    )
