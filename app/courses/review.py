"""The warnings `hocso courses check` gives on a course that has no errors, and its one-line
summary: quiz quality (app.courses.quality), terms the shared glossary says to avoid
(app.courses.glossary), and whether the stated training hours match the work.

Reads the course's own files again for their names and line numbers (the parsed course keeps
neither); touches no database. Thresholds and the hours formula are documented for authors in
courses/README.md; change both together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.courses.content import COURSE_FILE, CourseSpec, LessonSpec
from app.courses.glossary import Glossary
from app.courses.quality import (
    CourseWarning,
    QuizFile,
    decimal,
    percent,
    quiz_warnings,
    true_false_balance,
)
from app.courses.quizfile import QUESTION_KINDS, QuizSpec
from app.courses.yamlnodes import Path as KeyPath
from app.courses.yamlnodes import load_with_lines
from app.text import nfc

# Hours: a quiz without a time limit counts this many minutes per question it shows.
MINUTES_PER_QUESTION = 1.5
HOURS_TOLERANCE = 0.25
# Reading speed of Vietnamese text, for the estimate in the summary line.
WORDS_PER_MINUTE = (130, 160)
KIND_NAMES = {
    "single_choice": "chọn một",
    "multiple_choice": "chọn nhiều",
    "true_false": "đúng/sai",
    "short_answer": "trả lời ngắn",
    "matching": "ghép đôi",
}


@dataclass(frozen=True)
class CourseReview:
    slug: str
    warnings: list[CourseWarning]
    summary: str


@dataclass
class _Text:
    """One course file as written, and the lines whose words are not the course's prose."""

    file: str
    text: str
    skip_lines: frozenset[int] = frozenset()


def review_course(root: Path, spec: CourseSpec, glossary: Glossary) -> CourseReview:
    """Warnings and summary for a course folder that parsed as `spec` without errors."""
    texts, quizzes, lessons = _read(root, spec)
    warnings = [*_hours(spec, quizzes, lessons), *_course_balance(quizzes)]
    for source in quizzes:
        warnings.extend(quiz_warnings(source))
    warnings.extend(_glossary(texts, glossary))
    order = {t.file: i for i, t in enumerate(texts)}
    warnings.sort(key=lambda w: (order.get(w.file, -1), w.line or 0))
    return CourseReview(spec.id, warnings, _summary(spec, quizzes, len(warnings)))


def content_minutes(spec: CourseSpec) -> float:
    """Lesson minutes, plus each quiz's time limit or 1.5 minutes per question shown."""
    return sum(lesson.minutes or 0 for lesson in spec.lessons) + sum(
        quiz_minutes(m.quiz) for m in spec.modules if m.quiz is not None
    )


def quiz_minutes(quiz: QuizSpec) -> float:
    if quiz.time_limit_minutes is not None:
        return quiz.time_limit_minutes
    return MINUTES_PER_QUESTION * (quiz.draw or len(quiz.questions))


def _load(root: Path, name: str) -> str:
    return nfc(root.joinpath(name).read_text(encoding="utf-8-sig").replace("\r\n", "\n"))


def _read(root: Path, spec: CourseSpec) -> tuple[list[_Text], list[QuizFile], list[tuple[str, LessonSpec]]]:
    """The course's text files in reading order, its quizzes and its lessons with their file names.
    The course parsed, so course.yaml lists exactly the modules, lessons and quizzes of `spec`."""
    course_text = _load(root, COURSE_FILE)
    data, _ = load_with_lines(course_text)
    texts = [_Text(COURSE_FILE, course_text)]
    quizzes: list[QuizFile] = []
    lessons: list[tuple[str, LessonSpec]] = []
    for raw, module in zip(data["modules"], spec.modules, strict=True):
        for name, lesson in zip(raw["lessons"], module.lessons, strict=True):
            texts.append(_Text(name, _load(root, name)))
            lessons.append((name, lesson))
        if module.quiz is not None:
            name = raw["quiz"]
            text = _load(root, name)
            quiz_data, lines = load_with_lines(text)
            texts.append(_Text(name, text, _answer_lines(lines)))
            quizzes.append(QuizFile(name, module.quiz, _question_lines(quiz_data, lines)))
    return texts, quizzes, lessons


def _question_lines(data: Any, lines: dict[KeyPath, int]) -> dict[str, int]:
    return {str(q["id"]): lines[("questions", i)] for i, q in enumerate(data["questions"])}


