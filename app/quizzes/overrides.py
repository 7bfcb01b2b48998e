"""A class's quizzes as its coordinator manages them: the settings in force, the class's own
overrides (validated and audited), and how the class is doing on each quiz."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.recorder import record
from app.classrooms.service import get_class
from app.courses.models import Course, Question, Quiz
from app.errors import InvalidInput, NotFound
from app.i18n import N_
from app.orgs.permissions import Actor
from app.quizzes.models import AttemptStatus, QuizAttempt, QuizOverride
from app.quizzes.settings import GRADINGS, OVERRIDABLE, REVIEWS, QuizSettings, effective


@dataclass(frozen=True)
class ClassQuiz:
    quiz: Quiz
    questions: int
    settings: QuizSettings
    override: QuizOverride | None
    attempts: int
    officers: int
    passed_officers: int


def class_quizzes(session: Session, actor: Actor, *, classroom_id: int) -> list[ClassQuiz]:
    classroom, _ = get_class(session, actor, classroom_id)
    course = session.get_one(Course, classroom.course_id)
    quizzes = session.scalars(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.retired.is_(False)).order_by(Quiz.id)
    ).all()
    overrides = {
        o.quiz_id: o
        for o in session.scalars(select(QuizOverride).where(QuizOverride.classroom_id == classroom.id))
    }
    counts = {
        quiz_id: (int(n), int(people), int(passed or 0))
        for quiz_id, n, people, passed in session.execute(
            select(
                QuizAttempt.quiz_id,
                func.count(),
                func.count(func.distinct(QuizAttempt.user_id)),
                func.count(func.distinct(QuizAttempt.user_id)).filter(QuizAttempt.passed.is_(True)),
            )
            .where(QuizAttempt.classroom_id == classroom.id, QuizAttempt.status == AttemptStatus.GRADED)
            .group_by(QuizAttempt.quiz_id)
        )
    }
    sizes = dict(
        session.execute(
            select(Question.quiz_id, func.count())
            .where(Question.quiz_id.in_([q.id for q in quizzes] or [-1]), Question.retired.is_(False))
            .group_by(Question.quiz_id)
        ).all()
    )
    return [
        ClassQuiz(
            q,
            int(sizes.get(q.id, 0)),
            effective(q, course, overrides.get(q.id)),
            overrides.get(q.id),
            *counts.get(q.id, (0, 0, 0)),
        )
        for q in quizzes
    ]


def find_class_quiz(session: Session, actor: Actor, *, classroom_id: int, quiz_id: int) -> ClassQuiz:
    for item in class_quizzes(session, actor, classroom_id=classroom_id):
        if item.quiz.id == quiz_id:
            return item
    raise NotFound("No quiz with this address.")


LIMITS = {
    "pass_mark": (0, 100, N_("The pass mark is a percentage from 0 to 100.")),
    "time_limit_minutes": (1, 600, N_("The time limit is from 1 to 600 minutes.")),
    "max_attempts": (1, 100, N_("The number of attempts is from 1 to 100.")),
}


def _check(values: dict[str, Any], questions: int) -> None:
    for name, (low, high, message) in LIMITS.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            raise InvalidInput(message)
    draw = values.get("draw_count")
    if draw is not None and not 1 <= draw <= questions:
        raise InvalidInput("The questions drawn must be at least one and no more than the quiz has.")
    if values.get("grading") not in (None, *GRADINGS):
        raise InvalidInput("Grading is by the highest or the last attempt.")
    if values.get("review") not in (None, *REVIEWS):
        raise InvalidInput("Review is immediately, after passing, after the class closes, or never.")
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if isinstance(opens, datetime) and isinstance(closes, datetime) and closes <= opens:
        raise InvalidInput("A quiz cannot close before it opens.")


def set_override(
    session: Session, actor: Actor, *, classroom_id: int, quiz_id: int, values: dict[str, Any]
) -> ClassQuiz:
    """Replace the class's overrides of a quiz: a value of None keeps the quiz file's setting.
    Attempts already started keep the settings they started with."""
    item = find_class_quiz(session, actor, classroom_id=classroom_id, quiz_id=quiz_id)
    unknown = set(values) - set(OVERRIDABLE)
    if unknown:
        raise InvalidInput("Only the settings listed in the API can be overridden.")
    _check(values, item.questions)
    override = item.override or QuizOverride(classroom_id=classroom_id, quiz_id=quiz_id)
    before = {name: getattr(override, name) for name in OVERRIDABLE}
    for name in OVERRIDABLE:
        setattr(override, name, values.get(name))
    session.add(override)
    session.flush()
    changed = {
        name: [_plain(before[name]), _plain(values.get(name))]
        for name in OVERRIDABLE
        if before[name] != values.get(name)
    }
    if changed:
        record(
            session,
            actor,
            "quiz.override",
            target_type="classroom",
            target_id=classroom_id,
            details={"quiz": item.quiz.slug, **changed},
        )
    return find_class_quiz(session, actor, classroom_id=classroom_id, quiz_id=quiz_id)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


SETTING_NAMES = tuple(f.name for f in fields(QuizSettings))
