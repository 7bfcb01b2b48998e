"""Where an officer stands on a course's path (app.courses.path): each lesson finished or not,
each quiz passed or not in their current round, and the step to take next."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses.path import StepLink, course_steps
from app.progress.models import LessonCompletion
from app.quizzes.results import outcomes
from app.rounds.service import current_cycle


@dataclass(frozen=True)
class PathStep:
    link: StepLink
    done: bool


@dataclass(frozen=True)
class CoursePath:
    steps: list[PathStep]
    # Whether the officer has finished any step of the current round.
    started: bool

    @property
    def next(self) -> PathStep | None:
        return next((step for step in self.steps if not step.done), None)

    def left(self, kind: str) -> int:
        return sum(1 for step in self.steps if step.link.kind == kind and not step.done)


def course_path(session: Session, user_id: int | None, course_id: int) -> CoursePath:
    links = course_steps(session, course_id)
    cycle = current_cycle(session, user_id, course_id) if user_id is not None else None
    if user_id is None or cycle is None:
        return CoursePath([PathStep(link, False) for link in links], started=False)
    finished = set(
        session.scalars(select(LessonCompletion.lesson_id).where(LessonCompletion.cycle_id == cycle.id))
    )
    quiz_ids = [link.id for link in links if link.kind == "quiz"]
    passed = {
        q
        for q, outcome in outcomes(session, user_id=user_id, cycle_id=cycle.id, quiz_ids=quiz_ids).items()
        if outcome.passed
    }
    steps = [PathStep(link, link.id in (finished if link.kind == "lesson" else passed)) for link in links]
    # A round just opened (a retake, a quiz looked at) is not yet "continued" from anywhere.
    return CoursePath(steps, started=any(step.done for step in steps))
