"""JSON endpoints for reminders: a coordinator's reminder to a class, the state of a class's
e-mails, and the caller's own notices."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import LanguageDep, Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT
from app.classrooms import service as classes
from app.config import get_settings
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.notifications import delivery, inbox, reminders

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["reminders"], responses=API_ERRORS)


class ReminderRequest(BaseModel):
    target: Literal["selected", "not_started", "overdue"]
    user_ids: list[int] = Field(default_factory=list, max_length=20000)


class ReminderResult(BaseModel):
    queued: int = Field(description="New reminders (an in-app notice each)")
    emails: int = Field(description="Of those, how many also go out by e-mail")
    without_email: int
    already_today: int


class OutboxProblem(BaseModel):
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime


class OutboxRead(BaseModel):
    counts: dict[str, int]
    problems: list[OutboxProblem]


class NoticeRead(BaseModel):
    id: int
    kind: str
    text: str
    course_id: str | None
    created_at: datetime
    unread: bool


@router.post("/classes/{classroom_id}/reminders", response_model=ReminderResult, responses=BODY_ERRORS)
def remind_class(
    session: SessionDep, actor: Writer, classroom_id: int, body: ReminderRequest
) -> ReminderResult:
    """Remind the chosen officers, or everyone not started or overdue; once per officer a day."""
    report = reminders.remind(
        session,
        actor,
        get_settings(),
        classroom_id=classroom_id,
        target=body.target,
        user_ids=body.user_ids,
        today=today(),
    )
    return ReminderResult(
        queued=report.notices,
        emails=report.emails,
        without_email=report.without_email,
        already_today=report.already,
    )


@router.get("/classes/{classroom_id}/outbox", response_model=OutboxRead)
def class_outbox(session: SessionDep, actor: Reader, classroom_id: int) -> OutboxRead:
    classroom, _ = classes.get_class(session, actor, classroom_id)
    summary = delivery.class_outbox(session, classroom.id)
    return OutboxRead(
        counts=summary.counts,
        problems=[OutboxProblem.model_validate(m, from_attributes=True) for m in summary.problems],
    )


@router.get("/me/notifications", response_model=list[NoticeRead])
def my_notifications(session: SessionDep, actor: Reader, language: LanguageDep) -> list[NoticeRead]:
    return [
        NoticeRead(
            id=n.id,
            kind=n.kind,
            text=n.text,
            course_id=n.course_slug,
            created_at=n.created_at,
            unread=n.unread,
        )
        for n in inbox.notices(session, actor, language=language)
    ]


@router.post("/me/notifications/read", responses=CONFLICT)
def read_my_notifications(session: SessionDep, actor: Writer) -> dict[str, int]:
    return {"marked_read": inbox.mark_all_read(session, actor)}
