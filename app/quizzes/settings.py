"""The settings a quiz runs with: the quiz file's, over the course's pass mark, under the overrides
of the officer's class; and which class applies to an officer taking a course's quiz."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.classrooms.models import Classroom, Enrolment, EnrolmentStatus
from app.courses.models import Course, Quiz
from app.quizzes.models import QuizOverride

GRADINGS = ("highest", "last")
REVIEWS = ("immediately", "after_passing", "after_close", "never")
DEFAULT_PASS_MARK = 50


@dataclass(frozen=True)
class QuizSettings:
    pass_mark: int
    time_limit_minutes: int | None = None
    max_attempts: int | None = None
    grading: str = "highest"
    draw_count: int | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    review: str = "immediately"
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    def snapshot(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("opens_at", "closes_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> QuizSettings:
        values = dict(data)
        for key in ("opens_at", "closes_at"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


OVERRIDABLE = (
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "grading",
    "draw_count",
    "shuffle_questions",
    "shuffle_choices",
    "review",
    "opens_at",
    "closes_at",
)


def effective(quiz: Quiz, course: Course, override: QuizOverride | None) -> QuizSettings:
    values: dict[str, Any] = {
        "pass_mark": quiz.pass_mark
        if quiz.pass_mark is not None
        else (course.pass_mark or DEFAULT_PASS_MARK),
        "time_limit_minutes": quiz.time_limit_minutes,
        "max_attempts": quiz.max_attempts,
        "grading": quiz.grading or "highest",
        "draw_count": quiz.draw_count,
        "shuffle_questions": bool(quiz.shuffle_questions),
        "shuffle_choices": bool(quiz.shuffle_choices),
        "review": quiz.review or "immediately",
    }
    if override is not None:
        for name in OVERRIDABLE:
            value = getattr(override, name)
            if value is not None:
                values[name] = value
    return QuizSettings(**values)


def class_for(session: Session, user_id: int, course_id: int) -> Classroom | None:
    """The class through which the officer takes this course: their most recent active
    enrolment in a class of it, if any."""
    return session.scalar(
        select(Classroom)
        .join(Enrolment, Enrolment.classroom_id == Classroom.id)
        .where(
            Enrolment.user_id == user_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            Classroom.course_id == course_id,
        )
        .order_by(Enrolment.enrolled_at.desc(), Classroom.id.desc())
        .limit(1)
    )


def override_for(session: Session, classroom: Classroom | None, quiz_id: int) -> QuizOverride | None:
    if classroom is None:
        return None
    return session.scalar(
        select(QuizOverride).where(QuizOverride.classroom_id == classroom.id, QuizOverride.quiz_id == quiz_id)
    )
