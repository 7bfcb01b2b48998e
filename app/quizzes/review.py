"""What an officer sees of an attempt: while taking it, the questions as drawn and the answers
saved so far, never a correct answer; afterwards, the result, and the review (given answer,
correct answer, explanation) only when the quiz's review policy allows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.classrooms.models import Classroom, ClassStatus
from app.courses.models import Course, Question, Quiz
from app.errors import PermissionDenied
from app.orgs.permissions import Actor
from app.quizzes.attempts import (
    QuizRef,
    attempts_used,
    expired,
    finish,
    own_attempt,
    saved_answers,
    settings_for,
)
from app.quizzes.grading import correct_view
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from app.quizzes.settings import QuizSettings
from app.rounds.service import current_cycle


@dataclass(frozen=True)
class ShownQuestion:
    number: int
    question_id: int
    kind: str
    text: str
    view: dict[str, Any]
    answer: Any


@dataclass(frozen=True)
class AttemptPage:
    attempt: QuizAttempt
    quiz: Quiz
    course: Course
    settings: QuizSettings
    questions: list[ShownQuestion]
    seconds_left: int | None


def attempt_page(session: Session, actor: Actor, *, attempt_id: int, now: datetime) -> AttemptPage:
    """The attempt as its taker sees it; an attempt past its deadline is submitted first."""
    attempt = own_attempt(session, actor, attempt_id)
    if attempt.status == AttemptStatus.OPEN and expired(attempt, now):
        finish(session, actor, attempt, now=now, by="deadline")
    quiz = session.get_one(Quiz, attempt.quiz_id)
    course = session.get_one(Course, quiz.course_id)
    given = saved_answers(session, attempt)
    questions = [
        ShownQuestion(
            n, item["question_id"], item["kind"], item["text"], item["view"], given.get(item["question_id"])
        )
        for n, item in enumerate(attempt.layout, start=1)
    ]
    left = None
    if attempt.status == AttemptStatus.OPEN and attempt.deadline_at is not None:
        left = max(0, int((attempt.deadline_at - now).total_seconds()))
    return AttemptPage(attempt, quiz, course, QuizSettings.from_snapshot(attempt.settings), questions, left)


def review_open(session: Session, attempt: QuizAttempt, *, now: datetime, today: date) -> bool:
    """Whether the review policy in force at the start lets the officer see the answers now."""
    if attempt.status != AttemptStatus.GRADED:
        return False
    settings = QuizSettings.from_snapshot(attempt.settings)
    if settings.review == "immediately":
        return True
    if settings.review == "after_passing":
        return (
            session.scalar(
                select(QuizAttempt.id).where(
                    QuizAttempt.user_id == attempt.user_id,
                    QuizAttempt.quiz_id == attempt.quiz_id,
                    QuizAttempt.cycle_id == attempt.cycle_id,
                    QuizAttempt.passed.is_(True),
                )
            )
            is not None
        )
    if settings.review == "after_close":
        if settings.closes_at is not None and now >= settings.closes_at:
            return True
        classroom = session.get(Classroom, attempt.classroom_id) if attempt.classroom_id else None
        return classroom is not None and (
            classroom.status == ClassStatus.CLOSED
            or (classroom.closes_on is not None and classroom.closes_on < today)
        )
    return False


@dataclass(frozen=True)
class ReviewedQuestion:
    number: int
    kind: str
    text: str
    view: dict[str, Any]
    answer: Any
    credit: float
    correct: dict[str, Any]
    explanation: str


@dataclass(frozen=True)
class Result:
    """A finished attempt as its taker sees it, with the review when the policy allows it now."""

    attempt: QuizAttempt
    quiz: Quiz
    course: Course
    settings: QuizSettings
    review_open: bool
    reviewed: list[ReviewedQuestion]


def result(session: Session, attempt: QuizAttempt, *, now: datetime, today: date) -> Result:
    """The result of an attempt already checked to be the actor's own (attempt_page does)."""
    open_ = review_open(session, attempt, now=now, today=today)
    quiz = session.get_one(Quiz, attempt.quiz_id)
    return Result(
        attempt,
        quiz,
        session.get_one(Course, quiz.course_id),
        QuizSettings.from_snapshot(attempt.settings),
        open_,
        review(session, attempt) if open_ else [],
    )


def review_of(
    session: Session, actor: Actor, *, attempt_id: int, now: datetime, today: date
) -> list[ReviewedQuestion]:
    """The actor's own attempt question by question; refused while the policy keeps it closed."""
    attempt = own_attempt(session, actor, attempt_id)
    if not review_open(session, attempt, now=now, today=today):
        raise PermissionDenied("The review of this attempt is not open yet.")
    return review(session, attempt)


def review(session: Session, attempt: QuizAttempt) -> list[ReviewedQuestion]:
    """The per-question review. Call only when review_open() says so."""
    rows = {
        a.question_id: a
        for a in session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    }
    result = []
    for n, item in enumerate(attempt.layout, start=1):
        row = rows.get(item["question_id"])
        result.append(
            ReviewedQuestion(
                n,
                item["kind"],
                item["text"],
                item["view"],
                row.answer if row else None,
                float(row.credit or 0) if row else 0.0,
                correct_view(item["kind"], item["spec"]),
                item["explanation"],
            )
        )
    return result


@dataclass(frozen=True)
class QuizOverview:
    settings: QuizSettings | None
    attempts: list[QuizAttempt]
    used: int
    question_count: int


def quiz_overview(session: Session, actor: Actor, ref: QuizRef) -> QuizOverview:
    """The quiz page: the settings in force for the caller, their attempts, and how many of the
    attempt limit they have used in the current round of the course (a retake starts afresh)."""
    count = session.scalar(
        select(func.count())
        .select_from(Question)
        .where(Question.quiz_id == ref.quiz.id, Question.retired.is_(False))
    )
    mine = attempts_of(session, actor, quiz_id=ref.quiz.id)
    if actor.user_id is None:
        return QuizOverview(None, mine, 0, int(count or 0))
    settings, _ = settings_for(session, actor.user_id, ref)
    cycle = current_cycle(session, actor.user_id, ref.course.id)
    used = attempts_used(session, actor.user_id, ref.quiz.id, cycle.id) if cycle else 0
    return QuizOverview(settings, mine, used, int(count or 0))


def attempts_of(session: Session, actor: Actor, *, quiz_id: int) -> list[QuizAttempt]:
    """The caller's attempts at a quiz, newest first."""
    if actor.user_id is None:
        return []
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == actor.user_id, QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.id.desc())
        )
    )
