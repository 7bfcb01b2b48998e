import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.courses import service
from app.courses.content import ContentInvalid
from app.courses.models import Course, CourseAsset, Lesson, Question, Quiz
from app.errors import InvalidInput, NotFound
from tests.factories import QUIZ, write_course

LIMIT = 2 * 1024 * 1024


def load(session: Session, folder: Path) -> str:
    return service.import_course_dir(session, folder, max_asset_bytes=LIMIT).status


class TestImport:
    def test_first_import_creates_then_a_second_reports_unchanged(
        self, session: Session, tmp_path: Path
    ) -> None:
        folder = write_course(tmp_path)
        assert load(session, folder) == "created"
        assert load(session, folder) == "unchanged"
        course = session.scalars(select(Course)).one()
        assert (course.slug, course.version, course.training_minutes) == ("khoa-hoc-mau", 1, 90)
        assert session.scalar(select(func.count()).select_from(Lesson)) == 2
        assert session.scalar(select(func.count()).select_from(Question)) == 4
        assert session.scalars(select(CourseAsset.path)).all() == ["m1/hinh/so-do.png"]

    def test_edit_updates_rows_in_place_keeping_their_ids(self, session: Session, tmp_path: Path) -> None:
        load(session, write_course(tmp_path / "v1"))
        before = {lesson.slug: lesson.id for lesson in session.scalars(select(Lesson))}
        edited = write_course(
            tmp_path / "v2",
            version=2,
            files={"m1/bai-hai.md": "---\nid: bai-hai\ntitle: Bài hai (sửa)\n---\nNội dung mới.\n"},
        )
        assert load(session, edited) == "updated"
        after = {lesson.slug: (lesson.id, lesson.title) for lesson in session.scalars(select(Lesson))}
        assert after == {
            "bai-mot": (before["bai-mot"], "Bài một"),
            "bai-hai": (before["bai-hai"], "Bài hai (sửa)"),
        }
        assert session.scalars(select(Course.version)).one() == 2

    def test_removed_items_are_retired_not_deleted(self, session: Session, tmp_path: Path) -> None:
        load(session, write_course(tmp_path / "v1"))
        folder = write_course(tmp_path / "v2", version=2)
        text = (folder / "course.yaml").read_text(encoding="utf-8")
        text = text.replace("      - m1/bai-mot.md\n", "").replace("    quiz: m1/kiem-tra.yaml\n", "")
        (folder / "course.yaml").write_text(text, encoding="utf-8")
        assert load(session, folder) == "updated"
        lessons = {x.slug: x.retired for x in session.scalars(select(Lesson))}
        assert lessons == {"bai-mot": True, "bai-hai": False}
        assert session.scalars(select(Quiz.retired)).all() == [True]
        outline = service.course_outline(session, "khoa-hoc-mau")
        assert [x.slug for m in outline.modules for x in m.lessons] == ["bai-hai"]
        with pytest.raises(NotFound):
            service.lesson_view(session, "khoa-hoc-mau", "bai-mot")

    def test_a_matching_question_is_stored_with_its_pairs(self, session: Session, tmp_path: Path) -> None:
        matching = """\
          - id: cau-ghep
            type: matching
            text: Ghép mỗi việc với công cụ
            pairs:
              - {id: a, left: Ký văn bản, right: Chữ ký số}
              - {id: b, left: Gửi công văn, right: Thư công vụ}
            distractors: [Mạng xã hội]
            scoring: partial
            explanation: Vì vậy.
        """
        load(
            session,
            write_course(
                tmp_path, files={"m1/kiem-tra.yaml": QUIZ + textwrap.indent(textwrap.dedent(matching), "  ")}
            ),
        )
        question = session.scalars(select(Question).where(Question.slug == "cau-ghep")).one()
        session.expire(question)
        assert (question.kind, question.position) == ("matching", 5)
        assert question.spec == {
            "pairs": [
                {"id": "a", "left": "Ký văn bản", "right": "Chữ ký số"},
                {"id": "b", "left": "Gửi công văn", "right": "Thư công vụ"},
            ],
            "distractors": ["Mạng xã hội"],
            "scoring": "partial",
        }

    def test_an_invalid_course_writes_nothing(self, session: Session, tmp_path: Path) -> None:
        folder = write_course(tmp_path, files={"m1/bai-hai.md": "no front matter\n"})
        with pytest.raises(ContentInvalid):
            load(session, folder)
        assert session.scalar(select(func.count()).select_from(Course)) == 0


