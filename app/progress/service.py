"""Recording that an officer finished a lesson (an explicit action, not a timer), course
completion by the course's rule, retakes as new cycles, and the officer's own learning list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.recorder import record
from app.classrooms.models import Classroom, Enrolment, EnrolmentStatus
from app.courses.models import Course, Lesson
from app.db import lock_row, utcnow
from app.errors import Conflict, NotFound, PermissionDenied
from app.orgs.permissions import Actor
from app.progress.access import may_read_unpublished
from app.progress.models import LessonCompletion
from app.quizzes.results import quizzes_passed
from app.rounds.models import ProgressCycle
from app.rounds.service import current_cycle, open_cycle, to_settle


@dataclass(frozen=True)
class CourseProgress:
    done: int
    total: int
    completed_at: datetime | None
    next_lesson_slug: str | None
    # Estimated from the minutes each finished lesson is meant to take.
    minutes_spent: int = 0
    last_activity_at: datetime | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class LearningItem:
    classroom: Classroom
    course: Course
    progress: CourseProgress
    overdue: bool


def _lesson(session: Session, actor: Actor, course_slug: str, lesson_slug: str) -> tuple[Course, Lesson]:
    row = session.execute(
        select(Course, Lesson)
        .join(Lesson, Lesson.course_id == Course.id)
        .where(Course.slug == course_slug, Lesson.slug == lesson_slug, Lesson.retired.is_(False))
    ).one_or_none()
    if row is None or (not row[0].published and not may_read_unpublished(session, actor, row[0].id)):
        raise NotFound("No lesson with this address in this course.")
    return row[0], row[1]


def complete_lesson(session: Session, actor: Actor, *, course_slug: str, lesson_slug: str) -> CourseProgress:
    """Record the lesson as finished in the current cycle (idempotent) and complete the course
    when its rule holds. The commit of the request makes it durable before the page answers."""
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    course, lesson = _lesson(session, actor, course_slug, lesson_slug)
    cycle = open_cycle(session, actor.user_id, course.id)
    now = utcnow()
    cycle.last_activity_at = now
    exists = session.scalar(
        select(LessonCompletion.id).where(
            LessonCompletion.cycle_id == cycle.id, LessonCompletion.lesson_id == lesson.id
        )
    )
    if exists is None:
        try:
            with session.begin_nested():
                session.add(LessonCompletion(cycle_id=cycle.id, lesson_id=lesson.id, completed_at=now))
        except IntegrityError:
            pass  # the same click from another tab got there first: one completion either way
    settle_completion(session, actor, course, cycle, now=now)
    return _progress(session, course, cycle)


def settle_completion(
    session: Session, actor: Actor, course: Course, cycle: ProgressCycle, *, now: datetime
) -> None:
    """Complete the cycle, once, when the course's rule holds: after a lesson or a graded quiz.
    The round is noted in completed_rounds, for app.flows to issue its certificate in the same
    transaction.

    The cycle's row is held first: two requests finishing the last lesson and the last quiz of
    one round at once then judge the rule one after the other, each seeing the other's work,
    and only the first completes it (one completion, one audit record, one certificate)."""
    lock_row(session, cycle)
    if cycle.completed_at is not None:
        return
    progress = _progress(session, course, cycle)
    lessons_ok = course.completion_lessons == "none" or progress.done >= progress.total
    if not lessons_ok or not (course.completion_quizzes == "none" or quizzes_passed(session, course, cycle)):
        return
    cycle.completed_at = now
    record(
        session,
        actor,
        "course.complete",
        target_type="course",
        target_id=course.slug,
        details={"cycle": cycle.number},
    )
    completed_rounds(session).append(cycle.id)


def settle_noted(session: Session, actor: Actor, *, now: datetime) -> None:
    """Judge every round whose quiz work this unit of work noted (app.rounds.service.to_settle)."""
    noted = to_settle(session)
    while noted:
        cycle = session.get(ProgressCycle, noted.pop(0))
        if cycle is not None:
            settle_completion(session, actor, session.get_one(Course, cycle.course_id), cycle, now=now)


def completed_rounds(session: Session) -> list[int]:
    """The rounds (cycle ids) this unit of work has completed and whose completion has not been
    acted on yet; app.flows takes them from here to issue certificates."""
    rounds: list[int] = session.info.setdefault("hocso.completed_rounds", [])
    return rounds


def start_retake(session: Session, actor: Actor, *, course_slug: str) -> ProgressCycle:
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    course = session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        raise NotFound("No course with this address.")
    current = current_cycle(session, actor.user_id, course.id)
    if current is None or current.completed_at is None:
        raise Conflict("Finish the course before starting it again.")
    cycle = ProgressCycle(user_id=actor.user_id, course_id=course.id, number=current.number + 1)
    session.add(cycle)
    session.flush()
    record(
        session,
        actor,
        "course.retake",
        target_type="course",
        target_id=course.slug,
        details={"cycle": cycle.number},
    )
    return cycle


def _progress(session: Session, course: Course, cycle: ProgressCycle | None) -> CourseProgress:
    lessons = session.execute(
        select(Lesson.id, Lesson.slug)
        .where(Lesson.course_id == course.id, Lesson.retired.is_(False))
        .order_by(Lesson.position)
    ).all()
    done_ids: set[int] = set()
    if cycle is not None:
        done_ids = set(
            session.scalars(select(LessonCompletion.lesson_id).where(LessonCompletion.cycle_id == cycle.id))
        )
    done = sum(1 for lesson_id, _ in lessons if lesson_id in done_ids)
    following = next((slug for lesson_id, slug in lessons if lesson_id not in done_ids), None)
    return CourseProgress(done, len(lessons), cycle.completed_at if cycle else None, following)


def lesson_done(session: Session, actor: Actor, *, course_slug: str, lesson_slug: str) -> bool:
    if actor.user_id is None:
        return False
    course, lesson = _lesson(session, actor, course_slug, lesson_slug)
    cycle = current_cycle(session, actor.user_id, course.id)
    if cycle is None:
        return False
    return (
        session.scalar(
            select(func.count())
            .select_from(LessonCompletion)
            .where(LessonCompletion.cycle_id == cycle.id, LessonCompletion.lesson_id == lesson.id)
        )
        == 1
    )


def my_learning(session: Session, actor: Actor, *, today: date) -> list[LearningItem]:
    """The officer's active enrolments with progress, overdue ones flagged, due dates first."""
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    rows = session.execute(
        select(Classroom, Course)
        .join(Enrolment, Enrolment.classroom_id == Classroom.id)
        .join(Course, Course.id == Classroom.course_id)
        .where(Enrolment.user_id == actor.user_id, Enrolment.status == EnrolmentStatus.ACTIVE)
    ).all()
    states = _progress_by_course(session, actor.user_id, [course for _, course in rows])
    items = []
    for classroom, course in rows:
        state = states[course.id]
        overdue = bool(classroom.due_on and classroom.due_on < today and state.completed_at is None)
        items.append(LearningItem(classroom, course, state, overdue))
    return sorted(items, key=lambda i: (i.progress.completed_at is not None, i.classroom.due_on or date.max))


