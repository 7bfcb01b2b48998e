"""Training-hours compliance for a calendar year: the hours each active officer earned (the
training hours of the courses they completed that year, each course once), against the
requirement of their personnel category. Rolled up by unit like the completion report, with the
officers below their requirement listed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Subquery

from app.accounts.models import User
from app.courses.models import Course
from app.errors import InvalidInput
from app.i18n import N_, local_day_start, translations
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor
from app.reports.completion import UNIT_ONLY, WITH_SUBUNITS
from app.reports.models import TrainingRequirement
from app.reports.requirements import FIRST_YEAR, LAST_YEAR, requirement_minutes
from app.reports.scope import Scope, UnitRef, resolve, rollup, timezone
from app.rounds.models import ProgressCycle
from app.tabular.table import Column, Table

MEASURES = ("officers", "with_requirement", "meeting")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Compliance:
    officers: int = 0
    with_requirement: int = 0
    meeting: int = 0

    def __add__(self, other: Compliance) -> Compliance:
        return Compliance(*(getattr(self, m) + getattr(other, m) for m in MEASURES))

    @property
    def below(self) -> int:
        return self.with_requirement - self.meeting

    @property
    def no_requirement(self) -> int:
        return self.officers - self.with_requirement

    @property
    def share(self) -> float | None:
        """Officers meeting their requirement as a percentage of those who have one."""
        return round(100 * self.meeting / self.with_requirement, 1) if self.with_requirement else None


@dataclass(frozen=True)
class HoursLine:
    unit: UnitRef
    own: bool
    has_children: bool
    status: str
    compliance: Compliance


@dataclass(frozen=True)
class HoursReport:
    scope: Scope
    year: int
    # Minutes required of each category that year; a category missing here has no requirement.
    requirements: dict[str, int]
    lines: list[HoursLine]
    total: Compliance


@dataclass(frozen=True)
class ShortfallLine:
    user_id: int
    officer_code: str
    full_name: str
    unit_name: str
    category: str
    earned_minutes: int
    required_minutes: int

    @property
    def shortfall_minutes(self) -> int:
        return self.required_minutes - self.earned_minutes


@dataclass(frozen=True)
class ShortfallPage:
    scope: Scope
    year: int
    lines: list[ShortfallLine]
    total_rows: int
    page: int
    pages: int


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput("The year must be between 2000 and 2100.")


def officer_hours(scope: Scope, year: int, tz: str) -> Subquery:
    """Columns: user_id, unit_id, category, earned (minutes), required (minutes, NULL without a
    requirement); one row per active officer currently in the report's units.

    A course counts once per officer and year however many of its cycles the officer completed
    that year (a retake earns no second set of hours), in a class or on their own."""
    start, end = local_day_start(date(year, 1, 1), tz), local_day_start(date(year + 1, 1, 1), tz)
    people = select(User.id).join(OrgUnit, OrgUnit.id == User.unit_id).where(scope.in_scope(OrgUnit.path))
    courses_done = (
        select(ProgressCycle.user_id, ProgressCycle.course_id)
        .where(
            ProgressCycle.completed_at >= start,
            ProgressCycle.completed_at < end,
            ProgressCycle.user_id.in_(people),
        )
        .distinct()
        .subquery("courses_done")
    )
    earned = (
        select(courses_done.c.user_id, func.sum(Course.training_minutes).label("minutes"))
        .join(Course, Course.id == courses_done.c.course_id)
        .group_by(courses_done.c.user_id)
        .subquery("earned")
    )
    return (
        select(
            User.id.label("user_id"),
            User.unit_id,
            User.category,
            func.coalesce(earned.c.minutes, 0).label("earned"),
            TrainingRequirement.minutes.label("required"),
        )
        .select_from(User)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .outerjoin(earned, earned.c.user_id == User.id)
        .outerjoin(
            TrainingRequirement,
            and_(TrainingRequirement.year == year, TrainingRequirement.category == User.category),
        )
        .where(scope.in_scope(OrgUnit.path), User.active.is_(True))
        .subquery("officer_hours")
    )


def _lines(session: Session, scope: Scope, year: int) -> list[HoursLine]:
    people = officer_hours(scope, year, timezone())
    meets = and_(people.c.required.is_not(None), people.c.earned >= people.c.required)
    per_unit = (
        select(
            people.c.unit_id,
            func.count().label("officers"),
            func.count(people.c.required).label("with_requirement"),
            func.sum(case((meets, 1), else_=0)).label("meeting"),
        )
        .group_by(people.c.unit_id)
        .subquery()
    )
    rolled, own = rollup(session, per_unit, MEASURES, scope)
    lines = [HoursLine(r.unit, False, r.has_children, r.status, Compliance(**r.values)) for r in rolled]
    if scope.unit is not None and own is not None:
        lines.append(HoursLine(scope.unit, True, False, "active", Compliance(**own)))
    return lines


def hours_by_unit(session: Session, actor: Actor, *, unit_id: int | None = None, year: int) -> HoursReport:
    _check_year(year)
    scope = resolve(session, actor, unit_id)
    lines = _lines(session, scope, year)
    total = Compliance()
    for line in lines:
        total = total + line.compliance
    return HoursReport(scope, year, requirement_minutes(session, year), lines, total)


def hours_by_unit_table(
    session: Session, actor: Actor, *, unit_id: int | None = None, year: int, language: str = "vi"
) -> Table:
    _check_year(year)
    scope = resolve(session, actor, unit_id)
    t = translations(language).gettext

    def rows(s: Session) -> Iterator[Sequence[object]]:
        for line in _lines(s, scope, year):
            c = line.compliance
            counted = t(UNIT_ONLY) if line.own else t(WITH_SUBUNITS)
            yield (
                line.unit.code,
                line.unit.name,
                counted,
                c.officers,
                c.no_requirement,
                c.with_requirement,
                c.meeting,
                c.below,
                c.share,
            )

    return Table(
        f"gio-boi-duong-{year}",
        N_("Training hours by unit"),
        (
            Column("unit_code", N_("Unit code"), "text", 12),
            Column("unit", N_("Unit"), "text", 40),
            Column("counted", N_("Counted"), "text", 18),
            Column("officers", N_("Number of officers"), "int", 10),
            Column("no_requirement", N_("No requirement"), "int", 12),
            Column("with_requirement", N_("With a requirement"), "int", 12),
            Column("meeting", N_("Meeting it"), "int", 10),
            Column("below", N_("Below it"), "int", 10),
            Column("share", N_("Compliant (%)"), "percent", 12),
        ),
        rows,
    )


def _shortfall_query(scope: Scope, year: int) -> Any:
    people = officer_hours(scope, year, timezone())
    return (
        select(
            User.id.label("user_id"),
            User.officer_code,
            User.full_name,
            OrgUnit.name.label("unit_name"),
            people.c.category,
            people.c.earned,
            people.c.required,
        )
        .select_from(people)
        .join(User, User.id == people.c.user_id)
        .join(OrgUnit, OrgUnit.id == people.c.unit_id)
        .where(people.c.required.is_not(None), people.c.earned < people.c.required)
    )


def _shortfall(r: Any) -> ShortfallLine:
    return ShortfallLine(
        r.user_id, r.officer_code, r.full_name, r.unit_name, r.category, int(r.earned), int(r.required)
    )


def shortfalls(
    session: Session, actor: Actor, *, unit_id: int | None = None, year: int, page: int = 1
) -> ShortfallPage:
    """Active officers of the units whose hours that year are below their category's
    requirement, by name, a page at a time."""
    _check_year(year)
    scope = resolve(session, actor, unit_id)
    stmt = _shortfall_query(scope, year)
    total_rows = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total_rows // PAGE_SIZE))
    page = min(max(1, page), pages)
    ordered = stmt.order_by(User.name_sort, User.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    lines = [_shortfall(r) for r in session.execute(ordered)]
    return ShortfallPage(scope, year, lines, total_rows, page, pages)


def shortfalls_table(
    session: Session, actor: Actor, *, unit_id: int | None = None, year: int, language: str = "vi"
) -> Table:
    _check_year(year)
    scope = resolve(session, actor, unit_id)
    t = translations(language).gettext

    def rows(s: Session) -> Iterator[Sequence[object]]:
        stmt = _shortfall_query(scope, year).order_by(User.name_sort, User.id)
        for r in s.execute(stmt.execution_options(yield_per=1000)):
            line = _shortfall(r)
            yield (
                line.officer_code,
                line.full_name,
                line.unit_name,
                t(line.category),
                line.earned_minutes / 60,
                line.required_minutes / 60,
                line.shortfall_minutes / 60,
            )

    return Table(
        f"chua-du-gio-boi-duong-{year}",
        N_("Officers below their training-hours requirement"),
        (
            Column("officer_code", N_("Officer code"), "text", 14),
            Column("full_name", N_("Full name"), "text", 30),
            Column("unit", N_("Unit"), "text", 30),
            Column("category", N_("Personnel category"), "text", 16),
            Column("earned", N_("Hours earned"), "hours", 12),
            Column("required", N_("Hours required"), "hours", 12),
            Column("shortfall", N_("Hours short"), "hours", 12),
        ),
        rows,
    )
