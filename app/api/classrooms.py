"""JSON endpoints for classes, their rosters with progress, assignments and the caller's learning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.admin import Reader, Writer
from app.api.deps import SessionDep
from app.classrooms import service as classes
from app.i18n import today
from app.progress import service as progress

router = APIRouter(prefix="/api/v1", tags=["classes"])


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


class RosterRow(BaseModel):
    user_id: int
    officer_code: str
    full_name: str
    enrolment: str
    progress_percent: int
    status: str
    last_activity_at: datetime | None
    completed_at: datetime | None


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
            codes=tuple(self.codes),
        )


class AssignmentResult(BaseModel):
    new: int
    already: int
    outside: int
    unknown_codes: list[str]
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


@router.get("/classes/{classroom_id}/roster", response_model=list[RosterRow])
def get_roster(session: SessionDep, actor: Reader, classroom_id: int) -> list[RosterRow]:
    classroom, _ = classes.get_class(session, actor, classroom_id)
    states = progress.class_progress(session, classroom)
    day = today()
    return [
        RosterRow(
            user_id=u.id,
            officer_code=u.officer_code,
            full_name=u.full_name,
            enrolment=e.status,
            progress_percent=states[u.id].percent,
            status=states[u.id].status(classroom.due_on, day),
            last_activity_at=states[u.id].last_activity_at,
            completed_at=states[u.id].completed_at,
        )
        for e, u in classes.roster(session, actor, classroom_id=classroom_id)
    ]


@router.post("/classes/{classroom_id}/assignments", response_model=AssignmentResult)
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
        batch_id = classes.assign(session, actor, classroom_id=classroom_id, target=body.target()).id
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
        for i in progress.my_learning(session, actor, today=today())
    ]
