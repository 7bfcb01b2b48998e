"""Taking a quiz, enforced by the server: start (or resume) an attempt, save answers as they are
given, submit, and the deadline that submits by itself.

Time and attempt limits are checked here against the database, never taken from the request.
Every answer the server acknowledges is a committed row. Submitting is a conditional UPDATE of
the attempt's status, so a double click, two tabs or two devices give one graded result."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.courses.models import Course, Question, Quiz
from app.db import UTCDateTime, get_locked
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.orgs.permissions import Actor
from app.quizzes.grading import grade, normalise_answer, public_view
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from app.quizzes.settings import QuizSettings, class_for, effective, override_for
from app.rounds.models import ProgressCycle
from app.rounds.service import open_cycle, to_settle

# Answers that left the browser just before the deadline still count: network time, not extra time.
GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class QuizRef:
    quiz: Quiz
    course: Course


def find_quiz(session: Session, course_slug: str, quiz_slug: str) -> QuizRef:
    row = session.execute(
        select(Quiz, Course)
        .join(Course, Course.id == Quiz.course_id)
        .where(Course.slug == course_slug, Quiz.slug == quiz_slug, Quiz.retired.is_(False))
    ).one_or_none()
    if row is None or not row[1].published:
        raise NotFound("No quiz with this address.")
    return QuizRef(row[0], row[1])


def _user(actor: Actor) -> int:
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    return actor.user_id


def settings_for(session: Session, user_id: int, ref: QuizRef) -> tuple[QuizSettings, int | None]:
    """The settings in force for this officer (their class's overrides applied) and that class."""
    classroom = class_for(session, user_id, ref.course.id)
    return effective(ref.quiz, ref.course, override_for(session, classroom, ref.quiz.id)), (
        classroom.id if classroom else None
    )


def open_attempt(session: Session, user_id: int, quiz_id: int) -> QuizAttempt | None:
    return session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.status == AttemptStatus.OPEN,
        )
    )


def attempts_used(session: Session, user_id: int, quiz_id: int, cycle_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.quiz_id == quiz_id,
                QuizAttempt.cycle_id == cycle_id,
            )
        )
        or 0
    )


