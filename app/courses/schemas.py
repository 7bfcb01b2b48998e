"""Output shapes of the courses domain for the JSON API. Quizzes appear only as summaries:
questions and answers never leave the server through these."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from app.courses.service import CatalogueEntry, CourseOutline, LessonView


class Localised(BaseModel):
    vi: str
    en: str


class CourseSummaryRead(BaseModel):
    id: str
    version: int
    language: str
    title: Localised
    summary: Localised
    training_hours: float
    module_count: int
    lesson_count: int

    @classmethod
    def of(cls, entry: CatalogueEntry) -> CourseSummaryRead:
        c = entry.course
        return cls(
            id=c.slug,
            version=c.version,
            language=c.language,
            title=Localised(vi=c.title_vi, en=c.title_en),
            summary=Localised(vi=c.summary_vi, en=c.summary_en),
            training_hours=c.training_minutes / 60,
            module_count=entry.module_count,
            lesson_count=entry.lesson_count,
        )


class LessonRef(BaseModel):
    id: str
    title: str
    minutes: int | None


class QuizRef(BaseModel):
    id: str
    title: str
    question_count: int
    pass_mark: int


class ModuleRead(BaseModel):
    id: str
    title: str
    lessons: list[LessonRef]
    quizzes: list[QuizRef]


class CourseRead(BaseModel):
    id: str
    version: int
    language: str
    title: Localised
    summary: Localised
    training_hours: float
    pass_mark: int
    completion: dict[str, str]
    updated_at: datetime
    modules: list[ModuleRead]

    @classmethod
    def of(cls, outline: CourseOutline) -> CourseRead:
        c = outline.course
        return cls(
            id=c.slug,
            version=c.version,
            language=c.language,
            title=Localised(vi=c.title_vi, en=c.title_en),
            summary=Localised(vi=c.summary_vi, en=c.summary_en),
            training_hours=c.training_minutes / 60,
            pass_mark=c.pass_mark,
            completion={"lessons": c.completion_lessons, "quizzes": c.completion_quizzes},
            updated_at=c.updated_at,
            modules=[
                ModuleRead(
                    id=m.module.slug,
                    title=m.module.title,
                    lessons=[LessonRef(id=x.slug, title=x.title, minutes=x.minutes) for x in m.lessons],
                    quizzes=[
                        QuizRef(
                            id=q.quiz.slug,
                            title=q.quiz.title,
                            question_count=q.question_count,
                            pass_mark=c.pass_mark if q.quiz.pass_mark is None else q.quiz.pass_mark,
                        )
                        for q in m.quizzes
                    ],
                )
                for m in outline.modules
            ],
        )


class LessonRead(BaseModel):
    id: str
    course_id: str
    module_id: str
    title: str
    minutes: int | None
    position: int
    total: int
    body_html: str
    previous_id: str | None
    next_id: str | None

    @classmethod
    def of(cls, view: LessonView) -> LessonRead:
        return cls(
            id=view.lesson.slug,
            course_id=view.course.slug,
            module_id=view.module.slug,
            title=view.lesson.title,
            minutes=view.lesson.minutes,
            position=view.number,
            total=view.total,
            body_html=view.lesson.body_html,
            previous_id=view.previous_lesson,
            next_id=view.next_lesson,
        )
