"""Report pages for HR, coordinators and admins: completion by unit (with drill-down to the
officers), course, class, personnel category and month, and training-hours compliance. Filters
are GET forms, so every view is a link that can be bookmarked or shared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BeforeValidator, Field

from app.http.params import BlankInt, PageQuery, PeriodDep, blank_is_none
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import parse_day, today
from app.orgs import service as orgs
from app.reports import completion, hours, officers, periods
from app.reports.facts import STATUSES
from app.reports.scope import Period, resolve
from app.web.auth import LoggedInDep
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/reports", include_in_schema=False)
UnitQuery = Annotated[BlankInt, Query()]
YearQuery = Annotated[Annotated[int, Field(ge=2000, le=2100)] | None, BeforeValidator(blank_is_none), Query()]


def _period_params(period: Period) -> dict[str, str]:
    return {
        "from": period.start.isoformat() if period.start else "",
        "to": period.end.isoformat() if period.end else "",
        "basis": period.basis if period.basis != "enrolled" else "",
    }


def _linker(kept: dict[str, Any]) -> Callable[..., str]:
    """Builds a report address that keeps the current filters, the empty ones left out."""

    def link(path: str, **updates: Any) -> str:
        merged = {**kept, **updates}
        params = {k: v for k, v in merged.items() if v not in ("", None) and not (k == "page" and v == 1)}
        return f"{path}?{urlencode(params)}" if params else path

    return link


@router.get("", response_class=HTMLResponse, name="reports_page")
def reports_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    return render(request, "reports/home.html", {"scope": resolve(session, actor)})


def _units_page(
    request: Request, session: SessionDep, actor: LoggedInDep, unit_id: int | None, period: Period
) -> HTMLResponse:
    report = completion.completion_by_unit(session, actor, unit_id=unit_id, period=period, today=today())
    return render(
        request,
        "reports/units.html",
        {"report": report, "link": _linker(_period_params(period)), "bases": ("enrolled", "completed")},
    )


@router.get("/units", response_class=HTMLResponse, name="units_report_page")
def units_report_page(
    request: Request, session: SessionDep, actor: LoggedInDep, period: PeriodDep
) -> HTMLResponse:
    return _units_page(request, session, actor, None, period)


@router.get("/units/{unit_id}", response_class=HTMLResponse, name="unit_report_page")
def unit_report_page(
    request: Request, session: SessionDep, actor: LoggedInDep, period: PeriodDep, unit_id: int
) -> HTMLResponse:
    return _units_page(request, session, actor, unit_id, period)


@router.get("/units/{unit_id}/officers", response_class=HTMLResponse, name="unit_officers_page")
def unit_officers_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    period: PeriodDep,
    unit_id: int,
    status: Annotated[str, Query(max_length=20)] = "",
    page: PageQuery = 1,
) -> HTMLResponse:
    status = status if status in STATUSES else ""
    listing = officers.unit_officers(
        session, actor, unit_id=unit_id, period=period, today=today(), status=status, page=page
    )
    return render(
        request,
        "reports/officers.html",
        {
            "listing": listing,
            "statuses": STATUSES,
            "link": _linker({**_period_params(period), "status": status}),
            "bases": ("enrolled", "completed"),
        },
    )


def _grouped_page(
    request: Request, session: SessionDep, actor: LoggedInDep, template: str, report: Any, period: Period
) -> HTMLResponse:
    unit_id = report.scope.unit.id if report.scope.unit else None
    return render(
        request,
        template,
        {
            "report": report,
            "units": orgs.visible_units(session, actor),
            "selected_unit_id": unit_id,
            "link": _linker({**_period_params(period), "unit_id": unit_id}),
            "bases": ("enrolled", "completed"),
        },
    )


@router.get("/courses", response_class=HTMLResponse, name="courses_report_page")
def courses_report_page(
    request: Request, session: SessionDep, actor: LoggedInDep, period: PeriodDep, unit_id: UnitQuery = None
) -> HTMLResponse:
    report = completion.completion_by_course(session, actor, unit_id=unit_id, period=period, today=today())
    return _grouped_page(request, session, actor, "reports/courses.html", report, period)


@router.get("/classes", response_class=HTMLResponse, name="classes_report_page")
def classes_report_page(
    request: Request, session: SessionDep, actor: LoggedInDep, period: PeriodDep, unit_id: UnitQuery = None
) -> HTMLResponse:
    report = completion.completion_by_class(session, actor, unit_id=unit_id, period=period, today=today())
    return _grouped_page(request, session, actor, "reports/classes.html", report, period)


@router.get("/categories", response_class=HTMLResponse, name="categories_report_page")
def categories_report_page(
    request: Request, session: SessionDep, actor: LoggedInDep, period: PeriodDep, unit_id: UnitQuery = None
) -> HTMLResponse:
    report = completion.completion_by_category(session, actor, unit_id=unit_id, period=period, today=today())
    return _grouped_page(request, session, actor, "reports/categories.html", report, period)


@router.get("/months", response_class=HTMLResponse, name="months_report_page")
def months_report_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    start: Annotated[str, Query(alias="from", max_length=10)] = "",
    end: Annotated[str, Query(alias="to", max_length=10)] = "",
    unit_id: UnitQuery = None,
) -> HTMLResponse:
    report = periods.completions_by_month(
        session, actor, unit_id=unit_id, start=parse_day(start), end=parse_day(end), today=today()
    )
    return _grouped_page(request, session, actor, "reports/months.html", report, report.period)


def _hours_page(
    request: Request, session: SessionDep, actor: LoggedInDep, unit_id: int | None, year: int | None
) -> HTMLResponse:
    report = hours.hours_by_unit(session, actor, unit_id=unit_id, year=year or today().year)
    return render(request, "reports/hours.html", {"report": report, "link": _linker({"year": report.year})})


@router.get("/hours", response_class=HTMLResponse, name="hours_report_page")
def hours_report_page(
    request: Request, session: SessionDep, actor: LoggedInDep, year: YearQuery = None
) -> HTMLResponse:
    return _hours_page(request, session, actor, None, year)


# Declared before /hours/{unit_id}, whose parameter would otherwise take the word "shortfalls".
@router.get("/hours/shortfalls", response_class=HTMLResponse, name="shortfalls_report_page")
def shortfalls_report_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    unit_id: UnitQuery = None,
    year: YearQuery = None,
    page: PageQuery = 1,
) -> HTMLResponse:
    listing = hours.shortfalls(session, actor, unit_id=unit_id, year=year or today().year, page=page)
    unit = listing.scope.unit
    return render(
        request,
        "reports/shortfalls.html",
        {"listing": listing, "link": _linker({"year": listing.year, "unit_id": unit.id if unit else None})},
    )


@router.get("/hours/{unit_id}", response_class=HTMLResponse, name="unit_hours_page")
def unit_hours_page(
    request: Request, session: SessionDep, actor: LoggedInDep, unit_id: int, year: YearQuery = None
) -> HTMLResponse:
    return _hours_page(request, session, actor, unit_id, year)
