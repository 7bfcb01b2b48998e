"""The class dashboard's roster: every enrolment with its progress and status, filtered, sorted and
paged by the database, so a class of thousands costs one page of rows, not the whole roster."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.accounts.service import officer_matches
from app.classrooms.models import Classroom, Enrolment, EnrolmentStatus
from app.courses.models import Lesson, Quiz
from app.progress.models import LessonCompletion
from app.quizzes.results import best_by_cycle
from app.rounds.models import ProgressCycle
from app.rounds.queries import earned_round

# "retaking": completed before, and working through a new round now; the completion stands.
STATUSES = ("not_started", "in_progress", "completed", "retaking", "overdue", "withdrawn")
SORTS = ("name", "code", "progress", "activity", "status", "enrolled")
Sort = Literal["name", "code", "progress", "activity", "status", "enrolled"]
PAGE_SIZE = 50
# The officer's latest round, joined by each roster query; made once, as building an alias costs
# more than building the rest of the query.
_CYCLE = aliased(ProgressCycle, name="latest_round")


@dataclass(frozen=True)
class RosterFilter:
    status: str = ""
    query: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class RosterRow:
    enrolment_id: int
    user_id: int
    officer_code: str
    full_name: str
    email: str | None
    active: bool
    enrolled_at: datetime
    withdrawn_reason: str | None
    done: int
    total: int
    # Estimated from the minutes each finished lesson is meant to take.
    minutes_spent: int
    completed_at: datetime | None
    last_activity_at: datetime | None
    status: str
    cycle_id: int | None = None
    # Best score of each quiz of the course, in course order (None: not taken yet).
    quiz_best: tuple[float | None, ...] = ()
    quizzes_passed: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class RosterPage:
    rows: list[RosterRow]
    total_rows: int
    page: int
    pages: int
    counts: dict[str, int]


class _Roster:
    """The columns of one class's roster as a SELECT, with the status worked out in SQL."""

    def __init__(self, session: Session, classroom: Classroom, today: date) -> None:
        self.session = session
        self.classroom = classroom
        course_id = classroom.course_id
        self.total = (
            session.scalar(
                select(func.count())
                .select_from(Lesson)
                .where(Lesson.course_id == course_id, Lesson.retired.is_(False))
            )
            or 0
        )
        # Rounds and lesson counts of this class's officers only: grouped over everyone who ever
        # took the course, a class of 100 in a province paid for the course's tens of thousands.
        members = select(Enrolment.user_id).where(Enrolment.classroom_id == classroom.id)
        latest = (
            select(ProgressCycle.user_id, func.max(ProgressCycle.number).label("number"))
            .where(ProgressCycle.course_id == course_id, ProgressCycle.user_id.in_(members))
            .group_by(ProgressCycle.user_id)
            .subquery()
        )
        cycle = _CYCLE
        earned, earned_on = earned_round(Enrolment.user_id, course_id)
        rounds = select(ProgressCycle.id).where(
            ProgressCycle.course_id == course_id, ProgressCycle.user_id.in_(members)
        )
        done = (
            select(
                LessonCompletion.cycle_id,
                func.count().label("done"),
                func.sum(func.coalesce(Lesson.minutes, 0)).label("minutes"),
            )
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .where(
                Lesson.course_id == course_id,
                Lesson.retired.is_(False),
                LessonCompletion.cycle_id.in_(rounds),
            )
            .group_by(LessonCompletion.cycle_id)
            .subquery()
        )
        overdue = classroom.due_on is not None and classroom.due_on < today
        open_status: ColumnElement[str] = (
            literal("overdue")
            if overdue
            else case((cycle.id.is_not(None), literal("in_progress")), else_=literal("not_started"))
        )
        self.status = case(
            (Enrolment.status == EnrolmentStatus.WITHDRAWN, literal("withdrawn")),
            (cycle.completed_at.is_not(None), literal("completed")),
            (earned.completed_at.is_not(None), literal("retaking")),
            else_=open_status,
        ).label("status")
        self.done = func.coalesce(done.c.done, 0).label("done")
        self.minutes = func.coalesce(done.c.minutes, 0).label("minutes")
        self.cycle = cycle
        self.base = (
            select(
                Enrolment.id,
                User.id.label("user_id"),
                User.officer_code,
                User.full_name,
                User.email,
                User.active,
                Enrolment.enrolled_at,
                Enrolment.withdrawn_reason,
                self.done,
                self.minutes,
                earned.completed_at,
                cycle.last_activity_at,
                self.status,
                cycle.id.label("cycle_id"),
            )
            .join(User, User.id == Enrolment.user_id)
            .outerjoin(latest, latest.c.user_id == Enrolment.user_id)
            .outerjoin(
                cycle,
                (cycle.user_id == latest.c.user_id)
                & (cycle.number == latest.c.number)
                & (cycle.course_id == course_id),
            )
            .outerjoin(done, done.c.cycle_id == cycle.id)
            .outerjoin(earned, earned_on)
            .where(Enrolment.classroom_id == classroom.id)
        )

    def filtered(self, flt: RosterFilter) -> Any:
        query = self.base
        if flt.status in STATUSES:
            query = query.where(self.status == flt.status)
        return query.where(*officer_matches(flt.query))

    def ordered(self, query: Any, flt: RosterFilter) -> Any:
        keys: dict[str, Any] = {
            "name": User.name_sort,
            "code": User.officer_code,
            "progress": self.done,
            "activity": self.cycle.last_activity_at,
            "status": self.status,
            "enrolled": Enrolment.enrolled_at,
        }
        key = keys.get(flt.sort, User.name_sort)
        first = key.desc() if flt.descending else key.asc()
        # Empty values last either way, and a stable tie-break so pages never overlap.
        return query.order_by(key.is_(None), first, User.name_sort, Enrolment.id)

    def counts(self) -> dict[str, int]:
        everyone = self.base.subquery()
        counts = dict.fromkeys(STATUSES, 0)
        for status, count in self.session.execute(
            select(everyone.c.status, func.count()).group_by(everyone.c.status)
        ):
            counts[status] = int(count)
        return counts

    def row(self, r: Any) -> RosterRow:
        return RosterRow(
            r.id,
            r.user_id,
            r.officer_code,
            r.full_name,
            r.email,
            r.active,
            r.enrolled_at,
            r.withdrawn_reason,
            int(r.done),
            self.total,
            int(r.minutes),
            r.completed_at,
            r.last_activity_at,
            r.status,
            r.cycle_id,
        )

    @cached_property
    def quiz_ids(self) -> list[int]:
        """The course's quizzes, read once however many batches of rows are given scores."""
        return list(
            self.session.scalars(
                select(Quiz.id)
                .where(Quiz.course_id == self.classroom.course_id, Quiz.retired.is_(False))
                .order_by(Quiz.id)
            )
        )

    def with_quizzes(self, rows: list[RosterRow]) -> list[RosterRow]:
        """The rows with each quiz's best score, from one query for all of them."""
        quiz_ids = self.quiz_ids
        if not quiz_ids:
            return rows
        found = best_by_cycle(
            self.session, cycle_ids=[r.cycle_id for r in rows if r.cycle_id], quiz_ids=quiz_ids
        )
        result = []
        for row in rows:
            mine = found.get(row.cycle_id or -1, {})
            best = tuple(mine[q][0] if q in mine else None for q in quiz_ids)
            passed = sum(1 for q in quiz_ids if q in mine and mine[q][1])
            result.append(replace(row, quiz_best=best, quizzes_passed=passed))
        return result