class TestCatalogue:
    @pytest.fixture
    def three(self, session: Session, tmp_path: Path) -> None:
        for slug, title in [
            ("ho-so", "Xử lý hồ sơ một cửa"),
            ("dang-ky", "Đăng ký hộ kinh doanh"),
            ("email", "Thư điện tử công vụ"),
        ]:
            load(session, write_course(tmp_path, slug=slug, title=title))

    def slugs(self, session: Session, query: str) -> list[str]:
        return [entry.course.slug for entry in service.list_courses(session, query=query)]

    @pytest.mark.usefixtures("three")
    def test_search_ignores_accents_case_and_d_stroke(self, session: Session) -> None:
        assert self.slugs(session, "ho so") == ["ho-so"]
        assert self.slugs(session, "HỒ SƠ") == ["ho-so"]
        assert self.slugs(session, "dang ky") == ["dang-ky"]
        assert self.slugs(session, "đăng") == ["dang-ky"]

    @pytest.mark.usefixtures("three")
    def test_every_word_must_match_and_lessons_count(self, session: Session) -> None:
        assert self.slugs(session, "thu cong vu") == ["email"]
        assert self.slugs(session, "công vụ một cửa") == []
        assert self.slugs(session, "bai hai") == ["dang-ky", "email", "ho-so"]

    @pytest.mark.usefixtures("three")
    def test_words_match_at_word_starts_and_title_matches_rank_first(self, session: Session) -> None:
        assert self.slugs(session, "ong vu") == []
        assert self.slugs(session, "cong v") == ["email"]
        assert self.slugs(session, "khoá học") == ["dang-ky", "email", "ho-so"]
        assert self.slugs(session, "kinh doanh") == ["dang-ky"]
        assert self.slugs(session, "bai") == ["dang-ky", "email", "ho-so"]
        assert self.slugs(session, "thu") == ["email", "dang-ky", "ho-so"]

    @pytest.mark.usefixtures("three")
    def test_like_wildcards_are_literal(self, session: Session) -> None:
        assert self.slugs(session, "%") == []
        assert self.slugs(session, "_") == []

    def test_overlong_query_is_refused(self, session: Session) -> None:
        with pytest.raises(InvalidInput):
            service.list_courses(session, query="x" * 201)

    @pytest.mark.usefixtures("three")
    def test_entries_count_modules_and_lessons(self, session: Session) -> None:
        entry = service.list_courses(session, query="thu dien tu")[0]
        assert (entry.module_count, entry.lesson_count) == (1, 2)


class TestLessons:
    def test_lesson_view_has_neighbours_in_course_order(self, session: Session, tmp_path: Path) -> None:
        load(session, write_course(tmp_path))
        first = service.lesson_view(session, "khoa-hoc-mau", "bai-mot")
        second = service.lesson_view(session, "khoa-hoc-mau", "bai-hai")
        assert (first.previous, first.next and first.next.slug, first.number, first.total) == (
            None,
            "bai-hai",
            1,
            2,
        )
        assert (second.previous and second.previous.slug, second.next_lesson) == ("bai-mot", None)
        # The path goes on to the module's quiz.
        assert second.next is not None and (second.next.kind, second.next.slug) == ("quiz", "kiem-tra-mot")

    def test_unknown_course_or_lesson_is_not_found(self, session: Session, tmp_path: Path) -> None:
        load(session, write_course(tmp_path))
        with pytest.raises(NotFound):
            service.course_outline(session, "khong-co")
        with pytest.raises(NotFound):
            service.lesson_view(session, "khoa-hoc-mau", "khong-co")
        with pytest.raises(NotFound):
            service.get_asset(session, "khoa-hoc-mau", "../course.yaml")
