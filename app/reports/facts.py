"""The enrolment facts every completion report groups: one row per active enrolment whose officer
counts in the report's units, with its status worked out as the class dashboard does and the
unit it counts in, all in one SELECT the reports aggregate with GROUP BY."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import Label, Subquery

from app.accounts.models import Placement, User
from app.classrooms.models import Classroom, Enrolment, EnrolmentStatus
from app.orgs.models import OrgUnit
from app.reports.scope import Period, Scope, local_date
from app.rounds.models import ProgressCycle
from app.rounds.queries import earned_round

# The class dashboard's statuses without "withdrawn": reports count active enrolments only.
STATUSES = ("completed", "in_progress", "not_started", "overdue")
MEASURES = ("enrolled", *STATUSES)


@dataclass(frozen=True)
class Counts:
    enrolled: int = 0
    completed: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    @classmethod
    def of(cls, values: dict[str, int]) -> Counts:
        return cls(**{m: int(values.get(m) or 0) for m in MEASURES})

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, m) + getattr(other, m) for m in MEASURES))

    @property
    def rate(self) -> float:
        """Completed enrolments as a percentage of those enrolled, to one decimal."""
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else 0.0


def enrolment_facts(scope: Scope, period: Period, *, today: date, tz: str) -> Subquery:
    """Columns: enrolment_id, user_id, classroom_id, course_id, category, enrolled_at,
    completed_at, status, unit_id (the unit the enrolment counts in) and unit_path.

    The status follows the class dashboard: completed when the officer has completed any round
    of the class's course (a retake under way does not undo it; completed_at is the latest
    completion); otherwise overdue once the class's due date has passed; otherwise in progress
    when a round exists, else not started.

    A completed enrolment counts in the unit the officer was placed in on the local date of
    completion (placements are half-open: from start_on, until the day before end_on), or in
    the officer's current unit when no placement covers that day; any other enrolment counts
    in the current unit."""
    cycle = aliased(ProgressCycle, name="cycle")
    newer = aliased(ProgressCycle, name="newer")
    earned, earned_on = earned_round(Enrolment.user_id, Classroom.course_id)
    completed_on = local_date(earned.completed_at, tz)
    placed = (
        select(Placement.unit_id)
        .where(
            Placement.user_id == Enrolment.user_id,
            Placement.start_on <= completed_on,
            or_(Placement.end_on.is_(None), Placement.end_on > completed_on),
        )
        .order_by(Placement.start_on.desc(), Placement.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    counts_in = case(
        (earned.completed_at.is_not(None), func.coalesce(placed, User.unit_id)), else_=User.unit_id
    )
    status = case(
        (earned.completed_at.is_not(None), literal("completed")),
        (Classroom.due_on < today, literal("overdue")),
        (cycle.id.is_not(None), literal("in_progress")),
        else_=literal("not_started"),
    )
    latest = ~exists().where(
        newer.user_id == cycle.user_id, newer.course_id == cycle.course_id, newer.number > cycle.number
    )
    in_scope = scope.unit_ids()
    # Officers who are, or ever were, in one of the report's units: the index-driven
    # candidates, before the exact unit of each enrolment is known.
    candidates = Enrolment.user_id.in_(
        union(
            select(User.id).where(User.unit_id.in_(in_scope)),
            select(Placement.user_id).where(Placement.unit_id.in_(in_scope)),
        )
    )
    start, end = period.bounds(tz)
    moment = earned.completed_at if period.basis == "completed" else Enrolment.enrolled_at
    when: list[ColumnElement[bool]] = []
    if start is not None:
        when.append(moment >= start)
    if end is not None:
        when.append(moment < end)
    if period.basis == "completed":
        when.append(earned.completed_at.is_not(None))
    inner = (
        select(
            Enrolment.id.label("enrolment_id"),
            Enrolment.user_id,
            Enrolment.classroom_id,
            Classroom.course_id,
            User.category,
            Enrolment.enrolled_at,
            earned.completed_at,
            status.label("status"),
            counts_in.label("unit_id"),
        )
        .select_from(Enrolment)
        .join(Classroom, Classroom.id == Enrolment.classroom_id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(
            cycle,
            and_(cycle.user_id == Enrolment.user_id, cycle.course_id == Classroom.course_id, latest),
        )
        .outerjoin(earned, earned_on)
        .where(Enrolment.status == EnrolmentStatus.ACTIVE, candidates, *when)
        .subquery("enrolment_facts")
    )
    unit = aliased(OrgUnit, name="counted_unit")
    return (
        select(inner, unit.path.label("unit_path"))
        .select_from(inner)
        .join(unit, unit.id == inner.c.unit_id)
        .where(scope.in_scope(unit.path))
        .subquery("facts")
    )


def status_measures(facts: Subquery) -> list[Label[int]]:
    """COUNT and one SUM(CASE …) per status, for a GROUP BY over the facts."""
    return [
        func.count().label("enrolled"),
        *(func.sum(case((facts.c.status == s, 1), else_=0)).label(s) for s in STATUSES),
    ]
