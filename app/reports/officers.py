"""The bottom of the unit drill-down: the officers counted in a unit's subtree with each of their
enrolments and its status, paged for pages and the API and streamed whole for exports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.classrooms.models import Classroom
from app.courses.models import Course
from app.errors import InvalidInput
from app.i18n import N_, translations
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor
from app.reports.facts import MEASURES, STATUSES, Counts, enrolment_facts, status_measures
from app.reports.scope import Period, Scope, resolve, timezone
from app.tabular.table import Column, Table

PAGE_SIZE = 50


@dataclass(frozen=True)
class OfficerLine:
    user_id: int
    officer_code: str
    full_name: str
    unit_code: str
    unit_name: str
    class_code: str
    class_title: str
    course_title_vi: str
    course_title_en: str
    enrolled_at: datetime
    due_on: date | None
    status: str
    completed_at: datetime | None

    def course_title(self, language: str) -> str:
        return self.course_title_en if language == "en" else self.course_title_vi


@dataclass(frozen=True)
class OfficerPage:
    scope: Scope
    period: Period
    status: str
    lines: list[OfficerLine]
    total_rows: int
    page: int
    pages: int
    # Every enrolment of the unit's subtree by status, whatever the status filter.
    counts: Counts


def _query(scope: Scope, period: Period, today: date, status: str) -> tuple[Any, Any]:
    facts = enrolment_facts(scope, period, today=today, tz=timezone())
    unit = aliased(OrgUnit, name="officer_unit")
    stmt = (
        select(
            User.id.label("user_id"),
            User.officer_code,
            User.full_name,
            unit.code.label("unit_code"),
            unit.name.label("unit_name"),
            Classroom.code.label("class_code"),
            Classroom.title.label("class_title"),
            Course.title_vi,
            Course.title_en,
            facts.c.enrolled_at,
            Classroom.due_on,
            facts.c.status,
            facts.c.completed_at,
        )
        .select_from(facts)
        .join(User, User.id == facts.c.user_id)
        .join(unit, unit.id == facts.c.unit_id)
        .join(Classroom, Classroom.id == facts.c.classroom_id)
        .join(Course, Course.id == facts.c.course_id)
    )
    if status:
        stmt = stmt.where(facts.c.status == status)
    return stmt, facts


def _ordered(stmt: Any) -> Any:
    return stmt.order_by(User.name_sort, User.id, Classroom.code)


def _line(r: Any) -> OfficerLine:
    return OfficerLine(
        r.user_id,
        r.officer_code,
        r.full_name,
        r.unit_code,
        r.unit_name,
        r.class_code,
        r.class_title,
        r.title_vi,
        r.title_en,
        r.enrolled_at,
        r.due_on,
        r.status,
        r.completed_at,
    )


def _check_status(status: str) -> None:
    if status and status not in STATUSES:
        raise InvalidInput("Unknown status.")


def unit_officers(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    period: Period,
    today: date,
    status: str = "",
    page: int = 1,
) -> OfficerPage:
    """The enrolments counted in a unit's subtree, officer by officer, a page at a time."""
    _check_status(status)
    scope = resolve(session, actor, unit_id)
    stmt, facts = _query(scope, period, today, status)
    total_rows = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total_rows // PAGE_SIZE))
    page = min(max(1, page), pages)
    lines = [
        _line(r) for r in session.execute(_ordered(stmt).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    ]
    found = session.execute(select(*status_measures(facts))).one()
    counts = Counts.of({m: int(getattr(found, m) or 0) for m in MEASURES})
    return OfficerPage(scope, period, status, lines, total_rows, page, pages, counts)


def unit_officers_table(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    period: Period,
    today: date,
    status: str = "",
    language: str = "vi",
) -> Table:
    _check_status(status)
    scope = resolve(session, actor, unit_id)
    t = translations(language).gettext

    def rows(s: Session) -> Iterator[Sequence[object]]:
        stmt, _ = _query(scope, period, today, status)
        for r in s.execute(_ordered(stmt).execution_options(yield_per=1000)):
            line = _line(r)
            yield (
                line.officer_code,
                line.full_name,
                line.unit_name,
                line.class_code,
                line.class_title,
                line.course_title(language),
                line.enrolled_at,
                line.due_on,
                t(line.status),
                line.completed_at,
            )

    return Table(
        "can-bo-va-ghi-danh",
        N_("Officers and their enrolments"),
        (
            Column("officer_code", N_("Officer code"), "text", 14),
            Column("full_name", N_("Full name"), "text", 30),
            Column("unit", N_("Counted in unit"), "text", 30),
            Column("class_code", N_("Class code"), "text", 14),
            Column("class", N_("Class"), "text", 30),
            Column("course", N_("Course"), "text", 30),
            Column("enrolled_at", N_("Enrolled"), "datetime", 16),
            Column("due_on", N_("Due"), "date", 12),
            Column("status", N_("Status"), "text", 14),
            Column("completed_at", N_("Completed on"), "datetime", 16),
        ),
        rows,
    )
