"""JSON endpoints for a class's quizzes: settings in force, the class's overrides, and the item
analysis."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import LanguageDep, Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.quizzes import analysis, overrides
from app.quizzes.settings import QuizSettings

router = APIRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/classes/{classroom_id}/quizzes",
    tags=["quizzes"],
    responses=API_ERRORS,
)


class SettingsRead(BaseModel):
    pass_mark: int
    time_limit_minutes: int | None
    max_attempts: int | None
    grading: str
    draw_count: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    review: str
    opens_at: datetime | None
    closes_at: datetime | None


class OverridesWrite(BaseModel):
    """The class's own values; null follows the quiz file."""

    pass_mark: int | None = Field(default=None, ge=0, le=100)
    time_limit_minutes: int | None = Field(default=None, ge=1, le=600)
    max_attempts: int | None = Field(default=None, ge=1, le=100)
    grading: Literal["highest", "last"] | None = None
    draw_count: int | None = Field(default=None, ge=1)
    shuffle_questions: bool | None = None
    shuffle_choices: bool | None = None
    review: Literal["immediately", "after_passing", "after_close", "never"] | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class ClassQuizRead(BaseModel):
    quiz_id: int
    quiz: str
    title: str
    questions: int
    settings: SettingsRead
    overrides: OverridesWrite
    attempts: int
    officers: int
    passed_officers: int


class ItemRead(BaseModel):
    question_id: int
    question: str = Field(validation_alias="slug")
    kind: str
    text: str
    answered: int
    right: int
    mean_credit: float
    discrimination: float | None
    common_wrong: str | None
    common_wrong_count: int


class AnalysisRead(BaseModel):
    attempts: int
    officers: int
    mean_percent: float | None
    pass_rate: float | None
    items: list[ItemRead]


def _settings(s: QuizSettings) -> SettingsRead:
    return SettingsRead(**{name: getattr(s, name) for name in SettingsRead.model_fields})


def _read(item: overrides.ClassQuiz) -> ClassQuizRead:
    o = item.override
    return ClassQuizRead(
        quiz_id=item.quiz.id,
        quiz=item.quiz.slug,
        title=item.quiz.title,
        questions=item.questions,
        settings=_settings(item.settings),
        overrides=OverridesWrite(
            **{name: getattr(o, name) for name in OverridesWrite.model_fields} if o else {}
        ),
        attempts=item.attempts,
        officers=item.officers,
        passed_officers=item.passed_officers,
    )


@router.get("", response_model=list[ClassQuizRead])
def list_class_quizzes(session: SessionDep, actor: Reader, classroom_id: int) -> list[ClassQuizRead]:
    return [_read(item) for item in overrides.class_quizzes(session, actor, classroom_id=classroom_id)]


@router.put("/{quiz_id}/settings", response_model=ClassQuizRead, responses=BODY_ERRORS)
def set_class_quiz_settings(
    session: SessionDep, actor: Writer, classroom_id: int, quiz_id: int, body: OverridesWrite
) -> ClassQuizRead:
    item = overrides.set_override(
        session, actor, classroom_id=classroom_id, quiz_id=quiz_id, values=body.model_dump()
    )
    return _read(item)


@router.get("/{quiz_id}/analysis", response_model=AnalysisRead)
def class_quiz_analysis(
    session: SessionDep, actor: Reader, classroom_id: int, quiz_id: int, language: LanguageDep
) -> AnalysisRead:
    overrides.find_class_quiz(session, actor, classroom_id=classroom_id, quiz_id=quiz_id)
    result = analysis.analyse(session, quiz_id=quiz_id, classroom_id=classroom_id, language=language)
    return AnalysisRead(
        attempts=result.attempts,
        officers=result.officers,
        mean_percent=result.mean_percent,
        pass_rate=result.pass_rate,
        items=[ItemRead.model_validate(i, from_attributes=True) for i in result.items],
    )
