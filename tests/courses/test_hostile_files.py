"""Hostile course files: whatever bytes a course folder or zip holds, reading it ends either in a
valid course or in the domain's own error naming the file (never another exception), lesson
HTML never carries anything that could run, and an archive never writes outside its folder."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.courses.archive import Limits, unpack_course_zip
from app.courses.content import ContentInvalid, parse_course_dir
from app.courses.models import Course, CourseUpload, Lesson
from app.courses.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from app.errors import InvalidInput
from tests.courses.test_admin_api import coordinator_token
from tests.courses.test_admin_web import log_in, upload
from tests.factories import COURSE_YAML, LESSON_TWO, QUIZ, course_zip, write_course, zip_folder
from tests.hostile import HOSTILE, XSS
from tests.world import World

FILES = ("course.yaml", "m1/bai-mot.md", "m1/bai-hai.md", "m1/kiem-tra.yaml", "m1/hinh/so-do.png")
# Characters that mean something to YAML or Markdown, controls, and text far from ASCII.
SPECIAL = st.sampled_from(
    [*":-[]{}&*!|>'\"%@`#,?\n\t\\<>()=_~", "\x00", "\x07", "\ufeff", "\u0301", "đ", "ß", "한", "\U0001f600"]
)
HOSTILE_TEXT = st.lists(st.one_of(SPECIAL, st.text(max_size=8), st.sampled_from(XSS)), max_size=30).map(
    "".join
)
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(XSS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
COURSE = COURSE_YAML.format(slug="khoa-hoc-mau", version=1, title="Khoá học mẫu")


def read(files: dict[str, str | bytes]) -> str:
    """'ok', or the problems as text; any other exception fails the test."""
    with tempfile.TemporaryDirectory(prefix="hocso-hostile-") as folder:
        try:
            parse_course_dir(write_course(Path(folder), files=files))
        except ContentInvalid as exc:
            assert exc.errors
            for error in exc.errors:
                # Every problem names one of the course's files (or a file a course file named).
                assert error.file in FILES or error.file.endswith((".md", ".yaml", ".png")), error
                assert error.message
            return "\n".join(str(e) for e in exc.errors)
        return "ok"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_inert(html: str) -> None:
    """Only the allowed tags and attributes, and links only to the web, mail or our own pages."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name in ("href", "src"):
                assert _scheme(value or "") in ("", "http", "https", "mailto"), value


def _scheme(url: str) -> str:
    """The URL's scheme as a browser reads it (tabs and newlines dropped, ends trimmed), or ''
    for a relative URL."""
    found = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", re.sub(r"[\t\n\r]", "", url).strip("\x00 \x0c"))
    return found.group(1).lower() if found else ""


