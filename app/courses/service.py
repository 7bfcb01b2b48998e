"""Course rules and queries: the catalogue, a course's outline, lessons and their media."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from app.config import get_settings
from app.courses.cache import TTLCache
from app.courses.content import find_course_dirs, parse_course_dir
from app.courses.glossary import Glossary
from app.courses.importer import ImportResult, upsert_course
from app.courses.models import Course, CourseAsset, CourseModule, Lesson, Question, Quiz
from app.courses.path import StepLink, course_steps, neighbours
from app.courses.review import review_course
from app.errors import InvalidInput, NotFound
from app.text import collation_key, search_terms

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogueEntry:
    course: Course
    module_count: int
    lesson_count: int


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz
    question_count: int


@dataclass(frozen=True)
class ModuleOutline:
    module: CourseModule
    lessons: list[Lesson]
    quizzes: list[QuizSummary]


@dataclass(frozen=True)
class CourseOutline:
    course: Course
    modules: list[ModuleOutline]

    @property
    def lesson_count(self) -> int:
        return sum(len(m.lessons) for m in self.modules)


@dataclass(frozen=True)
class CourseHead:
    slug: str
    language: str
    title_vi: str
    title_en: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


@dataclass(frozen=True)
class ModuleHead:
    slug: str
    title: str


@dataclass(frozen=True)
class LessonBody:
    slug: str
    title: str
    minutes: int | None
    body_html: str


@dataclass(frozen=True)
class LessonView:
    """Plain, immutable data (no ORM rows), so it can be cached and shared between requests."""

    course: CourseHead
    module: ModuleHead
    lesson: LessonBody
    # The steps around this lesson in the course's path: a lesson or a module's quiz.
    previous: StepLink | None
    next: StepLink | None
    # The lessons around it, quizzes left out (the JSON API's previous_id and next_id).
    previous_lesson: str | None
    next_lesson: str | None
    number: int
    total: int


_lesson_cache: TTLCache[tuple[str, str], LessonView] = TTLCache()


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_courses(session: Session, *, query: str = "") -> list[CatalogueEntry]:
    """Published courses, filtered by an accent-insensitive search where every word must match."""
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput("The search text is too long.")
    modules = (
        select(CourseModule.course_id, func.count().label("n"))
        .where(CourseModule.retired.is_(False))
        .group_by(CourseModule.course_id)
        .subquery()
    )
    lessons = (
        select(Lesson.course_id, func.count().label("n"))
        .where(Lesson.retired.is_(False))
        .group_by(Lesson.course_id)
        .subquery()
    )
    stmt = (
        select(Course, func.coalesce(modules.c.n, 0), func.coalesce(lessons.c.n, 0))
        .outerjoin(modules, modules.c.course_id == Course.id)
        .outerjoin(lessons, lessons.c.course_id == Course.id)
        .where(Course.published.is_(True))
    )
    terms = search_terms(query)
    for term in terms:
        # Each word of the query must start a word of the course text ("ho" finds "hồ", "học").
        stmt = stmt.where((" " + Course.search_text).like(f"% {_like_escape(term)}%", escape="\\"))
    rows = session.execute(stmt).all()
    entries = [CatalogueEntry(course, int(m), int(n)) for course, m, n in rows]
    # A catalogue holds dozens of courses, so ranking and Vietnamese alphabetical order are
    # applied here rather than relying on each database's collation.
    phrase = " " + " ".join(terms)

    def rank(entry: CatalogueEntry) -> tuple[int, tuple[str, str]]:
        titles = " " + " ".join(entry.course.search_text.split(" | ", 2)[:2])
        relevance = (
            0 if not terms or phrase in titles else 1 if phrase in " " + entry.course.search_text else 2
        )
        return relevance, collation_key(entry.course.title_vi)

    return sorted(entries, key=rank)


def find_course(session: Session, slug: str) -> Course | None:
    """A course whether published or not (for access rules and management)."""
    return session.scalar(select(Course).where(Course.slug == slug))


def get_course(session: Session, slug: str, *, include_unpublished: bool = False) -> Course:
    stmt = select(Course).where(Course.slug == slug)
    if not include_unpublished:
        stmt = stmt.where(Course.published.is_(True))
    course = session.scalar(stmt)
    if course is None:
        raise NotFound("No course with this address.")
    return course


def course_by_id(session: Session, course_id: int) -> Course:
    """Any course, published or not, for pages about a class that was opened for it."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound("No course with this address.")
    return course


