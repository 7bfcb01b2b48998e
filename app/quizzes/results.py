"""Quiz results as progress and completion see them: per quiz, the score that counts (the highest
or the last graded attempt, as the quiz's grading says) and whether it reaches the pass mark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.courses.models import Course, Quiz
from app.quizzes.models import AttemptStatus, QuizAttempt
from app.rounds.models import ProgressCycle


@dataclass(frozen=True)
class QuizOutcome:
    quiz_id: int
    attempts: int
    best_percent: float | None
    last_percent: float | None
    # The score that counts under the grading in force for the last attempt.
    counted_percent: float | None
    passed: bool


def outcomes(
    session: Session, *, user_id: int, cycle_id: int, quiz_ids: Sequence[int]
) -> dict[int, QuizOutcome]:
    """One officer's results in a cycle, for several quizzes, from one query."""
    rows = session.execute(
        select(
            QuizAttempt.quiz_id,
            QuizAttempt.score_percent,
            QuizAttempt.passed,
            QuizAttempt.settings,
        )
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.cycle_id == cycle_id,
            QuizAttempt.quiz_id.in_(list(quiz_ids) or [-1]),
            QuizAttempt.status == AttemptStatus.GRADED,
        )
        .order_by(QuizAttempt.quiz_id, QuizAttempt.number)
    ).all()
    graded: dict[int, list[tuple[float, bool, str]]] = {}
    for quiz_id, percent, passed, settings in rows:
        graded.setdefault(quiz_id, []).append(
            (float(percent or 0), bool(passed), settings.get("grading", "highest"))
        )
    result = {}
    for quiz_id in quiz_ids:
        items = graded.get(quiz_id, [])
        if not items:
            result[quiz_id] = QuizOutcome(quiz_id, 0, None, None, None, False)
            continue
        best = max(items, key=lambda i: i[0])
        last = items[-1]
        counted = last if last[2] == "last" else best
        result[quiz_id] = QuizOutcome(quiz_id, len(items), best[0], last[0], counted[0], counted[1])
    return result


def quizzes_passed(session: Session, course: Course, cycle: ProgressCycle) -> bool:
    """Whether every quiz of the course in use has a counted result at or above its pass mark."""
    quiz_ids = list(
        session.scalars(select(Quiz.id).where(Quiz.course_id == course.id, Quiz.retired.is_(False)))
    )
    found = outcomes(session, user_id=cycle.user_id, cycle_id=cycle.id, quiz_ids=quiz_ids)
    return all(o.passed for o in found.values())


def best_by_cycle(
    session: Session, *, cycle_ids: Sequence[int], quiz_ids: Sequence[int]
) -> dict[int, dict[int, tuple[float, bool]]]:
    """For class dashboards: per cycle, per quiz, the best graded score and whether any attempt
    passed, from one grouped query."""
    found: dict[int, dict[int, tuple[float, bool]]] = {}
    if not cycle_ids or not quiz_ids:
        return found
    for start in range(0, len(cycle_ids), 1000):
        rows = session.execute(
            select(
                QuizAttempt.cycle_id,
                QuizAttempt.quiz_id,
                func.max(QuizAttempt.score_percent),
                func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
            )
            .where(
                QuizAttempt.cycle_id.in_(list(cycle_ids[start : start + 1000])),
                QuizAttempt.quiz_id.in_(list(quiz_ids)),
                QuizAttempt.status == AttemptStatus.GRADED,
            )
            .group_by(QuizAttempt.cycle_id, QuizAttempt.quiz_id)
        )
        for cycle_id, quiz_id, best, passed in rows:
            found.setdefault(cycle_id, {})[quiz_id] = (float(best or 0), bool(passed))
    return found