def _answer_lines(lines: dict[KeyPath, int]) -> frozenset[int]:
    """Accepted short answers may hold forms the prose avoids: they match what people type."""
    return frozenset(line for path, line in lines.items() if "answers" in path)


def _hours(
    spec: CourseSpec, quizzes: list[QuizFile], lessons: list[tuple[str, LessonSpec]]
) -> list[CourseWarning]:
    out = [
        CourseWarning(
            name,
            None,
            lesson.id,
            "bài học chưa ghi minutes: ghi số phút học thật (khoảng 130–160 chữ một phút đọc, cộng "
            "thời gian làm các bài tập mà bài học yêu cầu).",
        )
        for name, lesson in lessons
        if lesson.minutes is None
    ]
    minutes = content_minutes(spec)
    stated = spec.training_minutes / 60
    if abs(stated - minutes / 60) > HOURS_TOLERANCE * stated:
        out.append(
            CourseWarning(
                COURSE_FILE,
                None,
                "training_hours",
                f"ghi {_hours_text(stated)} giờ nhưng nội dung tính ra {_minutes_text(minutes)} phút "
                f"({_hours_text(minutes / 60)} giờ), lệch {percent(abs(stated - minutes / 60), stated)} "
                f"(tối đa {percent(HOURS_TOLERANCE, 1)}). Ghi số giờ đúng với nội dung, hoặc viết thêm "
                "bài học, bài tập xứng với số giờ đã ghi.",
            )
        )
    return out


def _course_balance(quizzes: list[QuizFile]) -> list[CourseWarning]:
    questions = [q for source in quizzes for q in source.quiz.questions]
    message = true_false_balance(questions, "cả khoá học")
    return [CourseWarning(COURSE_FILE, None, None, message)] if message else []


def _glossary(texts: list[_Text], glossary: Glossary) -> list[CourseWarning]:
    out: list[CourseWarning] = []
    for term in glossary.terms:
        why = f" {term.why}" if term.why else ""
        for t in texts:
            for start, word in term.avoided(t.text):
                line = t.text.count("\n", 0, start) + 1
                if line not in t.skip_lines:
                    out.append(
                        CourseWarning(
                            t.file,
                            line,
                            None,
                            f"viết “{word}”; các khoá học thống nhất viết “{term.use}”.{why}",
                        )
                    )
        first = next(
            (
                (t, start, long)
                for t in texts
                for start, long in term.uses(t.text)
                if t.text.count("\n", 0, start) + 1 not in t.skip_lines
            ),
            None,
        )
        if first is not None and not first[2]:
            t, start, _ = first
            out.append(
                CourseWarning(
                    t.file,
                    t.text.count("\n", 0, start) + 1,
                    None,
                    f"lần đầu khoá học nhắc tới “{term.use}”, viết đầy đủ “{term.first}”; những lần sau "
                    f"viết “{term.use}”.{why}",
                )
            )
    return out


def _summary(spec: CourseSpec, quizzes: list[QuizFile], n_warnings: int) -> str:
    kinds = Counter(q.kind for source in quizzes for q in source.quiz.questions)
    by_kind = ", ".join(f"{kinds[k]} {KIND_NAMES[k]}" for k in QUESTION_KINDS if kinds[k])
    lesson_minutes = sum(lesson.minutes or 0 for lesson in spec.lessons)
    words = sum(_words(lesson.body_md) for lesson in spec.lessons)
    fast, slow = (round(words / wpm) for wpm in reversed(WORDS_PER_MINUTE))
    return (
        f"{spec.id}: {len(spec.modules)} học phần, {len(spec.lessons)} bài học, "
        f"{sum(kinds.values())} câu hỏi ({by_kind or 'không có'}); nội dung "
        f"{_minutes_text(content_minutes(spec))} phút (bài học {lesson_minutes}, đọc hết chữ khoảng "
        f"{fast}–{slow}) ≈ {_hours_text(content_minutes(spec) / 60)} giờ, ghi "
        f"{_hours_text(spec.training_minutes / 60)} giờ; {len(spec.assets)} hình; {n_warnings} cảnh báo"
    )


def _words(markdown: str) -> int:
    return sum(1 for token in markdown.split() if any(ch.isalnum() for ch in token))


def _minutes_text(minutes: float) -> str:
    return str(int(minutes)) if minutes == int(minutes) else decimal(minutes)


def _hours_text(hours: float) -> str:
    return f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")
