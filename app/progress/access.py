"""Who may read a course that is not published, and the course reads that honour it.

Unpublishing takes a course out of the catalogue, search and new classes, but never out from
under someone in the middle of it: an officer enrolled in one of its classes (enrolment still
active) or who has started it (has a progress cycle) keeps reading its lessons and finishing
them. Course managers may read a draft before they publish it. Everyone else gets 404, as if
the course did not exist. Published courses take the fast, cached path and cost no extra query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.classrooms.models import Classroom, Enrolment, EnrolmentStatus
from app.courses import service as courses
from app.courses.models import CourseAsset
from app.errors import NotFound
from app.orgs.permissions import Actor, Permission
from app.rounds.models import ProgressCycle


def may_read_unpublished(session: Session, actor: Actor, course_id: int) -> bool:
    if actor.has_permission(Permission.COURSES_MANAGE):
        return True
    if actor.user_id is None:
        return False
    enrolled = (
        exists()
        .where(Enrolment.classroom_id == Classroom.id)
        .where(
            Classroom.course_id == course_id,
            Enrolment.user_id == actor.user_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
    )
    started = exists().where(ProgressCycle.course_id == course_id, ProgressCycle.user_id == actor.user_id)
    return bool(session.scalar(select(or_(enrolled, started))))


def _unpublished_but_readable(session: Session, actor: Actor, slug: str) -> bool:
    course = courses.find_course(session, slug)
    return course is not None and not course.published and may_read_unpublished(session, actor, course.id)


def course_outline(session: Session, actor: Actor, slug: str) -> courses.CourseOutline:
    try:
        return courses.course_outline(session, slug)
    except NotFound:
        if not _unpublished_but_readable(session, actor, slug):
            raise
    return courses.course_outline(session, slug, include_unpublished=True)


def lesson_view(session: Session, actor: Actor, course_slug: str, lesson_slug: str) -> courses.LessonView:
    try:
        return courses.lesson_view(session, course_slug, lesson_slug)
    except NotFound:
        if not _unpublished_but_readable(session, actor, course_slug):
            raise
    return courses.lesson_view(session, course_slug, lesson_slug, include_unpublished=True)


@dataclass(frozen=True)
class Media:
    asset: CourseAsset
    # Images of an unpublished course are for a few readers only: no shared caches.
    public: bool


def course_media(session: Session, actor: Actor, course_slug: str, path: str) -> Media:
    try:
        return Media(courses.get_asset(session, course_slug, path), public=True)
    except NotFound:
        if not _unpublished_but_readable(session, actor, course_slug):
            raise
    return Media(courses.get_asset(session, course_slug, path, include_unpublished=True), public=False)
