"""What importing a parsed course would change, compared by stable id with what the site holds:
lessons and quizzes added, changed and retired. Reads only; writes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses.content import CourseSpec
from app.courses.importer import reading_minutes
from app.courses.models import Course, CourseModule, Lesson, Question, Quiz
from app.courses.quizfile import QuizSpec


@dataclass(frozen=True)
class Item:
    slug: str
    title: str


@dataclass
class ItemChanges:
    added: list[Item] = field(default_factory=list)
    changed: list[Item] = field(default_factory=list)
    retired: list[Item] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.retired)


@dataclass
class CourseChanges:
    lessons: ItemChanges
    quizzes: ItemChanges


def compare(session: Session, course: Course, spec: CourseSpec) -> CourseChanges:
    """Differences between the live (not retired) items of `course` and `spec`."""
    modules = dict(
        session.execute(
            select(CourseModule.id, CourseModule.slug).where(CourseModule.course_id == course.id)
        ).all()
    )
    lessons = _compare(
        {
            x.slug: (x.title, (x.title, x.body_md, x.minutes, modules.get(x.module_id)))
            for x in session.scalars(
                select(Lesson).where(Lesson.course_id == course.id, Lesson.retired.is_(False))
            )
        },
        {
            # Minutes as the import stores them, estimated when the file gives none.
            lesson.id: (
                lesson.title,
                (lesson.title, lesson.body_md, lesson.minutes or reading_minutes(lesson.body_md), module.id),
            )
            for module in spec.modules
            for lesson in module.lessons
        },
    )
    live_quizzes = session.scalars(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.retired.is_(False))
    ).all()
    questions: dict[int, list[tuple[Any, ...]]] = {}
    for q in session.scalars(
        select(Question)
        .where(Question.quiz_id.in_([quiz.id for quiz in live_quizzes] or [-1]), Question.retired.is_(False))
        .order_by(Question.position)
    ):
        questions.setdefault(q.quiz_id, []).append((q.slug, q.kind, q.text, q.explanation, _json(q.spec)))
    quizzes = _compare(
        {
            quiz.slug: (
                quiz.title,
                (
                    quiz.title,
                    quiz.pass_mark,
                    modules.get(quiz.module_id),
                    questions.get(quiz.id, []),
                    (
                        quiz.time_limit_minutes,
                        quiz.max_attempts,
                        quiz.grading,
                        quiz.draw_count,
                        quiz.shuffle_questions,
                        quiz.shuffle_choices,
                        quiz.review,
                    ),
                ),
            )
            for quiz in live_quizzes
        },
        {
            module.quiz.id: (module.quiz.title, _quiz_key(module.quiz, module.id))
            for module in spec.modules
            if module.quiz is not None
        },
    )
    return CourseChanges(lessons, quizzes)


def _quiz_key(quiz: QuizSpec, module_slug: str) -> tuple[Any, ...]:
    return (
        quiz.title,
        quiz.pass_mark,
        module_slug,
        [(q.id, q.kind, q.text, q.explanation, _json(q.spec)) for q in quiz.questions],
        # The settings count as a change too: a new time limit matters to a class about to sit it.
        (
            quiz.time_limit_minutes,
            quiz.max_attempts,
            quiz.grading,
            quiz.draw,
            quiz.shuffle_questions,
            quiz.shuffle_choices,
            quiz.review,
        ),
    )


def _json(value: object) -> str:
    # Stored specs come back from a JSON column; compare both sides in the same spelling.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _compare(
    live: dict[str, tuple[str, tuple[Any, ...]]], new: dict[str, tuple[str, tuple[Any, ...]]]
) -> ItemChanges:
    changes = ItemChanges()
    for slug, (title, key) in new.items():
        if slug not in live:
            changes.added.append(Item(slug, title))
        elif live[slug][1] != key:
            changes.changed.append(Item(slug, title))
    changes.retired = [Item(slug, title) for slug, (title, _) in live.items() if slug not in new]
    return changes
