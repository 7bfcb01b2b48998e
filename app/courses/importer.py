"""Upserting a parsed course into the database, idempotently and keyed by stable ids.

Nothing is deleted: modules, lessons, quizzes and questions that leave the files are marked
retired, so learners' history keeps pointing at real rows. A version never goes backwards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses.content import CourseSpec, ModuleSpec
from app.courses.models import Course, CourseAsset, CourseModule, Lesson, Question, Quiz
from app.courses.quizfile import QuizSpec
from app.errors import Conflict
from app.text import fold

ImportStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class ImportResult:
    slug: str
    status: ImportStatus
    version: int
    # How many warnings `hocso courses check` gives on the course: told, never blocking.
    warnings: int = 0


def upsert_course(session: Session, spec: CourseSpec) -> ImportResult:
    """Write one course. The caller's transaction makes it all-or-nothing."""
    course = session.scalar(select(Course).where(Course.slug == spec.id))
    if course is not None and course.content_hash == spec.content_hash:
        return ImportResult(spec.id, "unchanged", course.version)
    if course is not None and spec.version < course.version:
        # Going back a version would quietly undo a newer import (from the browser, say).
        raise Conflict(
            "The site already has a newer version of this course; raise 'version' in course.yaml above it."
        )
    status: ImportStatus = "updated" if course is not None else "created"
    if course is None:
        course = Course(slug=spec.id)
        session.add(course)
    course.version = spec.version
    course.language = spec.language
    course.title_vi, course.title_en = spec.title["vi"], spec.title["en"]
    course.summary_vi, course.summary_en = spec.summary["vi"], spec.summary["en"]
    course.training_minutes = spec.training_minutes
    course.pass_mark = spec.pass_mark
    course.completion_lessons = spec.completion_lessons
    course.completion_quizzes = spec.completion_quizzes
    course.content_hash = spec.content_hash
    course.search_text = _search_text(spec)
    session.flush()
    _sync_outline(session, course, spec)
    _sync_assets(session, course, spec)
    return ImportResult(spec.id, status, spec.version)


def _search_text(spec: CourseSpec) -> str:
    parts = [spec.title["vi"], spec.title["en"], spec.summary["vi"], spec.summary["en"]]
    for module in spec.modules:
        parts.append(module.title)
        parts.extend(lesson.title for lesson in module.lessons)
    return " | ".join(fold(part) for part in parts)


def _sync_outline(session: Session, course: Course, spec: CourseSpec) -> None:
    modules = {
        m.slug: m for m in session.scalars(select(CourseModule).where(CourseModule.course_id == course.id))
    }
    lessons = {x.slug: x for x in session.scalars(select(Lesson).where(Lesson.course_id == course.id))}
    quizzes = {q.slug: q for q in session.scalars(select(Quiz).where(Quiz.course_id == course.id))}
    retirable: list[CourseModule | Lesson | Quiz] = [*modules.values(), *lessons.values(), *quizzes.values()]
    for row in retirable:
        row.retired = True
    lesson_position = 0
    for position, mspec in enumerate(spec.modules, start=1):
        module = _module(session, modules, course, mspec, position)
        for lspec in mspec.lessons:
            lesson_position += 1
            lesson = lessons.get(lspec.id)
            if lesson is None:
                lesson = Lesson(course_id=course.id, slug=lspec.id)
                session.add(lesson)
            lesson.module_id = module.id
            lesson.position = lesson_position
            lesson.title = lspec.title
            lesson.minutes = lspec.minutes or reading_minutes(lspec.body_md)
            lesson.body_md = lspec.body_md
            lesson.body_html = lspec.body_html
            lesson.retired = False
        if mspec.quiz is not None:
            _quiz(session, quizzes, course, module, mspec.quiz)
    session.flush()


def _module(
    session: Session, existing: dict[str, CourseModule], course: Course, spec: ModuleSpec, position: int
) -> CourseModule:
    module = existing.get(spec.id)
    if module is None:
        module = CourseModule(course_id=course.id, slug=spec.id)
        session.add(module)
    module.position = position
    module.title = spec.title
    module.retired = False
    session.flush()
    return module


def _quiz(
    session: Session, existing: dict[str, Quiz], course: Course, module: CourseModule, spec: QuizSpec
) -> None:
    quiz = existing.get(spec.id)
    if quiz is None:
        quiz = Quiz(course_id=course.id, slug=spec.id)
        session.add(quiz)
    quiz.module_id = module.id
    quiz.title = spec.title
    quiz.pass_mark = spec.pass_mark
    quiz.time_limit_minutes = spec.time_limit_minutes
    quiz.max_attempts = spec.max_attempts
    quiz.grading = spec.grading
    quiz.draw_count = spec.draw
    quiz.shuffle_questions = spec.shuffle_questions
    quiz.shuffle_choices = spec.shuffle_choices
    quiz.review = spec.review
    quiz.retired = False
    session.flush()
    questions = {q.slug: q for q in session.scalars(select(Question).where(Question.quiz_id == quiz.id))}
    for row in questions.values():
        row.retired = True
    for position, qspec in enumerate(spec.questions, start=1):
        question = questions.get(qspec.id)
        if question is None:
            question = Question(quiz_id=quiz.id, slug=qspec.id)
            session.add(question)
        question.position = position
        question.kind = qspec.kind
        question.text = qspec.text
        question.explanation = qspec.explanation
        question.spec = qspec.spec
        question.retired = False


def _sync_assets(session: Session, course: Course, spec: CourseSpec) -> None:
    existing = {
        a.path: a for a in session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id))
    }
    for aspec in spec.assets:
        asset = existing.get(aspec.path)
        if asset is None:
            session.add(
                CourseAsset(
                    course_id=course.id,
                    path=aspec.path,
                    media_type=aspec.media_type,
                    sha256=aspec.sha256,
                    data=aspec.data,
                )
            )
        elif asset.sha256 != aspec.sha256:
            asset.media_type, asset.sha256, asset.data = aspec.media_type, aspec.sha256, aspec.data
    # Old images stay: a retired lesson may still be shown in a learner's history.
    session.flush()


def reading_minutes(body_md: str) -> int:
    """An estimate for lessons whose file gives no minutes: reading at 150 words a minute, the
    pace of careful reading in a second task, at least one minute."""
    return max(1, -(-len(body_md.split()) // 150))
