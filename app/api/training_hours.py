"""JSON training-hours compliance under /api/v1/reports/hours (by unit, and the officers below
their requirement), and the yearly requirements it measures against: read by report readers,
set and removed by admins (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT
from app.api.reports import Page, UnitQuery, UnitRead
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.reports import hours, requirements
from app.reports.models import TrainingRequirement

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["reports"], responses=API_ERRORS)


class RequirementRead(BaseModel):
    year: int
    category: str
    minutes: int
    updated_at: datetime

    @classmethod
    def of(cls, row: TrainingRequirement) -> RequirementRead:
        return cls(year=row.year, category=row.category, minutes=row.minutes, updated_at=row.updated_at)


class RequirementWrite(BaseModel):
    minutes: int = Field(description="Training minutes required of the category in the year")


@router.get("/training-requirements", response_model=list[RequirementRead])
def list_training_requirements(
    session: SessionDep, actor: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[RequirementRead]:
    return [RequirementRead.of(r) for r in requirements.list_requirements(session, actor, year=year)]


@router.put("/training-requirements/{year}/{category}", response_model=RequirementRead, responses=BODY_ERRORS)
def put_training_requirement(
    session: SessionDep, actor: Writer, year: int, category: str, body: RequirementWrite
) -> RequirementRead:
    row = requirements.set_requirement(session, actor, year=year, category=category, minutes=body.minutes)
    return RequirementRead.of(row)


@router.delete("/training-requirements/{year}/{category}", status_code=204, responses=CONFLICT)
def delete_training_requirement(session: SessionDep, actor: Writer, year: int, category: str) -> Response:
    requirements.delete_requirement(session, actor, year=year, category=category)
    return Response(status_code=204)


class ComplianceRead(BaseModel):
    officers: int
    no_requirement: int
    with_requirement: int
    meeting: int
    below: int
    compliant_percent: float | None

    @classmethod
    def of(cls, c: hours.Compliance) -> ComplianceRead:
        return cls(
            officers=c.officers,
            no_requirement=c.no_requirement,
            with_requirement=c.with_requirement,
            meeting=c.meeting,
            below=c.below,
            compliant_percent=c.share,
        )


class HoursLineRead(BaseModel):
    unit: UnitRead
    counted: str
    has_children: bool
    compliance: ComplianceRead


class HoursReportRead(BaseModel):
    unit: UnitRead | None
    year: int
    required_minutes: dict[str, int]
    lines: list[HoursLineRead]
    total: ComplianceRead


Year = Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year; this year by default")]


@router.get("/reports/hours/units", response_model=HoursReportRead)
def get_hours_by_unit(
    session: SessionDep, actor: Reader, unit_id: UnitQuery = None, year: Year = None
) -> HoursReportRead:
    report = hours.hours_by_unit(session, actor, unit_id=unit_id, year=year or today().year)
    return HoursReportRead(
        unit=UnitRead.of(report.scope.unit) if report.scope.unit else None,
        year=report.year,
        required_minutes=report.requirements,
        lines=[
            HoursLineRead(
                unit=UnitRead.of(x.unit),
                counted="unit_only" if x.own else "subtree",
                has_children=x.has_children,
                compliance=ComplianceRead.of(x.compliance),
            )
            for x in report.lines
        ],
        total=ComplianceRead.of(report.total),
    )


class ShortfallRead(BaseModel):
    user_id: int
    officer_code: str
    full_name: str
    unit_name: str
    category: str
    earned_minutes: int
    required_minutes: int
    shortfall_minutes: int


class ShortfallPageRead(BaseModel):
    year: int
    items: list[ShortfallRead]
    total: int
    page: int
    pages: int


@router.get("/reports/hours/shortfalls", response_model=ShortfallPageRead)
def get_hours_shortfalls(
    session: SessionDep, actor: Reader, unit_id: UnitQuery = None, year: Year = None, page: Page = 1
) -> ShortfallPageRead:
    found = hours.shortfalls(session, actor, unit_id=unit_id, year=year or today().year, page=page)
    return ShortfallPageRead(
        year=found.year,
        items=[
            ShortfallRead(
                user_id=x.user_id,
                officer_code=x.officer_code,
                full_name=x.full_name,
                unit_name=x.unit_name,
                category=x.category,
                earned_minutes=x.earned_minutes,
                required_minutes=x.required_minutes,
                shortfall_minutes=x.shortfall_minutes,
            )
            for x in found.lines
        ],
        total=found.total_rows,
        page=found.page,
        pages=found.pages,
    )
