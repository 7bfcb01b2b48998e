"""The officer's own learning list: the courses of their classes, and those they began on their
own, with where they stand in each; and the self-enrolment classes worth offering them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.classrooms import changes
from app.classrooms.models import Classroom, Enrolment, EnrolmentStatus
from app.courses.models import Course, Lesson
from app.errors import PermissionDenied
from app.orgs.permissions import Actor
from app.progress.models import LessonCompletion
from app.progress.service import CourseProgress
from app.rounds.models import ProgressCycle


@dataclass(frozen=True)
class LearningItem:
    # None: a course the officer began on their own, outside any class.
    classroom: Classroom | None
    course: Course
    progress: CourseProgress
    overdue: bool

    @property
    def due_on(self) -> date | None:
        return self.classroom.due_on if self.classroom is not None else None


def my_learning(session: Session, actor: Actor, *, today: date) -> list[LearningItem]:
    """One item per course: the officer's active enrolments (when two classes teach the same
    course, the one due first) and the courses they began without a class; unfinished first,
    then by due date."""
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    rows = session.execute(
        select(Classroom, Course)
        .join(Enrolment, Enrolment.classroom_id == Classroom.id)
        .join(Course, Course.id == Classroom.course_id)
        .where(Enrolment.user_id == actor.user_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(Classroom.due_on.is_(None), Classroom.due_on, Classroom.id)
    ).all()
    classes: dict[int, tuple[Classroom | None, Course]] = {}
    for classroom, course in rows:
        classes.setdefault(course.id, (classroom, course))
    own = session.scalars(
        select(Course)
        .join(ProgressCycle, ProgressCycle.course_id == Course.id)
        .where(ProgressCycle.user_id == actor.user_id, Course.id.not_in(list(classes) or [-1]))
        .distinct()
    ).all()
    for course in own:
        classes[course.id] = (None, course)
    states = _progress_by_course(session, actor.user_id, [course for _, course in classes.values()])
    items = []
    for room, subject in classes.values():
        state = states[subject.id]
        due = room.due_on if room is not None else None
        overdue = bool(due and due < today and state.completed_at is None)
        items.append(LearningItem(room, subject, state, overdue))
    return sorted(items, key=lambda i: (i.progress.completed_at is not None, i.due_on or date.max))


def joinable_classes(session: Session, actor: Actor, *, today: date) -> list[changes.OpenClass]:
    """Open self-enrolment classes, less those of courses the officer is already taking in a
    class or has completed: joining them would only list the course twice."""
    if actor.user_id is None:
        return []
    offered = changes.open_classes(session, actor, today=today)
    taken = set(
        session.scalars(
            select(Classroom.course_id)
            .join(Enrolment, Enrolment.classroom_id == Classroom.id)
            .where(Enrolment.user_id == actor.user_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        )
    ) | set(
        session.scalars(
            select(ProgressCycle.course_id).where(
                ProgressCycle.user_id == actor.user_id, ProgressCycle.completed_at.is_not(None)
            )
        )
    )
    return [o for o in offered if o.course.id not in taken]


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
