"""Answer saves, an exam's most frequent request, in one statement when nothing is unusual.

An attempt's questions (their kinds and specs, snapshotted in its layout), its owner and its
deadline are fixed when it starts. Each process keeps them for the attempts it has served
lately, so a save checks the answers against them and writes with one INSERT … SELECT from the
attempt's row that only finds the row while it is open and is still the attempt remembered
(same owner, same start to the microsecond). On PostgreSQL that SELECT locks the row as
attempts.save does, so a submit from another device still waits for these answers; on SQLite
the statement runs under the database's write lock.

Anything else goes to attempts.save, which reads the attempt, decides and explains: a first
save (nothing remembered yet), an attempt submitted or out of time, an answer cleared, a
question not in the attempt. That path also refreshes what is remembered."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.orgs.permissions import Actor
from app.quizzes import attempts
from app.quizzes.grading import normalise_answer
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt

# Attempts remembered per process: an exam wave's worth. Each holds its questions' specs
# (a few KB), shared by nothing else; the oldest is forgotten first.
REMEMBERED = 4096


@dataclass(frozen=True)
class Fixed:
    """What does not change in an attempt once it has started."""

    user_id: int
    started_at: datetime
    deadline_at: datetime | None
    # question id → (kind, spec)
    questions: dict[int, tuple[str, Any]]


_fixed: OrderedDict[int, Fixed] = OrderedDict()
_guard = threading.Lock()


def remember(attempt: QuizAttempt) -> None:
    fixed = Fixed(
        attempt.user_id,
        attempt.started_at,
        attempt.deadline_at,
        {item["question_id"]: (item["kind"], item["spec"]) for item in attempt.layout},
    )
    with _guard:
        _fixed[attempt.id] = fixed
        _fixed.move_to_end(attempt.id)
        while len(_fixed) > REMEMBERED:
            _fixed.popitem(last=False)


def forget_all() -> None:
    with _guard:
        _fixed.clear()


def _recalled(attempt_id: int) -> Fixed | None:
    with _guard:
        fixed = _fixed.get(attempt_id)
        if fixed is not None:
            _fixed.move_to_end(attempt_id)
        return fixed


# attempts.UPSERT, saying whether it wrote: RETURNING, not rowcount, since drivers disagree on
# the count of an INSERT … SELECT … ON CONFLICT.
_UPSERT = {
    name: upsert.returning(AttemptAnswer.__table__.c.question_id) for name, upsert in attempts.UPSERT.items()
}


def _quick(
    session: Session, user_id: int, attempt_id: int, answers: Mapping[int, object], now: datetime
) -> attempts.Saved | None:
    fixed = _recalled(attempt_id)
    if fixed is None or fixed.user_id != user_id or not answers:
        return None
    if fixed.deadline_at is not None and now > fixed.deadline_at + attempts.GRACE:
        return None
    values: list[tuple[int, object]] = []
    for question_id, raw in answers.items():
        question = fixed.questions.get(question_id)
        if question is None:
            return None
        value = normalise_answer(question[0], question[1], raw)
        if value is None:
            return None
        values.append((question_id, value))
    upsert = _UPSERT[session.get_bind().dialect.name]
    for question_id, value in values:
        written = session.execute(
            upsert,
            {
                "attempt_id": attempt_id,
                "user_id": user_id,
                "started_at": fixed.started_at,
                "question_id": question_id,
                "answer": value,
                "saved_at": now,
            },
        )
        if written.first() is None:
            # Only the first can find nothing: from it on, the row is held until the commit.
            return None
    return attempts.Saved(len(values), now)


def save(
    session: Session, actor: Actor, *, attempt_id: int, answers: Mapping[int, object], now: datetime
) -> attempts.Saved:
    """Save answers in an open attempt: attempts.save's rules, in one statement when it can."""
    if actor.user_id is not None:
        saved = _quick(session, actor.user_id, attempt_id, answers, now)
        if saved is not None:
            return saved
    saved = attempts.save(session, actor, attempt_id=attempt_id, answers=answers, now=now)
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is not None and attempt.status == AttemptStatus.OPEN:
        remember(attempt)
    return saved