def _progress_by_course(session: Session, user_id: int, courses: list[Course]) -> dict[int, CourseProgress]:
    """One officer's progress in several courses from three queries, whatever their number."""
    course_ids = list({c.id for c in courses}) or [-1]
    latest = (
        select(ProgressCycle.course_id, func.max(ProgressCycle.number).label("number"))
        .where(ProgressCycle.user_id == user_id, ProgressCycle.course_id.in_(course_ids))
        .group_by(ProgressCycle.course_id)
        .subquery()
    )
    cycles = {
        c.course_id: c
        for c in session.scalars(
            select(ProgressCycle)
            .join(
                latest,
                (latest.c.course_id == ProgressCycle.course_id) & (latest.c.number == ProgressCycle.number),
            )
            .where(ProgressCycle.user_id == user_id)
        )
    }
    done_pairs = session.execute(
        select(LessonCompletion.cycle_id, LessonCompletion.lesson_id).where(
            LessonCompletion.cycle_id.in_([c.id for c in cycles.values()] or [-1])
        )
    ).all()
    done_ids = {lesson_id for _, lesson_id in done_pairs}
    lessons: dict[int, list[tuple[int, str, int]]] = {}
    for course_id, lesson_id, slug, minutes in session.execute(
        select(Lesson.course_id, Lesson.id, Lesson.slug, Lesson.minutes)
        .where(Lesson.course_id.in_(course_ids), Lesson.retired.is_(False))
        .order_by(Lesson.position)
    ):
        lessons.setdefault(course_id, []).append((lesson_id, slug, minutes or 0))
    result = {}
    for course_id in course_ids:
        listed = lessons.get(course_id, [])
        cycle = cycles.get(course_id)
        finished = {i for i, _, _ in listed if i in done_ids} if cycle else set()
        following = next((slug for i, slug, _ in listed if i not in finished), None)
        result[course_id] = CourseProgress(
            len(finished),
            len(listed),
            cycle.completed_at if cycle else None,
            following,
            sum(m for i, _, m in listed if i in finished),
            cycle.last_activity_at if cycle else None,
        )
    return result