class TestCourseFiles:
    @HOSTILE
    @given(text=HOSTILE_TEXT)
    def test_any_course_yaml_is_read_or_refused_with_its_file_named(self, text: str) -> None:
        read({"course.yaml": text})

    @HOSTILE
    @given(data=st.data())
    def test_a_mutated_course_yaml_is_read_or_refused(self, data: st.DataObject) -> None:
        at = data.draw(st.integers(0, len(COURSE)))
        cut = data.draw(st.integers(0, 20))
        text = COURSE[:at] + data.draw(HOSTILE_TEXT) + COURSE[at + cut :]
        read({"course.yaml": text})

    @HOSTILE
    @given(value=YAML_VALUES, field=st.sampled_from(["version", "title", "training_hours", "modules", "id"]))
    def test_any_value_in_any_field_is_read_or_refused(self, value: object, field: str) -> None:
        lines = [line for line in COURSE.splitlines() if not line.startswith(f"{field}:")]
        read({"course.yaml": "\n".join(lines) + "\n" + yaml.safe_dump({field: value})})

    @HOSTILE
    @given(data=st.data())
    def test_a_mutated_quiz_is_read_or_refused(self, data: st.DataObject) -> None:
        at = data.draw(st.integers(0, len(QUIZ)))
        text = QUIZ[:at] + data.draw(HOSTILE_TEXT) + QUIZ[at + data.draw(st.integers(0, 20)) :]
        read({"m1/kiem-tra.yaml": text})

    @HOSTILE
    @given(
        raw=st.binary(max_size=200),
        where=st.sampled_from(["course.yaml", "m1/bai-hai.md", "m1/kiem-tra.yaml"]),
    )
    def test_arbitrary_bytes_in_any_file_are_read_or_refused(self, raw: bytes, where: str) -> None:
        read({where: raw})

    @HOSTILE
    @given(body=HOSTILE_TEXT)
    def test_lesson_markdown_never_renders_anything_that_runs(self, body: str) -> None:
        with tempfile.TemporaryDirectory(prefix="hocso-hostile-") as folder:
            lesson = "---\nid: bai-hai\ntitle: Bài hai\n---\n" + body + "\n"
            try:
                spec = parse_course_dir(write_course(Path(folder), files={"m1/bai-hai.md": lesson}))
            except ContentInvalid:
                return
            for each in spec.lessons:
                assert_inert(each.body_html)

    @pytest.mark.parametrize("payload", XSS)
    def test_every_known_payload_renders_inert(self, payload: str, tmp_path: Path) -> None:
        lesson = LESSON_TWO + f"\n{payload}\n\n[link]({payload})\n"
        spec = parse_course_dir(write_course(tmp_path, files={"m1/bai-hai.md": lesson}))
        html = spec.lessons[1].body_html
        assert_inert(html)
        assert "<script" not in html and "<svg" not in html and "<iframe" not in html

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            # Aliases that refer to aliases: a few lines that would build billions of values.
            (
                "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n"
                + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)),
                "course.yaml:1: not valid YAML: more than 100,000 values; is an alias (*) repeated?",
            ),
            (
                "a: " + "[" * 5000 + "]" * 5000 + "\n",
                "course.yaml: not valid YAML: the values are nested too deeply",
            ),
            (
                "id: x\nx: !!python/object/apply:os.system ['true']\n",
                "course.yaml:2: not valid YAML: the tag",
            ),
            ("id: x\nx: !!python/name:os.system\n", "course.yaml:2: not valid YAML: could not"),
            ("id: x\nversion: 2026-02-30\n", "course.yaml:2: not valid YAML: '2026-02-30' cannot be read"),
            ("id: x\nversion: !!int 0xZZ\n", "course.yaml:2: not valid YAML: '0xZZ' cannot be read"),
            ("id: x\nx: {<<: 5}\n", "course.yaml:2: not valid YAML: could not"),
            ("id: x\ntitle: a\x07b\n", "course.yaml:2: not valid YAML: the character U+0007 is not allowed"),
        ],
    )
    def test_hostile_yaml_is_a_problem_with_its_line(self, text: str, expected: str) -> None:
        assert read({"course.yaml": text}).startswith(expected)

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("a" * 300 + ".md", "is not a valid file name"),
            ("a\\0b.md", "is not a valid file name"),
            ("../../etc/passwd.md", "is outside the course folder"),
            ("/etc/passwd.md", "is outside the course folder"),
        ],
    )
    def test_a_lesson_path_of_any_shape_is_a_problem_naming_the_field(self, name: str, expected: str) -> None:
        course = COURSE.replace("m1/bai-hai.md", f'"{name}"')
        problem = read({"course.yaml": course})
        assert problem.startswith("course.yaml:16: modules[1].lessons[2]: ") and problem.endswith(expected)

    def test_a_nul_character_in_a_lesson_is_refused_with_its_line(self) -> None:
        lesson = "---\nid: bai-hai\ntitle: Bài hai\n---\n\nmột\x00hai\n"
        assert read({"m1/bai-hai.md": lesson}) == "m1/bai-hai.md:6: holds a NUL character; is it really text?"

    def test_an_image_name_too_long_for_the_disk_is_a_problem(self) -> None:
        lesson = "---\nid: bai-hai\ntitle: Bài hai\n---\n\n![ảnh](" + "a" * 300 + ".png)\n"
        problem = read({"m1/bai-hai.md": lesson})
        assert problem.startswith("m1/bai-hai.md: image: 'm1/aaa") and problem.endswith(
            "is not a valid file name"
        )


