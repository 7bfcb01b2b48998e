"""The order an officer goes through a course: each module's lessons, then that module's quizzes,
module after module. The lesson pages' previous and next, "mark done" and "continue" all follow
it, so nobody has to find a quiz on their own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses.models import CourseModule, Lesson, Quiz


@dataclass(frozen=True)
class StepLink:
    kind: str  # "lesson" or "quiz"
    slug: str
    title: str
    id: int

    def url(self, course_slug: str) -> str:
        return f"/courses/{course_slug}/{'lessons' if self.kind == 'lesson' else 'quizzes'}/{self.slug}"


def course_steps(session: Session, course_id: int) -> list[StepLink]:
    modules = session.scalars(
        select(CourseModule.id)
        .where(CourseModule.course_id == course_id, CourseModule.retired.is_(False))
        .order_by(CourseModule.position)
    ).all()
    by_module: dict[int, list[StepLink]] = {module_id: [] for module_id in modules}
    lessons = session.execute(
        select(Lesson.module_id, Lesson.id, Lesson.slug, Lesson.title)
        .where(Lesson.course_id == course_id, Lesson.retired.is_(False))
        .order_by(Lesson.position)
    )
    for module_id, lesson_id, slug, title in lessons:
        by_module.setdefault(module_id, []).append(StepLink("lesson", slug, title, lesson_id))
    quizzes = session.execute(
        select(Quiz.module_id, Quiz.id, Quiz.slug, Quiz.title)
        .where(Quiz.course_id == course_id, Quiz.retired.is_(False))
        .order_by(Quiz.id)
    )
    for module_id, quiz_id, slug, title in quizzes:
        by_module.setdefault(module_id, []).append(StepLink("quiz", slug, title, quiz_id))
    return [step for module_id in modules for step in by_module[module_id]]


def neighbours(steps: list[StepLink], kind: str, slug: str) -> tuple[StepLink | None, StepLink | None]:
    """The steps before and after one step."""
    index = next((i for i, s in enumerate(steps) if s.kind == kind and s.slug == slug), None)
    if index is None:
        return None, None
    return (steps[index - 1] if index > 0 else None, steps[index + 1] if index + 1 < len(steps) else None)
