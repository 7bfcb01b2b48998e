"""The enrolment export: every enrolment (active and withdrawn) of the officers in the actor's
units, one row each, with the class, the course, the officer's progress and best quiz score.

The scope is resolved here with the caller's session and captured in the Table as unit paths and
ids; the rows are one SELECT, streamed (yield_per, a server-side cursor on PostgreSQL). The
progress status mirrors the class dashboard's CASE (app/progress/dashboard.py) over the
officer's latest cycle of the class's course."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.classrooms.models import Classroom, Enrolment
from app.courses.models import Course
from app.errors import InvalidInput, NotFound
from app.i18n import N_, local_day_start, translations
from app.orgs.models import OrgUnit
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Permission
from app.orgs.scope import under, within
from app.orgs.service import get_unit, visible_units
from app.quizzes.models import AttemptStatus, QuizAttempt
from app.rounds.models import ProgressCycle
from app.rounds.queries import earned_round
from app.tabular.plans import ExportPlan
from app.tabular.table import Column, Table

STREAM_BATCH = 2000
COLUMNS = (
    Column("officer_code", N_("Officer code"), width=14),
    Column("full_name", N_("Full name"), width=28),
    Column("unit", N_("Unit"), width=30),
    Column("category", N_("Category"), width=12),
    Column("class_code", N_("Class code"), width=14),
    Column("class_title", N_("Class"), width=30),
    Column("course", N_("Course"), width=30),
    Column("enrolment_status", N_("Enrolment"), width=12),
    Column("progress", N_("Progress"), width=14),
    Column("enrolled_on", N_("Enrolled on"), "date", width=12),
    Column("due_on", N_("Due on"), "date", width=12),
    Column("completed_on", N_("Completed on"), "date", width=14),
    Column("hours", N_("Training hours"), "hours", width=10),
    Column("best_score", N_("Best quiz score (%)"), "percent", width=12),
)
# Words the rows carry, translated once per export.
# An enrolment's status, in the catalogue's words (its progress is put into words beside it).
ENROLMENT_WORDS = ("active", "withdrawn")
CATEGORIES = ("can_bo", "cong_chuc", "vien_chuc", "other")


@dataclass(frozen=True)
class EnrolmentFilter:
    unit_id: int | None = None
    course_id: int | None = None
    classroom_id: int | None = None
    enrolled_from: date | None = None
    enrolled_to: date | None = None


@dataclass(frozen=True)
class Scope:
    """What the rows are limited to, resolved from the actor and the filter (no session)."""

    paths: tuple[str, ...] | None
    flt: EnrolmentFilter
    today: date
    timezone: str


def resolve_scope(
    session: Session, actor: Actor, flt: EnrolmentFilter, *, today: date, timezone: str
) -> Scope:
    """The unit subtrees to read: the chosen unit (which must be in the actor's units) or every
    subtree where the actor may read reports. Outside the actor's units is 404."""
    actor.require_any(Permission.REPORTS_READ)
    if flt.enrolled_from and flt.enrolled_to and flt.enrolled_from > flt.enrolled_to:
        raise InvalidInput("The start date is after the end date.")
    if flt.course_id is not None and session.get(Course, flt.course_id) is None:
        raise NotFound("No such course.")
    if flt.classroom_id is not None:
        # Only the classes the export form offers (owned inside the actor's units): another
        # unit's class id answers as a missing one, so the filter cannot probe which exist.
        owner = session.scalar(
            select(OrgUnit.path)
            .join(Classroom, Classroom.owner_unit_id == OrgUnit.id)
            .where(Classroom.id == flt.classroom_id)
        )
        if owner is None or not actor.can(Permission.REPORTS_READ, owner):
            raise NotFound(OUT_OF_SCOPE)
    paths: tuple[str, ...] | None
    if flt.unit_id is not None:
        unit = get_unit(session, actor, flt.unit_id)
        actor.require(Permission.REPORTS_READ, unit.path)
        paths = (unit.path,)
    else:
        paths = None if actor.system else tuple(actor.paths_with(Permission.REPORTS_READ))
    return Scope(paths, flt, today, timezone)


def enrolment_query(scope: Scope, *, language: str) -> Select[Any]:
    latest = (
        select(ProgressCycle.user_id, ProgressCycle.course_id, func.max(ProgressCycle.number).label("number"))
        .group_by(ProgressCycle.user_id, ProgressCycle.course_id)
        .subquery()
    )
    cycle = aliased(ProgressCycle)
    best = (
        select(QuizAttempt.cycle_id, func.max(QuizAttempt.score_percent).label("best"))
        .where(QuizAttempt.status == AttemptStatus.GRADED)
        .group_by(QuizAttempt.cycle_id)
        .subquery()
    )
    earned, earned_on = earned_round(Enrolment.user_id, Classroom.course_id)
    # Statuses and categories are put into words by the database: a CASE costs it next to
    # nothing, where rebuilding each row in Python to translate three of its values was a
    # sixth of a large export's time.
    gettext = translations(language).gettext
    progress = case(
        (cycle.completed_at.is_not(None), literal(gettext("completed"))),
        (earned.completed_at.is_not(None), literal(gettext("retaking"))),
        (Classroom.due_on < scope.today, literal(gettext("overdue"))),
        (cycle.id.is_not(None), literal(gettext("in_progress"))),
        else_=literal(gettext("not_started")),
    )
    category = case({c: gettext(c) for c in CATEGORIES}, value=User.category, else_=User.category)
    status = case(
        {w: gettext(w) for w in ("active", "withdrawn")}, value=Enrolment.status, else_=Enrolment.status
    )
    hours = case((earned.completed_at.is_not(None), Course.training_minutes / 60.0), else_=literal(0.0))
    query = (
        select(
            User.officer_code,
            User.full_name,
            OrgUnit.name,
            category,
            Classroom.code,
            Classroom.title,
            Course.title_en if language == "en" else Course.title_vi,
            status,
            progress,
            Enrolment.enrolled_at,
            Classroom.due_on,
            earned.completed_at,
            hours,
            best.c.best,
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .join(Classroom, Classroom.id == Enrolment.classroom_id)
        .join(Course, Course.id == Classroom.course_id)
        .outerjoin(
            latest, (latest.c.user_id == Enrolment.user_id) & (latest.c.course_id == Classroom.course_id)
        )
        .outerjoin(
            cycle,
            (cycle.user_id == latest.c.user_id)
            & (cycle.course_id == latest.c.course_id)
            & (cycle.number == latest.c.number),
        )
        .outerjoin(earned, earned_on)
        .outerjoin(best, best.c.cycle_id == cycle.id)
        .order_by(Enrolment.id)
    )
    if scope.paths is not None:
        query = query.where(under(scope.paths, OrgUnit.path))
    flt = scope.flt
    if flt.course_id is not None:
        query = query.where(Classroom.course_id == flt.course_id)
    if flt.classroom_id is not None:
        query = query.where(Enrolment.classroom_id == flt.classroom_id)
    if flt.enrolled_from is not None:
        query = query.where(Enrolment.enrolled_at >= local_day_start(flt.enrolled_from, scope.timezone))
    if flt.enrolled_to is not None:
        end = local_day_start(flt.enrolled_to + timedelta(days=1), scope.timezone)
        query = query.where(Enrolment.enrolled_at < end)
    return query


def enrolment_table(
    session: Session, actor: Actor, flt: EnrolmentFilter, *, language: str, today: date, timezone: str
) -> Table:
    """The export's Table; its rows read the scope resolved now, with whatever session they get."""
    scope = resolve_scope(session, actor, flt, today=today, timezone=timezone)
    query = enrolment_query(scope, language=language)

    def rows(rows_session: Session) -> Iterator[Sequence[object]]:
        # Core rows from the session's connection: the ORM adds nothing to plain columns but time.
        result = rows_session.connection().execute(query, execution_options={"yield_per": STREAM_BATCH})
        # Closed here even when the reader stops early (a client that went away), so a
        # server-side cursor never outlives its transaction.
        with result:
            yield from result

    return Table(name="ghi-danh", title=N_("Enrolment list"), columns=COLUMNS, rows=rows)


@dataclass(frozen=True)
class Choices:
    units: Sequence[OrgUnit]
    courses: Sequence[Course]
    classes: Sequence[Classroom]


def export_choices(session: Session, actor: Actor) -> Choices:
    """What the export form offers: the units where the actor reads reports, every course, and
    the classes owned by those units."""
    actor.require_any(Permission.REPORTS_READ)
    units = [u for u in visible_units(session, actor) if actor.can(Permission.REPORTS_READ, u.path)]
    courses = session.scalars(select(Course).order_by(Course.title_vi)).all()
    classes_query = select(Classroom).join(OrgUnit, OrgUnit.id == Classroom.owner_unit_id)
    classes_query = classes_query.where(within(actor, Permission.REPORTS_READ, OrgUnit.path))
    classes = session.scalars(classes_query.order_by(Classroom.code)).all()
    return Choices(units, courses, classes)


def filter_params(flt: EnrolmentFilter) -> dict[str, Any]:
    """The filter as JSON-friendly job parameters."""
    return {
        "unit_id": flt.unit_id,
        "course_id": flt.course_id,
        "classroom_id": flt.classroom_id,
        "enrolled_from": flt.enrolled_from.isoformat() if flt.enrolled_from else None,
        "enrolled_to": flt.enrolled_to.isoformat() if flt.enrolled_to else None,
    }


def filter_from_params(params: Mapping[str, Any]) -> EnrolmentFilter:
    def number(key: str) -> int | None:
        value = params.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput("Filters must be whole numbers and dates.")
        return value

    def day(key: str) -> date | None:
        value = params.get(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput("Dates must be written as YYYY-MM-DD.") from exc

    return EnrolmentFilter(
        unit_id=number("unit_id"),
        course_id=number("course_id"),
        classroom_id=number("classroom_id"),
        enrolled_from=day("enrolled_from"),
        enrolled_to=day("enrolled_to"),
    )


def plan_export(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    *,
    language: str,
    today: date,
    timezone: str,
) -> ExportPlan:
    """The background export's planner (registered as "reports.enrolments")."""
    flt = filter_from_params(params)
    table = enrolment_table(session, actor, flt, language=language, today=today, timezone=timezone)
    scope = resolve_scope(session, actor, flt, today=today, timezone=timezone)

    def count(count_session: Session) -> int:
        counted = enrolment_query(scope, language=language).order_by(None).subquery()
        return int(count_session.scalar(select(func.count()).select_from(counted)) or 0)

    return ExportPlan(table, count)