def start(session: Session, actor: Actor, *, course_slug: str, quiz_slug: str, now: datetime) -> QuizAttempt:
    """Resume the officer's open attempt, or start a new one if the limits allow."""
    user_id = _user(actor)
    ref = find_quiz(session, course_slug, quiz_slug)
    current = open_attempt(session, user_id, ref.quiz.id)
    if current is not None:
        if not expired(current, now):
            return current
        finish(session, actor, current, now=now, by="deadline")
    settings, classroom_id = settings_for(session, user_id, ref)
    if settings.opens_at and now < settings.opens_at:
        raise Conflict("This quiz has not opened yet.")
    if settings.closes_at and now >= settings.closes_at:
        raise Conflict("This quiz has closed.")
    cycle = open_cycle(session, user_id, ref.course.id)
    used = attempts_used(session, user_id, ref.quiz.id, cycle.id)
    if settings.max_attempts is not None and used >= settings.max_attempts:
        raise Conflict("You have used every attempt this quiz allows.")
    deadline = now + timedelta(minutes=settings.time_limit_minutes) if settings.time_limit_minutes else None
    if settings.closes_at and (deadline is None or deadline > settings.closes_at):
        deadline = settings.closes_at
    attempt = QuizAttempt(
        quiz_id=ref.quiz.id,
        user_id=user_id,
        cycle_id=cycle.id,
        classroom_id=classroom_id,
        number=used + 1,
        status=AttemptStatus.OPEN,
        started_at=now,
        deadline_at=deadline,
        settings=settings.snapshot(),
        layout=_layout(session, ref.quiz, settings),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        # Another tab or device started it a moment ago: theirs is the attempt.
        session.expunge(attempt)
        other = open_attempt(session, user_id, ref.quiz.id)
        if other is None:
            raise Conflict("The attempt could not be started; try again.") from None
        return other
    cycle.last_activity_at = now
    return attempt


def _layout(session: Session, quiz: Quiz, settings: QuizSettings) -> list[dict[str, Any]]:
    """Draw and order the questions, and fix each one's shown form, with a seed of its own."""
    questions = list(
        session.scalars(
            select(Question)
            .where(Question.quiz_id == quiz.id, Question.retired.is_(False))
            .order_by(Question.position)
        )
    )
    if not questions:
        raise Conflict("This quiz has no questions yet.")
    # Unpredictable, so nobody can work out the order of a neighbour's attempt.
    rng = secrets.SystemRandom()
    if settings.draw_count and settings.draw_count < len(questions):
        drawn = rng.sample(questions, settings.draw_count)
        questions = drawn if settings.shuffle_questions else sorted(drawn, key=lambda q: q.position)
    elif settings.shuffle_questions:
        rng.shuffle(questions)
    return [
        {
            "question_id": q.id,
            "slug": q.slug,
            "kind": q.kind,
            "text": q.text,
            "explanation": q.explanation,
            "spec": q.spec,
            "view": public_view(q.kind, q.spec, rng=rng, shuffle_choices=settings.shuffle_choices),
        }
        for q in questions
    ]


def expired(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + GRACE


def own_attempt(session: Session, actor: Actor, attempt_id: int, *, locked: bool = False) -> QuizAttempt:
    """The caller's own attempt (`locked`: held until the commit, see get_locked); someone
    else's is not found, whoever asks. The caller is checked first, so a caller who is nobody
    (an API token) cannot tell taken ids from free ones."""
    user_id = _user(actor)
    attempt = get_locked(session, QuizAttempt, attempt_id) if locked else session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("No such attempt.")
    return attempt


def _upsert(dialect: Any) -> Any:
    """Write one answer, from the attempt's own row: nothing is written unless that row is the
    open attempt of this owner started at this moment (on PostgreSQL the row is locked as
    lock_row locks it; on SQLite the statement runs under the write lock)."""
    row = (
        select(
            QuizAttempt.id,
            bindparam("question_id", type_=Integer),
            bindparam("answer", type_=AttemptAnswer.__table__.c.answer.type),
            bindparam("saved_at", type_=UTCDateTime()),
        )
        .where(
            QuizAttempt.id == bindparam("attempt_id"),
            QuizAttempt.user_id == bindparam("user_id"),
            QuizAttempt.started_at == bindparam("started_at", type_=UTCDateTime()),
            QuizAttempt.status == AttemptStatus.OPEN,
        )
        .with_for_update(key_share=True)
    )
    columns = ["attempt_id", "question_id", "answer", "saved_at"]
    statement = dialect.insert(AttemptAnswer.__table__).from_select(columns, row)
    return statement.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={"answer": statement.excluded.answer, "saved_at": statement.excluded.saved_at},
    )


# Built once: `excluded` builds a copy of the table's columns each time it is asked for, a
# measurable part of an answer save. Shared with app.quizzes.saving.
UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


@dataclass(frozen=True)
class Saved:
    saved: int
    saved_at: datetime


def save(
    session: Session, actor: Actor, *, attempt_id: int, answers: Mapping[int, object], now: datetime
) -> Saved:
    """Save answers (question id → what was given) in an open attempt; an empty answer clears
    the saved one. Late answers are refused and the attempt is submitted as it stood."""
    # Held until the commit: a submit from another device waits for these answers and grades
    # them, or has graded already and they are refused. None is saved after its grading.
    attempt = own_attempt(session, actor, attempt_id, locked=True)
    if attempt.status != AttemptStatus.OPEN:
        raise Conflict("This attempt has been submitted; its answers can no longer change.")
    if expired(attempt, now):
        finish(session, actor, attempt, now=now, by="deadline")
        raise Conflict(
            "Time is up: the attempt was submitted with the answers saved before the deadline.",
            keep_changes=True,
        )
    items = {item["question_id"]: item for item in attempt.layout}
    rows: list[dict[str, Any]] = []
    cleared: list[int] = []
    for question_id, raw in answers.items():
        item = items.get(question_id)
        if item is None:
            raise InvalidInput("That question is not part of this attempt.")
        value = normalise_answer(item["kind"], item["spec"], raw)
        if value is None:
            cleared.append(question_id)
        else:
            rows.append(
                {
                    "attempt_id": attempt.id,
                    "user_id": attempt.user_id,
                    "started_at": attempt.started_at,
                    "question_id": question_id,
                    "answer": value,
                    "saved_at": now,
                }
            )
    if rows:
        session.execute(UPSERT[session.get_bind().dialect.name], rows)
    if cleared:
        session.execute(
            delete(AttemptAnswer).where(
                AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id.in_(cleared)
            )
        )
    return Saved(len(rows) + len(cleared), now)


def saved_answers(session: Session, attempt: QuizAttempt) -> dict[int, Any]:
    return dict(
        session.execute(
            select(AttemptAnswer.question_id, AttemptAnswer.answer).where(
                AttemptAnswer.attempt_id == attempt.id
            )
        ).all()
    )


def submit(
    session: Session,
    actor: Actor,
    *,
    attempt_id: int,
    now: datetime,
    answers: Mapping[int, object] | None = None,
) -> QuizAttempt:
    """Save the last answers (when in time) and grade. Submitting a graded attempt again returns
    the same result."""
    attempt = own_attempt(session, actor, attempt_id)
    if attempt.status == AttemptStatus.OPEN and answers and not expired(attempt, now):
        save(session, actor, attempt_id=attempt_id, answers=answers, now=now)
    return finish(session, actor, attempt, now=now, by="deadline" if expired(attempt, now) else "learner")


def finish(session: Session, actor: Actor, attempt: QuizAttempt, *, now: datetime, by: str) -> QuizAttempt:
    """Grade an open attempt exactly once. The status change is a conditional UPDATE: whoever
    loses the race (another tab, the sweep) finds the attempt graded and returns it as it is."""
    if attempt.status != AttemptStatus.OPEN:
        return attempt
    ended = now if attempt.deadline_at is None else min(now, attempt.deadline_at)
    won = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.GRADED, submitted_at=ended, finished_by=by)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if getattr(won, "rowcount", 0) != 1:
        return attempt
    given = {
        a.question_id: a
        for a in session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    }
    points = 0.0
    for item in attempt.layout:
        row = given.get(item["question_id"])
        credit = grade(item["kind"], item["spec"], row.answer) if row is not None else 0.0
        if row is not None:
            row.credit = credit
        points += credit
    settings = QuizSettings.from_snapshot(attempt.settings)
    attempt.points = round(points, 4)
    attempt.max_points = float(len(attempt.layout))
    attempt.score_percent = round(100 * points / len(attempt.layout), 2) if attempt.layout else 0.0
    attempt.passed = attempt.score_percent >= settings.pass_mark
    session.flush()
    cycle = session.get_one(ProgressCycle, attempt.cycle_id)
    cycle.last_activity_at = now
    # Whether this completes the round is progress's rule (lessons and quizzes together), judged
    # by app.flows before the transaction ends.
    to_settle(session).append(cycle.id)
    return attempt


def sweep(session: Session, actor: Actor, *, now: datetime, limit: int = 500) -> int:
    """Submit attempts whose deadline passed while nobody came back (for cron)."""
    due = session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.status == AttemptStatus.OPEN, QuizAttempt.deadline_at < now - GRACE)
        .order_by(QuizAttempt.deadline_at)
        .limit(limit)
    ).all()
    for attempt in due:
        finish(session, actor, attempt, now=now, by="deadline")
    return len(due)