LIMITS = Limits(max_zip_bytes=1 << 20, max_members=50, max_unpacked_bytes=200_000)
NAME_PARTS = st.sampled_from(
    ["..", ".", "", "a", "m1", "course.yaml", "C:", "b\\..\\..", "x" * 300, "bài", "__MACOSX", "~", "ý\u0301"]
)


def written_files(folder: Path) -> list[Path]:
    return [Path(d) / f for d, _, files in os.walk(folder, followlinks=False) for f in files]


class TestZips:
    @HOSTILE
    @given(data=st.data())
    def test_a_damaged_course_zip_is_unpacked_or_refused(self, data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory(prefix="hocso-hostile-") as folder:
            good = zip_folder(write_course(Path(folder) / "src"))
            raw = bytearray(good)
            for _ in range(data.draw(st.integers(1, 8))):
                raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
            target = Path(folder) / "out"
            target.mkdir()
            try:
                root = unpack_course_zip(bytes(raw), target, LIMITS)
            except InvalidInput as exc:
                assert exc.message
            else:
                assert (root / "course.yaml").is_file()
            for file in written_files(target):
                assert file.resolve().is_relative_to(target.resolve())

    @HOSTILE
    @given(
        names=st.lists(
            st.lists(NAME_PARTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=6, unique=True
        ),
        links=st.lists(st.booleans(), min_size=6, max_size=6),
    )
    def test_no_member_name_writes_outside_the_folder(self, names: list[str], links: list[bool]) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, link in zip(names, links, strict=False):
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = (0o120777 if link else 0o100644) << 16
                archive.writestr(info, b"id: x\n")
        with tempfile.TemporaryDirectory(prefix="hocso-hostile-") as folder:
            target = Path(folder) / "out"
            target.mkdir()
            try:
                unpack_course_zip(buffer.getvalue(), target, LIMITS)
            except InvalidInput as exc:
                assert exc.message
            for file in written_files(Path(folder)):
                assert file.resolve().is_relative_to(target.resolve()) and not file.is_symlink()

    def test_a_zip_of_many_tiny_members_is_refused_before_anything_is_written(self, tmp_path: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("course.yaml", b"id: x\n")
            for i in range(60):
                archive.writestr(f"m/{i}.md", b"")
        with pytest.raises(InvalidInput, match="too many files"):
            unpack_course_zip(buffer.getvalue(), tmp_path, LIMITS)
        assert written_files(tmp_path) == []

    def test_a_high_ratio_bomb_is_refused_before_anything_is_written(self, tmp_path: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("course.yaml", b"id: x\n")
            archive.writestr("m/bom.md", b"\0" * 10_000_000)
        assert len(buffer.getvalue()) < 20_000
        with pytest.raises(InvalidInput, match="more than the allowed size"):
            unpack_course_zip(buffer.getvalue(), tmp_path, LIMITS)
        assert written_files(tmp_path) == []


def bomb_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.yaml", b"id: x\n")
        with archive.open("m/bom.md", "w") as member:
            for _ in range(110):  # 110 MB of zeros, past the 100 MB that any course may unpack to
                member.write(bytes(1 << 20))
    return buffer.getvalue()


def hostile_zips(tmp_path: Path) -> dict[str, bytes]:
    lesson = "---\nid: bai-hai\ntitle: Bài hai\n---\n\nmột\x00hai\n"
    alias_bomb = "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)
    )
    traversal = io.BytesIO()
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("course.yaml", b"id: x\n")
        archive.writestr("../../escape.md", b"x")
    return {
        "nul": course_zip(tmp_path, "nul", files={"m1/bai-hai.md": lesson}),
        "alias": course_zip(tmp_path, "alias", files={"course.yaml": alias_bomb}),
        "date": course_zip(
            tmp_path, "date", files={"course.yaml": COURSE.replace("version: 1", "version: 2026-02-30")}
        ),
        "long": course_zip(
            tmp_path, "long", files={"course.yaml": COURSE.replace("m1/bai-hai.md", "a" * 300 + ".md")}
        ),
        "bomb": bomb_zip(),
        "traversal": traversal.getvalue(),
        "empty": b"",
        "garbage": os.urandom(2000),
    }


def stored(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Course)) or 0,
        session.scalar(select(func.count()).select_from(Lesson)) or 0,
        session.scalar(select(func.count()).select_from(CourseUpload)) or 0,
    )


class TestUploadRoutes:
    def test_the_api_answers_every_hostile_zip_with_422_and_writes_nothing(
        self, client: TestClient, session: Session, world: World, tmp_path: Path
    ) -> None:
        headers = coordinator_token(session, world)
        before = stored(session)
        for name, data in hostile_zips(tmp_path).items():
            response = client.post(
                "/api/v1/admin/courses", headers=headers, files={"file": ("k.zip", data, "application/zip")}
            )
            assert response.status_code == 422, (name, response.text)
            body = response.json()
            assert body.get("message") or body.get("problems"), name
        assert stored(session) == before

    def test_the_upload_page_answers_every_hostile_zip_with_a_message_and_writes_nothing(
        self, client: TestClient, session: Session, world: World, tmp_path: Path
    ) -> None:
        log_in(client, session, world.coord_a)
        before = stored(session)
        for name, data in hostile_zips(tmp_path).items():
            status, page = upload(client, data)
            # Problems in the files are listed on the preview; a broken zip goes back with a flash.
            assert status in (200, 303), name
            if status == 200:
                assert "Các lỗi cần sửa trong tệp" in page and "/import" not in page, name
        assert stored(session) == before


def _lesson(body: str, lesson_id: str = "bai-hai") -> str:
    return f"---\nid: {lesson_id}\ntitle: Bài hai\n---\n{body}\n"


def test_a_paragraph_too_long_for_inline_parsing_is_refused_by_file_and_line(tmp_path: Path) -> None:
    # Inline parsing of brackets grows faster than the text: such a paragraph is refused
    # before it is parsed, not after seconds of parsing.
    from app.courses.rendering import MAX_INLINE

    body = "Một đoạn bình thường.\n\n" + "![" * (MAX_INLINE // 2 + 1)
    folder = write_course(tmp_path, files={"m1/bai-hai.md": _lesson(body)})
    with pytest.raises(ContentInvalid) as caught:
        parse_course_dir(folder)
    assert [(e.file, e.line, e.message) for e in caught.value.errors] == [
        (
            "m1/bai-hai.md",
            None,
            "line 7: a paragraph, heading, list item or table cell is longer than 4,000 characters; split it",
        )
    ]


def test_a_lesson_larger_than_any_real_one_is_refused(tmp_path: Path) -> None:
    from app.courses.content import MAX_LESSON_FILE

    body = "\n\n".join(["Đoạn văn."] * (MAX_LESSON_FILE // 10))
    folder = write_course(tmp_path, files={"m1/bai-hai.md": _lesson(body)})
    with pytest.raises(ContentInvalid) as caught:
        parse_course_dir(folder)
    assert any("'m1/bai-hai.md' is larger than 100 KB" in e.message for e in caught.value.errors)


def test_checking_stops_when_rendering_has_taken_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.courses import content

    # No budget at all: the first lesson is rendered, and the next one is refused for it.
    monkeypatch.setattr(content, "RENDER_BUDGET_SECONDS", 0.0)
    folder = write_course(tmp_path)
    with pytest.raises(ContentInvalid) as caught:
        parse_course_dir(folder)
    assert [e.file for e in caught.value.errors] == ["m1/bai-hai.md"]
    assert "took over 0 s to check" in caught.value.errors[0].message
