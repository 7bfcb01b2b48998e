"""JSON endpoints for course management: every course with its state, importing a course zip
(with a dry run that only previews), publishing and unpublishing. Same services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.deps import Reader, Writer
from app.api.errors import API_ERRORS, CONFLICT, UPLOAD_ERRORS, either
from app.config import get_settings
from app.courses import publishing, uploads
from app.courses.changes import Item, ItemChanges
from app.courses.models import Course
from app.courses.schemas import Localised
from app.errors import InvalidInput
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep

router = APIRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/admin/courses",
    tags=["course management"],
    responses=API_ERRORS,
)


class ManagedCourseRead(BaseModel):
    id: str
    version: int
    title: Localised
    published: bool
    updated_at: datetime
    module_count: int
    lesson_count: int
    quiz_count: int


class CourseStateRead(BaseModel):
    id: str
    version: int
    published: bool

    @classmethod
    def of(cls, course: Course) -> CourseStateRead:
        return cls(id=course.slug, version=course.version, published=course.published)


class ContentProblem(BaseModel):
    file: str
    line: int | None
    field: str | None
    message: str


class ItemRef(BaseModel):
    id: str
    title: str


class ItemChangesRead(BaseModel):
    added: list[ItemRef]
    changed: list[ItemRef]
    retired: list[ItemRef]

    @classmethod
    def of(cls, changes: ItemChanges) -> ItemChangesRead:
        def refs(items: list[Item]) -> list[ItemRef]:
            return [ItemRef(id=i.slug, title=i.title) for i in items]

        return cls(added=refs(changes.added), changed=refs(changes.changed), retired=refs(changes.retired))


class CourseImportRead(BaseModel):
    """status: new, updated, unchanged, older (refused: lower than the site's version) or
    invalid (see problems). written tells whether anything was imported."""

    filename: str
    status: str
    written: bool
    course_id: str | None
    title: Localised | None
    version: int | None
    current_version: int | None
    published: bool | None
    module_count: int
    lesson_count: int
    quiz_count: int
    lessons: ItemChangesRead
    quizzes: ItemChangesRead
    problems: list[ContentProblem]

    @classmethod
    def of(cls, preview: uploads.CoursePreview) -> CourseImportRead:
        known = preview.status != "invalid"
        return cls(
            filename=preview.filename,
            status=preview.status,
            written=preview.written,
            course_id=preview.slug if known else None,
            title=Localised(vi=preview.title_vi, en=preview.title_en) if known else None,
            version=preview.version if known else None,
            current_version=preview.current_version,
            published=preview.current_published,
            module_count=preview.module_count,
            lesson_count=preview.lesson_count,
            quiz_count=preview.quiz_count,
            lessons=ItemChangesRead.of(preview.changes.lessons),
            quizzes=ItemChangesRead.of(preview.changes.quizzes),
            problems=[
                ContentProblem(file=p.file, line=p.line, field=p.field, message=p.message)
                for p in preview.problems
            ],
        )


@router.get("", response_model=list[ManagedCourseRead])
def list_managed_courses(session: SessionDep, actor: Reader) -> list[ManagedCourseRead]:
    return [
        ManagedCourseRead(
            id=r.course.slug,
            version=r.course.version,
            title=Localised(vi=r.course.title_vi, en=r.course.title_en),
            published=r.course.published,
            updated_at=r.course.updated_at,
            module_count=r.module_count,
            lesson_count=r.lesson_count,
            quiz_count=r.quiz_count,
        )
        for r in publishing.managed_courses(session, actor)
    ]


@router.post(
    "",
    response_model=CourseImportRead,
    responses=UPLOAD_ERRORS
    | either(409, CourseImportRead, "An older version than the one installed, or a conflicting change")
    | either(422, CourseImportRead, "The course has problems; nothing was written"),
)
def import_course(
    session: SessionDep,
    actor: Writer,
    file: Annotated[UploadFile, File(description="The course folder as a .zip")],
    dry_run: Annotated[bool, Query(description="Check and preview only; write nothing")] = False,
    publish: Annotated[bool, Query(description="Publish it; otherwise a new course stays a draft")] = False,
) -> CourseImportRead | JSONResponse:
    limit = get_settings().max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("The file is too large.")
    preview = uploads.import_zip(
        session, actor, filename=file.filename or "", data=data, publish=publish, dry_run=dry_run
    )
    result = CourseImportRead.of(preview)
    if preview.status in ("invalid", "older"):
        return JSONResponse(
            result.model_dump(mode="json"), status_code=422 if preview.status == "invalid" else 409
        )
    return result


@router.post("/{slug}/publish", response_model=CourseStateRead, responses=CONFLICT)
def publish_course(session: SessionDep, actor: Writer, slug: str) -> CourseStateRead:
    return CourseStateRead.of(publishing.set_published(session, actor, slug=slug, published=True))


@router.post("/{slug}/unpublish", response_model=CourseStateRead, responses=CONFLICT)
def unpublish_course(session: SessionDep, actor: Writer, slug: str) -> CourseStateRead:
    return CourseStateRead.of(publishing.set_published(session, actor, slug=slug, published=False))
