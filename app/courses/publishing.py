"""Course management: every course (published or not) with its state, and publishing or
unpublishing one. Courses belong to the whole site, so any holder of courses.manage may manage
any course."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Subquery, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.recorder import record
from app.courses.models import Course, CourseModule, Lesson, Quiz
from app.courses.service import clear_content_cache
from app.errors import NotFound
from app.orgs.permissions import Actor, Permission
from app.text import collation_key


@dataclass(frozen=True)
class ManagedCourse:
    course: Course
    module_count: int
    lesson_count: int
    quiz_count: int


def managed_courses(session: Session, actor: Actor) -> list[ManagedCourse]:
    """All courses, drafts included, in Vietnamese alphabetical order of their titles."""
    actor.require_any(Permission.COURSES_MANAGE)

    def live(model: type[CourseModule] | type[Lesson] | type[Quiz]) -> Subquery:
        return (
            select(model.course_id, func.count().label("n"))
            .where(model.retired.is_(False))
            .group_by(model.course_id)
            .subquery()
        )

    modules, lessons, quizzes = live(CourseModule), live(Lesson), live(Quiz)
    rows = session.execute(
        select(
            Course,
            func.coalesce(modules.c.n, 0),
            func.coalesce(lessons.c.n, 0),
            func.coalesce(quizzes.c.n, 0),
        )
        .outerjoin(modules, modules.c.course_id == Course.id)
        .outerjoin(lessons, lessons.c.course_id == Course.id)
        .outerjoin(quizzes, quizzes.c.course_id == Course.id)
    ).all()
    found = [ManagedCourse(course, int(m), int(n), int(q)) for course, m, n, q in rows]
    return sorted(found, key=lambda row: collation_key(row.course.title_vi))


def set_published(session: Session, actor: Actor, *, slug: str, published: bool) -> Course:
    """Publish or unpublish a course; asking for the state it already has changes nothing.

    Unpublishing hides the course from the catalogue, search and new classes. Officers who had
    started it or are enrolled in one of its classes keep reading it (see app/progress/access.py),
    so nobody loses a course in the middle of it."""
    actor.require_any(Permission.COURSES_MANAGE)
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise NotFound("No course with this address.")
    if course.published != published:
        mark_published(session, course, published)
        record(
            session,
            actor,
            "course.publish" if published else "course.unpublish",
            target_type="course",
            target_id=course.slug,
            details={"version": course.version},
        )
        clear_content_cache()
    return course


def mark_published(session: Session, course: Course, published: bool) -> None:
    """Set the state without touching updated_at, which tells when the content last changed."""
    session.execute(
        update(Course)
        .where(Course.id == course.id)
        .values(published=published, updated_at=Course.updated_at)
        .execution_options(synchronize_session=False)
    )
    # The row is written; the loaded object learns the value without becoming dirty again.
    set_committed_value(course, "published", published)
