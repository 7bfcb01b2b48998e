"""Course folders to validated course specs (pure: reads files, touches no database).

Every problem is collected, with the file, line or field and the reason, so an author can fix a
whole course in one pass. See courses/README.md for the format this reads."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.courses.checks import Checker, ContentError
from app.courses.pictures import IMAGE_TYPES, MAX_SVG_BYTES, SVG_TYPE, picture_problems
from app.courses.quizfile import QuizSpec, parse_quiz
from app.courses.rendering import render_lesson
from app.courses.yamlnodes import YamlProblem, load_with_lines
from app.errors import InvalidInput
from app.text import nfc

COURSE_FILE = "course.yaml"
MAX_TEXT_FILE = 1024 * 1024
# Our longest lesson is 15 KB; a lesson several times longer should be split anyway.
MAX_LESSON_FILE = 100 * 1024
# Checking renders every lesson: real courses take a sixth of a second here, and the worst text
# about ten times as long per character. Checking stops once rendering has taken this long, so
# an upload costs at most this plus one lesson (bench/RESULTS.md, "Hostile uploads").
RENDER_BUDGET_SECONDS = 3.0


@dataclass(frozen=True)
class LessonSpec:
    id: str
    title: str
    minutes: int | None
    body_md: str
    body_html: str


@dataclass(frozen=True)
class ModuleSpec:
    id: str
    title: str
    lessons: tuple[LessonSpec, ...]
    quiz: QuizSpec | None


@dataclass(frozen=True)
class AssetSpec:
    path: str
    media_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class CourseSpec:
    id: str
    version: int
    language: str
    title: dict[str, str]
    summary: dict[str, str]
    training_minutes: int
    pass_mark: int
    completion_lessons: str
    completion_quizzes: str
    modules: tuple[ModuleSpec, ...]
    assets: tuple[AssetSpec, ...]
    content_hash: str

    @property
    def lessons(self) -> list[LessonSpec]:
        return [lesson for module in self.modules for lesson in module.lessons]


class ContentInvalid(InvalidInput):
    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the course files")
        self.errors = errors


def find_course_dirs(path: Path) -> list[Path]:
    """A course folder itself, or every course folder directly inside a folder."""
    if (path / COURSE_FILE).is_file():
        return [path]
    return sorted(p for p in path.iterdir() if (p / COURSE_FILE).is_file()) if path.is_dir() else []


def parse_course_dir(root: Path, *, max_asset_bytes: int = 2 * 1024 * 1024) -> CourseSpec:
    """Parse and validate one course folder; raise ContentInvalid listing every problem."""
    return _CourseReader(root, max_asset_bytes).read()


class _CourseReader:
    def __init__(self, root: Path, max_asset_bytes: int) -> None:
        self.root = root
        self.max_asset_bytes = max_asset_bytes
        self.render_seconds = 0.0
        self.errors: list[ContentError] = []
        self.hashed: dict[str, bytes] = {}
        self.slugs: dict[str, str] = {}

    def read(self) -> CourseSpec:
        data, check = self._yaml(COURSE_FILE)
        spec = self._course(data, check) if check is not None else None
        if self.errors or spec is None:
            raise ContentInvalid(self.errors or [ContentError(COURSE_FILE, None, None, "unreadable")])
        return spec

    def _course(self, data: Any, check: Checker) -> CourseSpec | None:
        root = check.mapping(data, ())
        if root is None:
            self.errors.extend(check.errors)
            return None
        course_id = check.slug(root, ())
        version = check.integer(root, (), "version", low=1, high=1_000_000)
        language = check.choice(root, (), "language", ("vi", "en"), default="vi")
        if "language" not in root:
            check.error((), "'language' is missing")
        title = self._both_languages(root, check, "title", 300)
        summary = self._both_languages(root, check, "summary", 2000)
        minutes = self._hours(root, check)
        pass_mark = check.integer(root, (), "pass_mark", required=False, low=0, high=100)
        completion = root.get("completion") or {}
        if not isinstance(completion, dict):
            check.error(("completion",), "must be a set of 'key: value' lines")
            completion = {}
        lessons_rule = check.choice(completion, ("completion",), "lessons", ("all", "none"), default="all")
        quizzes_rule = check.choice(
            completion, ("completion",), "quizzes", ("passed", "none"), default="passed"
        )
        modules: list[ModuleSpec] = []
        raw_modules = check.items(root, (), "modules")
        media = f"/courses/{course_id}/media/"
        for i, raw in enumerate(raw_modules):
            module = self._module(raw, ("modules", i), check, media)
            if module is not None:
                modules.append(module)
        self.errors[:0] = check.errors
        if self.errors or course_id is None or version is None or minutes is None:
            return None
        assets = self._assets()
        if self.errors:
            return None
        digest = hashlib.sha256()
        for name in sorted(self.hashed):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.hashed[name]).digest())
        return CourseSpec(
            id=course_id,
            version=version,
            language=language,
            title=title,
            summary=summary,
            training_minutes=minutes,
            pass_mark=50 if pass_mark is None else pass_mark,
            completion_lessons=lessons_rule,
            completion_quizzes=quizzes_rule,
            modules=tuple(modules),
            assets=assets,
            content_hash=digest.hexdigest(),
        )

    def _both_languages(self, root: dict[str, Any], check: Checker, key: str, max_len: int) -> dict[str, str]:
        value = check.get(root, (), key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            check.error((key,), "needs a 'vi:' line and an 'en:' line")
            return {}
        out: dict[str, str] = {}
        for lang in ("vi", "en"):
            text = check.text(value, (key,), lang, max_len=max_len)
            if text is not None:
                out[lang] = text
        return out

    def _hours(self, root: dict[str, Any], check: Checker) -> int | None:
        value = check.get(root, (), "training_hours")
        if value is None:
            return None
        try:
            hours = Decimal(str(value)) if not isinstance(value, bool) else Decimal("nan")
        except InvalidOperation:
            hours = Decimal("nan")
        if not hours.is_finite() or hours <= 0 or hours > 1000 or hours != hours.quantize(Decimal("0.01")):
            check.error(("training_hours",), "must be a number of hours above 0, e.g. 8 or 1.5")
            return None
        return int((hours * 60).to_integral_value())

    def _module(self, raw: Any, path: tuple[str | int, ...], check: Checker, media: str) -> ModuleSpec | None:
        data = check.mapping(raw, path)
        if data is None:
            return None
        module_id = check.slug(data, path)
        self._claim(module_id, "module", check, (*path, "id"))
        title = check.text(data, path, "title")
        lessons: list[LessonSpec] = []
        for j, name in enumerate(check.items(data, path, "lessons")):
            if not isinstance(name, str):
                check.error((*path, "lessons", j), "must be the path of a .md file")
                continue
            lesson = self._lesson(name, media, check, (*path, "lessons", j))
            if lesson is not None:
                lessons.append(lesson)
        quiz = None
        quiz_file = data.get("quiz")
        if quiz_file is not None:
            if not isinstance(quiz_file, str):
                check.error((*path, "quiz"), "must be the path of a .yaml file")
            else:
                quiz = self._quiz(quiz_file, check, (*path, "quiz"))
        if module_id is None or title is None:
            return None
        return ModuleSpec(module_id, title, tuple(lessons), quiz)

    def _claim(self, slug: str | None, what: str, check: Checker, path: tuple[str | int, ...]) -> None:
        if slug is None:
            return
        if slug in self.slugs:
            check.error(path, f"the id '{slug}' is already used by a {self.slugs[slug]} of this course")
        else:
            self.slugs[slug] = what

    def _file(self, name: str) -> tuple[Path | None, str]:
        """The file a course file names, or None and why not. Names come from the files, so they
        may be anything: too long for the disk, holding a NUL, or pointing outside the course."""
        try:
            file = (self.root / name).resolve()
            if not file.is_relative_to(self.root.resolve()):
                return None, f"'{name}' is outside the course folder"
            if file.is_file():
                return file, ""
        except (OSError, ValueError):
            return None, f"'{name[:100]}' is not a valid file name"
        return None, f"the file '{name}' does not exist"

    def _read_text(
        self, name: str, check: Checker, path: tuple[str | int, ...], *, limit: int = MAX_TEXT_FILE
    ) -> str | None:
        file, problem = self._file(name)
        if file is None:
            check.error(path, problem)
            return None
        if file.stat().st_size > limit:
            check.error(path, f"'{name}' is larger than {limit // 1024:,} KB")
            return None
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.errors.append(
                ContentError(name, line, None, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
            )
            return None
        if "\0" in text:
            # No text file holds one, and PostgreSQL cannot store it.
            line = text.count("\n", 0, text.index("\0")) + 1
            self.errors.append(ContentError(name, line, None, "holds a NUL character; is it really text?"))
            return None
        self.hashed[name] = raw
        return nfc(text.replace("\r\n", "\n"))

    def _yaml(self, name: str, text: str | None = None, line_offset: int = 0) -> tuple[Any, Checker | None]:
        if text is None:
            text = self._read_text(name, Checker(COURSE_FILE, errors=self.errors), ())
            if text is None:
                return None, None
        try:
            data, lines = load_with_lines(text)
        except YamlProblem as exc:
            line = exc.line + line_offset if exc.line else None
            self.errors.append(ContentError(name, line, None, f"not valid YAML: {exc.message}"))
            return None, None
        return data, Checker(name, {path: n + line_offset for path, n in lines.items()})

    def _lesson(
        self, name: str, media: str, parent: Checker, path: tuple[str | int, ...]
    ) -> LessonSpec | None:
        if not name.endswith(".md"):
            parent.error(path, f"'{name}' is not a Markdown (.md) file")
            return None
        text = self._read_text(name, parent, path, limit=MAX_LESSON_FILE)
        if text is None:
            return None
        if not text.startswith("---\n") or "\n---\n" not in text[3:] + "\n":
            self.errors.append(
                ContentError(
                    name, 1, None, "must start with a block between two '---' lines holding id and title"
                )
            )
            return None
        head, _, body = text[4:].partition("\n---\n")
        data, check = self._yaml(name, head, line_offset=1)
        if check is None:
            return None
        meta = check.mapping(data, ()) or {}
        lesson_id = check.slug(meta, ())
        self._claim(lesson_id, "lesson", check, ("id",))
        title = check.text(meta, (), "title")
        minutes = check.integer(meta, (), "minutes", required=False, low=1, high=600)
        lesson_dir = str(Path(name).parent).replace("\\", "/")
        if self.render_seconds > RENDER_BUDGET_SECONDS:
            check.error(
                (),
                f"the lessons before this one took over {RENDER_BUDGET_SECONDS:g} s to check; shorten them",
            )
            self.errors.extend(check.errors)
            return None
        started = time.perf_counter()
        rendered = render_lesson(
            body, lesson_dir="" if lesson_dir == "." else lesson_dir, media_url=lambda p: media + p
        )
        self.render_seconds += time.perf_counter() - started
        head_lines = head.count("\n") + 3
        for problem in rendered.problems:
            check.errors.append(ContentError(name, None, None, _shift(problem, head_lines)))
        for image in rendered.images:
            self._image(image, name, check)
        self.errors.extend(check.errors)
        if lesson_id is None or title is None or check.errors:
            return None
        return LessonSpec(lesson_id, title, minutes, body.strip() + "\n", rendered.html)

    def _image(self, path: str, lesson: str, check: Checker) -> None:
        media_type = IMAGE_TYPES.get(Path(path).suffix.lower())
        if media_type is None:
            check.errors.append(
                ContentError(
                    lesson, None, None, f"image '{path}': use a .png, .jpg, .gif, .webp or .svg file"
                )
            )
            return
        file, problem = self._file(path)
        if file is None:
            check.errors.append(ContentError(lesson, None, None, f"image: {problem}"))
            return
        limit = MAX_SVG_BYTES if media_type == SVG_TYPE else self.max_asset_bytes
        if file.stat().st_size > limit:
            check.errors.append(
                ContentError(lesson, None, None, f"image '{path}' is larger than {limit // 1024} KB")
            )
            return
        self.hashed.setdefault(path, file.read_bytes())

    def _assets(self) -> tuple[AssetSpec, ...]:
        assets = []
        for path, data in sorted(self.hashed.items()):
            media_type = IMAGE_TYPES.get(Path(path).suffix.lower())
            if media_type is None:
                continue
            problems = picture_problems(media_type, data)
            if problems:
                self.errors.extend(ContentError(path, None, None, problem) for problem in problems)
                continue
            assets.append(AssetSpec(path, media_type, data, hashlib.sha256(data).hexdigest()))
        return tuple(assets)

    def _quiz(self, name: str, parent: Checker, path: tuple[str | int, ...]) -> QuizSpec | None:
        if not name.endswith((".yaml", ".yml")):
            parent.error(path, f"'{name}' is not a YAML (.yaml) file")
            return None
        text = self._read_text(name, parent, path)
        if text is None:
            return None
        data, check = self._yaml(name, text)
        if check is None:
            return None
        quiz = parse_quiz(data, check)
        if quiz is not None:
            self._claim(quiz.id, "quiz", check, ("id",))
        self.errors.extend(check.errors)
        return quiz if not check.errors else None


def _shift(problem: str, offset: int) -> str:
    """Turn a body-relative 'line N' into a file line, counting the front matter."""
    if problem.startswith("line "):
        number, _, rest = problem[5:].partition(":")
        if number.isdigit():
            return f"line {int(number) + offset}:{rest}"
    return problem