def course_outline(session: Session, slug: str, *, include_unpublished: bool = False) -> CourseOutline:
    course = get_course(session, slug, include_unpublished=include_unpublished)
    modules = session.scalars(
        select(CourseModule)
        .where(CourseModule.course_id == course.id, CourseModule.retired.is_(False))
        .order_by(CourseModule.position)
    ).all()
    lessons = session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id, Lesson.retired.is_(False))
        .order_by(Lesson.position)
    ).all()
    quiz_rows = session.execute(
        select(Quiz, func.count(Question.id))
        .outerjoin(Question, and_(Question.quiz_id == Quiz.id, Question.retired.is_(False)))
        .where(Quiz.course_id == course.id, Quiz.retired.is_(False))
        .group_by(Quiz.id)
        .order_by(Quiz.id)
    ).all()
    by_module: dict[int, ModuleOutline] = {m.id: ModuleOutline(m, [], []) for m in modules}
    for lesson in lessons:
        if lesson.module_id in by_module:
            by_module[lesson.module_id].lessons.append(lesson)
    for quiz, count in quiz_rows:
        if quiz.module_id in by_module:
            by_module[quiz.module_id].quizzes.append(QuizSummary(quiz, int(count)))
    return CourseOutline(course, list(by_module.values()))


def lesson_view(
    session: Session, course_slug: str, lesson_slug: str, *, include_unpublished: bool = False
) -> LessonView:
    """One lesson with its neighbours in course order (previous / next)."""
    if include_unpublished:
        # Read by few (see app/progress/access.py), and never put where anyone may get it.
        return _load_lesson_view(session, course_slug, lesson_slug, published_only=False)
    ttl = get_settings().content_cache_seconds
    return _lesson_cache.get_or_load(
        (course_slug, lesson_slug), ttl, lambda: _load_lesson_view(session, course_slug, lesson_slug)
    )


def _load_lesson_view(
    session: Session, course_slug: str, lesson_slug: str, *, published_only: bool = True
) -> LessonView:
    row = session.execute(
        select(
            Course.id,
            Course.slug,
            Course.language,
            Course.title_vi,
            Course.title_en,
            CourseModule.slug,
            CourseModule.title,
            Lesson.slug,
            Lesson.title,
            Lesson.minutes,
            Lesson.body_html,
        )
        .join(Lesson, Lesson.course_id == Course.id)
        .join(CourseModule, CourseModule.id == Lesson.module_id)
        .where(
            Course.slug == course_slug,
            Course.published.is_(True) if published_only else true(),
            Lesson.slug == lesson_slug,
            Lesson.retired.is_(False),
        )
    ).one_or_none()
    if row is None:
        get_course(session, course_slug, include_unpublished=not published_only)  # says which is missing
        raise NotFound("No lesson with this address in this course.")
    steps = course_steps(session, row[0])
    lessons = [s.slug for s in steps if s.kind == "lesson"]
    previous, following = neighbours(steps, "lesson", lesson_slug)
    number = lessons.index(lesson_slug) + 1 if lesson_slug in lessons else 1
    return LessonView(
        course=CourseHead(row[1], row[2], row[3], row[4]),
        module=ModuleHead(row[5], row[6]),
        lesson=LessonBody(row[7], row[8], row[9], row[10]),
        previous=previous,
        next=following,
        number=number,
        total=max(len(lessons), 1),
        previous_lesson=lessons[number - 2] if number > 1 else None,
        next_lesson=lessons[number] if number < len(lessons) else None,
    )


def clear_content_cache() -> None:
    _lesson_cache.clear()


def get_asset(
    session: Session, course_slug: str, path: str, *, include_unpublished: bool = False
) -> CourseAsset:
    asset = session.scalar(
        select(CourseAsset)
        .join(Course, Course.id == CourseAsset.course_id)
        .where(
            Course.slug == course_slug,
            Course.published.is_(True) if not include_unpublished else true(),
            CourseAsset.path == path,
        )
    )
    if asset is None:
        raise NotFound("No such image in this course.")
    return asset


def import_course_dir(
    session: Session, path: Path, *, max_asset_bytes: int, glossary: Glossary | None = None
) -> ImportResult:
    """Parse one course folder and upsert it; raises ContentInvalid before writing anything.
    With a glossary, the result also counts the course's warnings (they never stop an import)."""
    spec = parse_course_dir(path, max_asset_bytes=max_asset_bytes)
    result = upsert_course(session, spec)
    clear_content_cache()
    if glossary is not None:
        result = replace(result, warnings=len(review_course(path, spec, glossary).warnings))
    return result


__all__ = [
    "course_outline",
    "find_course",
    "find_course_dirs",
    "get_asset",
    "get_course",
    "import_course_dir",
    "lesson_view",
    "list_courses",
]
