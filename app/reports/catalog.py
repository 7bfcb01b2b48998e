"""Every exportable report by name, and the one set of filters they are built from, so a download
link, an API call and a background job name a report the same way and get the same rows.

Filters travel as plain strings (a query string, or a job's stored parameters) and are checked
here: a job runs later, in another process, with what was stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.i18n import parse_day
from app.orgs.permissions import Actor
from app.reports import completion, enrolments, hours, officers, periods
from app.reports.facts import STATUSES
from app.reports.scope import Period
from app.tabular.plans import ExportPlan
from app.tabular.table import Table


@dataclass(frozen=True)
class Filters:
    unit_id: int | None = None
    start: date | None = None
    end: date | None = None
    basis: str = "enrolled"
    status: str = ""
    year: int | None = None
    course_id: int | None = None
    classroom_id: int | None = None

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, "completed" if self.basis == "completed" else "enrolled")

    def as_params(self) -> dict[str, str]:
        """The filters as stored with a job: the set ones only, as text."""
        values = {
            "unit_id": self.unit_id,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "basis": self.basis if self.basis != "enrolled" else None,
            "status": self.status or None,
            "year": self.year,
            "course_id": self.course_id,
            "classroom_id": self.classroom_id,
        }
        return {key: str(value) for key, value in values.items() if value is not None}


def _number(params: Mapping[str, str], key: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(
            "'%(key)s' must be a whole number from %(low)d to %(high)d.", key=key, low=low, high=high
        )
    return int(text)


def _day(params: Mapping[str, str], key: str) -> date | None:
    try:
        return parse_day(params.get(key) or "")
    except InvalidInput:
        raise InvalidInput("'%(key)s' must be a date written dd/mm/yyyy or yyyy-mm-dd.", key=key) from None


def parse_filters(params: Mapping[str, str]) -> Filters:
    basis = (params.get("basis") or "enrolled").strip()
    if basis not in ("enrolled", "completed"):
        raise InvalidInput("'basis' must be 'enrolled' or 'completed'.")
    status = (params.get("status") or "").strip()
    if status and status not in STATUSES:
        raise InvalidInput("'status' must be completed, in_progress, not_started or overdue.")
    return Filters(
        unit_id=_number(params, "unit_id"),
        start=_day(params, "from"),
        end=_day(params, "to"),
        basis=basis,
        status=status,
        year=_number(params, "year", 2000, 2100),
        course_id=_number(params, "course_id"),
        classroom_id=_number(params, "classroom_id"),
    )


Builder = Callable[[Session, Actor, Filters, date, str, str], Table]


def _officers(session: Session, actor: Actor, f: Filters, today: date, language: str, _zone: str) -> Table:
    if f.unit_id is None:
        raise InvalidInput("Choose a unit for the list of its officers.")
    return officers.unit_officers_table(
        session, actor, unit_id=f.unit_id, period=f.period, today=today, status=f.status, language=language
    )


def _enrolments(session: Session, actor: Actor, f: Filters, today: date, language: str, zone: str) -> Table:
    flt = enrolments.EnrolmentFilter(
        unit_id=f.unit_id,
        course_id=f.course_id,
        classroom_id=f.classroom_id,
        enrolled_from=f.start,
        enrolled_to=f.end,
    )
    return enrolments.enrolment_table(session, actor, flt, language=language, today=today, timezone=zone)


REPORTS: dict[str, Builder] = {
    "units": lambda s, a, f, t, lang, _z: completion.completion_by_unit_table(
        s, a, unit_id=f.unit_id, period=f.period, today=t, language=lang
    ),
    "courses": lambda s, a, f, t, lang, _z: completion.completion_by_course_table(
        s, a, unit_id=f.unit_id, period=f.period, today=t, language=lang
    ),
    "classes": lambda s, a, f, t, lang, _z: completion.completion_by_class_table(
        s, a, unit_id=f.unit_id, period=f.period, today=t, language=lang
    ),
    "categories": lambda s, a, f, t, lang, _z: completion.completion_by_category_table(
        s, a, unit_id=f.unit_id, period=f.period, today=t, language=lang
    ),
    "months": lambda s, a, f, t, lang, _z: periods.completions_by_month_table(
        s, a, unit_id=f.unit_id, start=f.start, end=f.end, today=t
    ),
    "officers": _officers,
    "hours": lambda s, a, f, t, lang, _z: hours.hours_by_unit_table(
        s, a, unit_id=f.unit_id, year=f.year or t.year, language=lang
    ),
    "shortfalls": lambda s, a, f, t, lang, _z: hours.shortfalls_table(
        s, a, unit_id=f.unit_id, year=f.year or t.year, language=lang
    ),
    "enrolments": _enrolments,
}


def report_table(
    session: Session,
    actor: Actor,
    name: str,
    params: Mapping[str, str],
    *,
    today: date,
    language: str,
    timezone: str,
) -> Table:
    """The named report's Table for these filters, with the actor's rights checked."""
    builder = REPORTS.get(name)
    if builder is None:
        raise NotFound("No such report.")
    return builder(session, actor, parse_filters(params), today, language, timezone)


def job_params(name: str, params: Mapping[str, str]) -> dict[str, str]:
    """What a background job of the named report stores: its name and its checked filters."""
    if name not in REPORTS:
        raise InvalidInput("No such report.")
    return {"report": name, **parse_filters(params).as_params()}


def plan_export(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    *,
    language: str,
    today: date,
    timezone: str,
) -> ExportPlan:
    """The background job's planner for any report (kind "reports.report"): `report` names it and
    the other parameters are its filters, as on its page."""
    filters = {key: str(value) for key, value in params.items() if key != "report" and value is not None}
    table = report_table(
        session,
        actor,
        str(params.get("report", "")),
        filters,
        today=today,
        language=language,
        timezone=timezone,
    )
    return ExportPlan(table)
