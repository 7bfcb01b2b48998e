"""JSON endpoints for taking quizzes: start or resume an attempt, read it, save answers (each
acknowledged with the time it was saved), submit, and the review when the policy allows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app import flows
from app.api.deps import Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT
from app.db import utcnow
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.quizzes import review

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["quizzes"], responses=API_ERRORS)


class QuestionRead(BaseModel):
    number: int
    question_id: int
    kind: str
    text: str
    view: dict[str, Any] = Field(description="What may be shown before review: choices, items, options")
    answer: Any = Field(description="The answer saved so far, or null")


class AttemptRead(BaseModel):
    id: int
    quiz_id: int
    number: int
    status: str
    started_at: datetime
    deadline_at: datetime | None
    seconds_left: int | None
    submitted_at: datetime | None
    score_percent: float | None
    passed: bool | None
    questions: list[QuestionRead]


class AnswersWrite(BaseModel):
    answers: dict[int, Any] = Field(
        description="Question id → answer: a choice id, a list of choice ids, true/false, text, "
        "or for matching an object of item id → chosen option",
        max_length=200,
    )


class SavedRead(BaseModel):
    saved: int
    saved_at: datetime


class ReviewRead(BaseModel):
    number: int
    kind: str
    text: str
    answer: Any
    credit: float
    correct: dict[str, Any]
    explanation: str


def _read(session: SessionDep, actor: Reader, attempt_id: int) -> AttemptRead:
    page = flows.attempt_page(session, actor, attempt_id=attempt_id, now=utcnow())
    a = page.attempt
    return AttemptRead(
        id=a.id,
        quiz_id=a.quiz_id,
        number=a.number,
        status=a.status,
        started_at=a.started_at,
        deadline_at=a.deadline_at,
        seconds_left=page.seconds_left,
        submitted_at=a.submitted_at,
        score_percent=a.score_percent,
        passed=a.passed,
        questions=[QuestionRead.model_validate(q, from_attributes=True) for q in page.questions],
    )


@router.post("/courses/{slug}/quizzes/{quiz}/attempts", response_model=AttemptRead, responses=CONFLICT)
def start_attempt(session: SessionDep, actor: Writer, slug: str, quiz: str) -> AttemptRead:
    """Start an attempt, or return the one already open (resume on any device)."""
    attempt = flows.start_attempt(session, actor, course_slug=slug, quiz_slug=quiz, now=utcnow())
    session.flush()
    return _read(session, actor, attempt.id)


@router.get("/attempts/{attempt_id}", response_model=AttemptRead)
def get_attempt(session: SessionDep, actor: Reader, attempt_id: int) -> AttemptRead:
    return _read(session, actor, attempt_id)


@router.put("/attempts/{attempt_id}/answers", response_model=SavedRead, responses=BODY_ERRORS)
def save_answers(session: SessionDep, actor: Writer, attempt_id: int, body: AnswersWrite) -> SavedRead:
    """Saved when this answers 200; 409 once the attempt is submitted or its time is up."""
    saved = flows.save_answers(session, actor, attempt_id=attempt_id, answers=body.answers, now=utcnow())
    return SavedRead(saved=saved.saved, saved_at=saved.saved_at)


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptRead, responses=CONFLICT)
def submit_attempt(session: SessionDep, actor: Writer, attempt_id: int) -> AttemptRead:
    """Grade the attempt; submitting again returns the same result."""
    flows.submit_attempt(session, actor, attempt_id=attempt_id, now=utcnow())
    return _read(session, actor, attempt_id)


@router.get("/attempts/{attempt_id}/review", response_model=list[ReviewRead])
def review_attempt(session: SessionDep, actor: Reader, attempt_id: int) -> list[ReviewRead]:
    reviewed = review.review_of(session, actor, attempt_id=attempt_id, now=utcnow(), today=today())
    return [ReviewRead.model_validate(r, from_attributes=True) for r in reviewed]
