"""Finding and opening an officer's current round, and the note of rounds whose work changed in
this unit of work.

Quizzes sit below the completion rule (app.progress judges lessons and quizzes together), so a
graded attempt does not complete its round itself: it notes the round here, and app.flows asks
progress to settle it before the transaction ends."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.rounds.models import ProgressCycle


def current_cycle(session: Session, user_id: int, course_id: int) -> ProgressCycle | None:
    """The officer's latest round of a course, if they have begun it."""
    return session.scalar(
        select(ProgressCycle)
        .where(ProgressCycle.user_id == user_id, ProgressCycle.course_id == course_id)
        .order_by(ProgressCycle.number.desc())
        .limit(1)
    )


def open_cycle(session: Session, user_id: int, course_id: int) -> ProgressCycle:
    """The officer's current round of a course, the first one made on first use."""
    cycle = current_cycle(session, user_id, course_id)
    if cycle is None:
        try:
            with session.begin_nested():
                cycle = ProgressCycle(user_id=user_id, course_id=course_id, number=1)
                session.add(cycle)
        except IntegrityError:
            cycle = current_cycle(session, user_id, course_id)
        assert cycle is not None
    return cycle


def to_settle(session: Session) -> list[int]:
    """The rounds (cycle ids) whose graded quiz work in this unit of work may complete them; app.flows
    has progress judge each one before the transaction ends."""
    rounds: list[int] = session.info.setdefault("hocso.rounds_to_settle", [])
    return rounds
