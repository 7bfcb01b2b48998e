"""Completion reports over active enrolments: by unit (rolled up through the org tree, with
drill-down), by course, by class and by personnel category. Each has a service function that
returns result rows for the pages and the API, and a `…_table` function for exports; both run
the same grouped queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import CATEGORIES
from app.classrooms.models import Classroom
from app.courses.models import Course
from app.i18n import N_, translations
from app.orgs.permissions import Actor
from app.reports.facts import MEASURES, Counts, enrolment_facts, status_measures
from app.reports.scope import Period, Scope, UnitRef, resolve, rollup, timezone
from app.tabular.table import Column, Table

Line = TypeVar("Line")
# How a row of a unit roll-up was counted, in exports.
UNIT_ONLY = N_("Unit only")
WITH_SUBUNITS = N_("Unit and sub-units")

COUNT_COLUMNS = (
    Column("enrolled", N_("Enrolments"), "int", 10),
    Column("completed", N_("Completed"), "int", 10),
    Column("in_progress", N_("In progress"), "int", 10),
    Column("not_started", N_("Not started"), "int", 10),
    Column("overdue", N_("Overdue"), "int", 10),
    Column("rate", N_("Completion rate (%)"), "percent", 12),
)


def count_cells(counts: Counts) -> tuple[object, ...]:
    return (
        counts.enrolled,
        counts.completed,
        counts.in_progress,
        counts.not_started,
        counts.overdue,
        counts.rate,
    )


@dataclass(frozen=True)
class Report(Generic[Line]):
    scope: Scope
    period: Period
    today: date
    lines: list[Line]
    total: Counts = field(default_factory=Counts)


@dataclass(frozen=True)
class UnitLine:
    unit: UnitRef
    # True for the chosen unit's own officers (placed in it, not in a unit below it).
    own: bool
    has_children: bool
    status: str
    counts: Counts


@dataclass(frozen=True)
class CourseLine:
    course_id: int
    slug: str
    title_vi: str
    title_en: str
    counts: Counts

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_vi


@dataclass(frozen=True)
class ClassLine:
    classroom_id: int
    code: str
    title: str
    course_title_vi: str
    course_title_en: str
    due_on: date | None
    status: str
    counts: Counts

    def course_title(self, language: str) -> str:
        return self.course_title_en if language == "en" else self.course_title_vi


@dataclass(frozen=True)
class CategoryLine:
    category: str
    counts: Counts


def _total(lines: Sequence[UnitLine | CourseLine | ClassLine | CategoryLine]) -> Counts:
    total = Counts()
    for line in lines:
        total = total + line.counts
    return total


def _counts(row: object) -> Counts:
    return Counts.of({m: int(getattr(row, m) or 0) for m in MEASURES})


# By unit ------------------------------------------------------------------------------------


def _unit_lines(session: Session, scope: Scope, period: Period, today: date) -> list[UnitLine]:
    facts = enrolment_facts(scope, period, today=today, tz=timezone())
    per_unit = select(facts.c.unit_id, *status_measures(facts)).group_by(facts.c.unit_id).subquery()
    rolled, own = rollup(session, per_unit, MEASURES, scope)
    lines = [UnitLine(r.unit, False, r.has_children, r.status, Counts.of(r.values)) for r in rolled]
    if scope.unit is not None and own is not None:
        lines.append(UnitLine(scope.unit, True, False, "active", Counts.of(own)))
    return lines


def completion_by_unit(
    session: Session, actor: Actor, *, unit_id: int | None = None, period: Period, today: date
) -> Report[UnitLine]:
    """For each unit directly under the chosen one (or each of the actor's top units), its
    enrolments and their statuses counted over its whole subtree; then the chosen unit's own."""
    scope = resolve(session, actor, unit_id)
    lines = _unit_lines(session, scope, period, today)
    return Report(scope, period, today, lines, _total(lines))


def completion_by_unit_table(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: Period,
    today: date,
    language: str = "vi",
) -> Table:
    scope = resolve(session, actor, unit_id)
    t = translations(language).gettext

    def rows(s: Session) -> Iterator[Sequence[object]]:
        for line in _unit_lines(s, scope, period, today):
            counted = t(UNIT_ONLY) if line.own else t(WITH_SUBUNITS)
            yield (line.unit.code, line.unit.name, counted, *count_cells(line.counts))

    return Table(
        "hoan-thanh-theo-don-vi",
        N_("Completion by unit"),
        (
            Column("unit_code", N_("Unit code"), "text", 12),
            Column("unit", N_("Unit"), "text", 40),
            Column("counted", N_("Counted"), "text", 18),
            *COUNT_COLUMNS,
        ),
        rows,
    )


# By course ----------------------------------------------------------------------------------


def _course_lines(session: Session, scope: Scope, period: Period, today: date) -> list[CourseLine]:
    facts = enrolment_facts(scope, period, today=today, tz=timezone())
    grouped = select(facts.c.course_id, *status_measures(facts)).group_by(facts.c.course_id).subquery()
    stmt = (
        select(Course.id, Course.slug, Course.title_vi, Course.title_en, *(grouped.c[m] for m in MEASURES))
        .select_from(Course)
        .join(grouped, grouped.c.course_id == Course.id)
        .order_by(Course.title_vi, Course.id)
    )
    return [CourseLine(r.id, r.slug, r.title_vi, r.title_en, _counts(r)) for r in session.execute(stmt)]


def completion_by_course(
    session: Session, actor: Actor, *, unit_id: int | None = None, period: Period, today: date
) -> Report[CourseLine]:
    scope = resolve(session, actor, unit_id)
    lines = _course_lines(session, scope, period, today)
    return Report(scope, period, today, lines, _total(lines))


def completion_by_course_table(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: Period,
    today: date,
    language: str = "vi",
) -> Table:
    scope = resolve(session, actor, unit_id)

    def rows(s: Session) -> Iterator[Sequence[object]]:
        for line in _course_lines(s, scope, period, today):
            yield (line.slug, line.title(language), *count_cells(line.counts))

    return Table(
        "hoan-thanh-theo-khoa-hoc",
        N_("Completion by course"),
        (
            Column("course_code", N_("Course code"), "text", 20),
            Column("course", N_("Course"), "text", 40),
            *COUNT_COLUMNS,
        ),
        rows,
    )


# By class -----------------------------------------------------------------------------------


def _class_lines(session: Session, scope: Scope, period: Period, today: date) -> list[ClassLine]:
    facts = enrolment_facts(scope, period, today=today, tz=timezone())
    grouped = select(facts.c.classroom_id, *status_measures(facts)).group_by(facts.c.classroom_id).subquery()
    stmt = (
        select(
            Classroom.id,
            Classroom.code,
            Classroom.title,
            Classroom.due_on,
            Classroom.status,
            Course.title_vi,
            Course.title_en,
            *(grouped.c[m] for m in MEASURES),
        )
        .select_from(Classroom)
        .join(grouped, grouped.c.classroom_id == Classroom.id)
        .join(Course, Course.id == Classroom.course_id)
        .order_by(Classroom.code)
    )
    return [
        ClassLine(r.id, r.code, r.title, r.title_vi, r.title_en, r.due_on, r.status, _counts(r))
        for r in session.execute(stmt)
    ]


def completion_by_class(
    session: Session, actor: Actor, *, unit_id: int | None = None, period: Period, today: date
) -> Report[ClassLine]:
    """Classes with enrolments of officers in the report's units, counting only those officers
    (a class opened by another unit shows the actor's own people in it)."""
    scope = resolve(session, actor, unit_id)
    lines = _class_lines(session, scope, period, today)
    return Report(scope, period, today, lines, _total(lines))


def completion_by_class_table(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: Period,
    today: date,
    language: str = "vi",
) -> Table:
    scope = resolve(session, actor, unit_id)

    def rows(s: Session) -> Iterator[Sequence[object]]:
        for line in _class_lines(s, scope, period, today):
            yield (line.code, line.title, line.course_title(language), line.due_on, *count_cells(line.counts))

    return Table(
        "hoan-thanh-theo-lop",
        N_("Completion by class"),
        (
            Column("class_code", N_("Class code"), "text", 14),
            Column("class", N_("Class"), "text", 36),
            Column("course", N_("Course"), "text", 36),
            Column("due_on", N_("Due"), "date", 12),
            *COUNT_COLUMNS,
        ),
        rows,
    )


# By personnel category ----------------------------------------------------------------------


def _category_lines(session: Session, scope: Scope, period: Period, today: date) -> list[CategoryLine]:
    facts = enrolment_facts(scope, period, today=today, tz=timezone())
    stmt = select(facts.c.category, *status_measures(facts)).group_by(facts.c.category)
    found = {r.category: _counts(r) for r in session.execute(stmt)}
    # Every category in its usual order, those with nobody enrolled as zeros.
    return [CategoryLine(c, found.get(c, Counts())) for c in CATEGORIES]


def completion_by_category(
    session: Session, actor: Actor, *, unit_id: int | None = None, period: Period, today: date
) -> Report[CategoryLine]:
    scope = resolve(session, actor, unit_id)
    lines = _category_lines(session, scope, period, today)
    return Report(scope, period, today, lines, _total(lines))


def completion_by_category_table(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: Period,
    today: date,
    language: str = "vi",
) -> Table:
    scope = resolve(session, actor, unit_id)
    t = translations(language).gettext

    def rows(s: Session) -> Iterator[Sequence[object]]:
        for line in _category_lines(s, scope, period, today):
            yield (t(line.category), *count_cells(line.counts))

    return Table(
        "hoan-thanh-theo-doi-tuong",
        N_("Completion by personnel category"),
        (Column("category", N_("Personnel category"), "text", 20), *COUNT_COLUMNS),
        rows,
    )
