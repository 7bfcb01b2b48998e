"""Recording that an officer finished a lesson (an explicit action, not a timer), course
completion by the course's rule, and retakes as new cycles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.recorder import record
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