def roster_page(
    session: Session, classroom: Classroom, *, today: date, flt: RosterFilter, page: int = 1
) -> RosterPage:
    roster = _Roster(session, classroom, today)
    counts = roster.counts()
    if flt.query.strip():
        filtered = roster.filtered(flt).subquery()
        total_rows = session.scalar(select(func.count()).select_from(filtered)) or 0
    else:
        # Without a search the counts by status already say how many rows the filter keeps: one
        # pass over the class instead of two.
        total_rows = counts[flt.status] if flt.status in STATUSES else sum(counts.values())
    pages = max(1, -(-total_rows // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = roster.ordered(roster.filtered(flt), flt).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    rows = roster.with_quizzes([roster.row(r) for r in session.execute(query)])
    return RosterPage(rows, int(total_rows), page, pages, counts)


def status_counts(session: Session, classroom: Classroom, *, today: date) -> dict[str, int]:
    return _Roster(session, classroom, today).counts()


def roster_rows(
    session: Session, classroom: Classroom, *, today: date, flt: RosterFilter, quiz_scores: bool = True
) -> Iterator[RosterRow]:
    """Every matching row in order, streamed from the database (for exports and bulk actions).
    Reminders need no quiz scores and skip reading them."""
    roster = _Roster(session, classroom, today)
    query = roster.ordered(roster.filtered(flt), flt)
    batch: list[RosterRow] = []
    for r in session.execute(query.execution_options(yield_per=1000)):
        batch.append(roster.row(r))
        if len(batch) == 1000:
            yield from roster.with_quizzes(batch) if quiz_scores else batch
            batch = []
    yield from roster.with_quizzes(batch) if quiz_scores else batch
