"""JSON endpoints for classes (list, edit, join), their rosters with progress, assignments and
the caller's learning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app import flows
from app.api.deps import Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT
from app.classrooms import changes
from app.classrooms import service as classes
from app.http.params import PageQuery, RosterFilterDep
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.progress import mine
from app.progress.dashboard import roster_page

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["classes"], responses=API_ERRORS)


class ClassRead(BaseModel):
    id: int
    code: str
    title: str
    course_id: int
    owner_unit_id: int
    opens_on: date
    closes_on: date | None
    due_on: date | None
    capacity: int | None
    status: str


class RosterRowRead(BaseModel):
    user_id: int
    officer_code: str
    full_name: str
    enrolment: str
    lessons_done: int
    lessons_total: int
    progress_percent: int
    status: str
    last_activity_at: datetime | None
    completed_at: datetime | None


class RosterPageRead(BaseModel):
    items: list[RosterRowRead]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


class AssignmentRequest(BaseModel):
    user_ids: list[int] = Field(default_factory=list, max_length=20000)
    unit_id: int | None = None
    category: str | None = Field(default=None, max_length=20)
    job_position: str | None = Field(default=None, max_length=300)
    rank: str | None = Field(default=None, max_length=300)
    codes: list[str] = Field(default_factory=list, max_length=20000)

    def target(self) -> classes.Target:
        return classes.Target(
            user_ids=tuple(self.user_ids),
            unit_id=self.unit_id,
            category=self.category,
            job_position=self.job_position,
            rank=self.rank,
            codes=changes.code_list(self.codes),
        )


class ClassUpdate(BaseModel):
    """Every field of the class as it should be; the course cannot change."""

    code: str = Field(max_length=50)
    title: str = Field(max_length=300)
    owner_unit_id: int
    opens_on: date
    closes_on: date | None = None
    due_on: date | None = None
    capacity: int | None = None
    self_enrol: bool = False


class OpenClassRead(BaseModel):
    classroom_id: int
    class_title: str
    course_id: str
    due_on: date | None
    seats_left: int | None


class AssignmentResult(BaseModel):
    new: int
    already: int
    outside: int = Field(description="Officers of the chosen unit or ids who are not the caller's to assign")
    unknown_codes: list[str] = Field(
        description="Codes that name no active officer in the caller's units (missing or elsewhere alike)"
    )
    batch_id: int | None


class LearningRead(BaseModel):
    classroom_id: int
    class_title: str
    course_id: str
    due_on: date | None
    progress_percent: int
    completed_at: datetime | None
    overdue: bool
    next_lesson_id: str | None


@router.get("/classes", response_model=list[ClassRead])
def list_classes(session: SessionDep, actor: Reader) -> list[ClassRead]:
    return [
        ClassRead.model_validate(c, from_attributes=True) for c in classes.visible_classes(session, actor)
    ]


@router.put("/classes/{classroom_id}", response_model=ClassRead, responses=BODY_ERRORS)
def update_class(session: SessionDep, actor: Writer, classroom_id: int, body: ClassUpdate) -> ClassRead:
    form = classes.ClassForm(course_slug="", **body.model_dump())
    classroom = changes.update_class(session, actor, classroom_id=classroom_id, form=form)
    return ClassRead.model_validate(classroom, from_attributes=True)


@router.get("/me/open-classes", response_model=list[OpenClassRead])
def open_classes(session: SessionDep, actor: Reader) -> list[OpenClassRead]:
    """Classes the caller may join by themself."""
    return [
        OpenClassRead(
            classroom_id=o.classroom.id,
            class_title=o.classroom.title,
            course_id=o.course.slug,
            due_on=o.classroom.due_on,
            seats_left=o.seats_left,
        )
        for o in changes.open_classes(session, actor, today=today())
    ]


@router.post("/classes/{classroom_id}/join", response_model=ClassRead, responses=CONFLICT)
def join_class(session: SessionDep, actor: Writer, classroom_id: int) -> ClassRead:
    classroom = changes.join_class(session, actor, classroom_id=classroom_id, today=today())
    return ClassRead.model_validate(classroom, from_attributes=True)


@router.get("/classes/{classroom_id}/roster", response_model=RosterPageRead)
def get_roster(
    session: SessionDep,
    actor: Reader,
    classroom_id: int,
    flt: RosterFilterDep,
    page: PageQuery = 1,
) -> RosterPageRead:
    """The class roster with progress, filtered, sorted and paged (50 a page) by the database."""
    classroom, _ = classes.get_class(session, actor, classroom_id)
    listing = roster_page(session, classroom, today=today(), flt=flt, page=page)
    return RosterPageRead(
        items=[
            RosterRowRead(
                user_id=r.user_id,
                officer_code=r.officer_code,
                full_name=r.full_name,
                enrolment="withdrawn" if r.status == "withdrawn" else "active",
                lessons_done=r.done,
                lessons_total=r.total,
                progress_percent=r.percent,
                status=r.status,
                last_activity_at=r.last_activity_at,
                completed_at=r.completed_at,
            )
            for r in listing.rows
        ],
        total=listing.total_rows,
        page=listing.page,
        pages=listing.pages,
        counts=listing.counts,
    )


@router.post("/classes/{classroom_id}/assignments", response_model=AssignmentResult, responses=BODY_ERRORS)
def assign_officers(
    session: SessionDep,
    actor: Writer,
    classroom_id: int,
    body: AssignmentRequest,
    dry_run: Annotated[bool, Query()] = False,
) -> AssignmentResult:
    """With dry_run, only the preview; otherwise the preview's numbers and the batch written."""
    counts = classes.preview(session, actor, classroom_id=classroom_id, target=body.target())
    batch_id = None
    if not dry_run:
        batch_id = flows.assign(session, actor, classroom_id=classroom_id, target=body.target()).id
    return AssignmentResult(
        new=counts.new,
        already=counts.already,
        outside=counts.outside,
        unknown_codes=counts.unknown_codes,
        batch_id=batch_id,
    )


@router.get("/me/learning", response_model=list[LearningRead])
def my_learning(session: SessionDep, actor: Reader) -> list[LearningRead]:
    return [
        LearningRead(
            classroom_id=i.classroom.id,
            class_title=i.classroom.title,
            course_id=i.course.slug,
            due_on=i.classroom.due_on,
            progress_percent=i.progress.percent,
            completed_at=i.progress.completed_at,
            overdue=i.overdue,
            next_lesson_id=i.progress.next_lesson_slug,
        )
        for i in mine.my_learning(session, actor, today=today())
        # The API lists class enrolments; a course begun on one's own has no class to name.
        if i.classroom is not None
    ]
