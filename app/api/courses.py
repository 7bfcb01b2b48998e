"""JSON endpoints for the catalogue, a course's outline and a lesson. They are public; a caller who
sends a credential may also read an unpublished course they had started (app/progress/access.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import MaybeActor
from app.api.errors import PUBLIC_ERRORS
from app.courses import service
from app.courses.schemas import CourseRead, CourseSummaryRead, LessonRead
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.progress import access

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["courses"], responses=PUBLIC_ERRORS)


@router.get("/courses", response_model=list[CourseSummaryRead])
def list_courses(
    session: SessionDep,
    q: Annotated[str, Query(max_length=200, description="Accent-insensitive search")] = "",
) -> list[CourseSummaryRead]:
    return [CourseSummaryRead.of(entry) for entry in service.list_courses(session, query=q)]


@router.get("/courses/{slug}", response_model=CourseRead)
def get_course(session: SessionDep, actor: MaybeActor, slug: str) -> CourseRead:
    return CourseRead.of(access.course_outline(session, actor, slug))


@router.get("/courses/{slug}/lessons/{lesson}", response_model=LessonRead)
def get_lesson(session: SessionDep, actor: MaybeActor, slug: str, lesson: str) -> LessonRead:
    return LessonRead.of(access.lesson_view(session, actor, slug, lesson))
