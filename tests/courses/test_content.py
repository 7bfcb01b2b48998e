from pathlib import Path

import pytest

from app.courses.content import ContentInvalid, find_course_dirs, parse_course_dir
from tests.factories import COURSES, QUIZ, write_course


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        parse_course_dir(folder)
    return [str(error) for error in caught.value.errors]


class TestValidCourse:
    def test_parses_outline_hours_and_rules(self, tmp_path: Path) -> None:
        spec = parse_course_dir(write_course(tmp_path))
        assert spec.id == "khoa-hoc-mau"
        assert spec.title == {"vi": "Khoá học mẫu", "en": "Records handling for testers"}
        assert spec.training_minutes == 90
        assert (spec.pass_mark, spec.completion_lessons, spec.completion_quizzes) == (50, "all", "passed")
        assert [m.id for m in spec.modules] == ["hoc-phan-mot"]
        assert [lesson.id for lesson in spec.lessons] == ["bai-mot", "bai-hai"]
        assert spec.lessons[0].minutes == 5 and spec.lessons[1].minutes is None

    def test_quiz_questions_of_every_type(self, tmp_path: Path) -> None:
        quiz = parse_course_dir(write_course(tmp_path)).modules[0].quiz
        assert quiz is not None and quiz.pass_mark is None
        assert [(q.id, q.kind) for q in quiz.questions] == [
            ("cau-chon-mot", "single_choice"),
            ("cau-chon-nhieu", "multiple_choice"),
            ("cau-dung-sai", "true_false"),
            ("cau-tra-loi-ngan", "short_answer"),
        ]
        assert quiz.questions[1].spec["scoring"] == "partial"
        assert quiz.questions[2].spec == {"answer": False}
        assert quiz.questions[3].spec == {"answers": ["một cửa"], "ignore_accents": True}

    def test_lesson_html_is_sanitised_and_images_are_local(self, tmp_path: Path) -> None:
        spec = parse_course_dir(write_course(tmp_path))
        html = spec.lessons[0].body_html
        assert "<strong>chữ đậm</strong>" in html
        assert "<script" not in html
        assert 'src="/courses/khoa-hoc-mau/media/m1/hinh/so-do.png"' in html
        assert [(a.path, a.media_type) for a in spec.assets] == [("m1/hinh/so-do.png", "image/png")]

    def test_text_is_stored_in_nfc(self, tmp_path: Path) -> None:
        decomposed = "Kho\u0301a ho\u0323c"
        spec = parse_course_dir(write_course(tmp_path, title=decomposed))
        assert spec.title["vi"] == "Khóa học"

    def test_same_files_give_same_hash_and_an_edit_changes_it(self, tmp_path: Path) -> None:
        first = parse_course_dir(write_course(tmp_path / "a")).content_hash
        again = parse_course_dir(write_course(tmp_path / "b")).content_hash
        edited = parse_course_dir(
            write_course(
                tmp_path / "c", files={"m1/bai-hai.md": "---\nid: bai-hai\ntitle: Bài hai\n---\nKhác.\n"}
            )
        )
        assert first == again != edited.content_hash

    def test_quiz_settings_are_read_and_a_changed_setting_changes_the_hash(self, tmp_path: Path) -> None:
        plain = parse_course_dir(write_course(tmp_path / "a"))
        timed = parse_course_dir(
            write_course(tmp_path / "b", files={"m1/kiem-tra.yaml": QUIZ + "time_limit_minutes: 15\n"})
        )
        assert [m.quiz.time_limit_minutes for m in (plain.modules[0], timed.modules[0]) if m.quiz] == [
            None,
            15,
        ]
        # The hash covers every file's bytes, so a re-import picks up a settings-only change.
        assert plain.content_hash != timed.content_hash

    def test_finds_one_course_or_a_folder_of_courses(self, tmp_path: Path) -> None:
        one = write_course(tmp_path, slug="mot")
        write_course(tmp_path, slug="hai")
        assert find_course_dirs(one) == [one]
        assert [p.name for p in find_course_dirs(tmp_path)] == ["hai", "mot"]


class TestProblems:
    def test_missing_fields_name_file_line_and_field(self, tmp_path: Path) -> None:
        folder = write_course(tmp_path, files={"course.yaml": "id: x-y\nversion: 0\nlanguage: vi\n"})
        assert problems(folder) == [
            "course.yaml:2: version: must be a whole number from 1 to 1000000",
            "course.yaml:1: 'title' is missing",
            "course.yaml:1: 'summary' is missing",
            "course.yaml:1: 'training_hours' is missing",
            "course.yaml:1: 'modules' is missing",
        ]

    def test_yaml_syntax_error_gives_the_line(self, tmp_path: Path) -> None:
        bad = "id: kiem-tra\ntitle: Kiểm tra: học phần\nquestions: []\n"
        folder = write_course(tmp_path, files={"m1/kiem-tra.yaml": bad})
        [problem] = problems(folder)
        assert problem.startswith("m1/kiem-tra.yaml:2: not valid YAML")

    def test_every_problem_of_every_file_is_reported_at_once(self, tmp_path: Path) -> None:
        quiz = """\
        id: kiem-tra-mot
        title: Kiểm tra
        questions:
          - id: Câu 1
            type: single_choice
            text: Chọn?
            choices:
              - {id: a, text: A, correct: true}
              - {id: a, text: B, correct: true}
            explanation: Vì.
          - id: cau-2
            type: essay
            text: Viết?
            explanation: Vì.
        """
        lesson = "---\nid: bai-hai\n---\n\n# Tiêu đề cấp một\n\n![](https://example.com/x.png)\n"
        folder = write_course(tmp_path, files={"m1/kiem-tra.yaml": quiz, "m1/bai-hai.md": lesson})
        assert problems(folder) == [
            "m1/bai-hai.md:2: 'title' is missing",
            "m1/bai-hai.md: line 5: use '##' for headings; the lesson title is the page's only top heading",
            "m1/bai-hai.md: image 'https://example.com/x.png': images must be files inside the course "
            "folder, so pages never load anything from another site",
            "m1/kiem-tra.yaml:4: questions[1].id: 'Câu 1' is not a valid id: use a-z, 0-9 and '-', "
            "at most 80 characters, no accents",
            "m1/kiem-tra.yaml:9: questions[1].choices[2].id: the choice id 'a' is used twice",
            "m1/kiem-tra.yaml:7: questions[1].choices: a single_choice question needs exactly one choice "
            "with 'correct: true' (found 2)",
            "m1/kiem-tra.yaml:12: questions[2].type: 'essay' is not a question type; use one of: "
            "single_choice, multiple_choice, true_false, short_answer, matching",
        ]

    def test_missing_files_and_duplicate_ids_across_the_course(self, tmp_path: Path) -> None:
        folder = write_course(tmp_path)
        yaml_text = (folder / "course.yaml").read_text(encoding="utf-8")
        yaml_text = yaml_text.replace(
            "      - m1/bai-hai.md\n",
            "      - m1/bai-hai.md\n      - m1/khong-co.md\n      - m1/bai-mot.md\n",
        )
        (folder / "course.yaml").write_text(yaml_text, encoding="utf-8")
        assert problems(folder) == [
            "course.yaml:17: modules[1].lessons[3]: the file 'm1/khong-co.md' does not exist",
            "m1/bai-mot.md:2: id: the id 'bai-mot' is already used by a lesson of this course",
        ]

    def test_paths_may_not_leave_the_course_folder(self, tmp_path: Path) -> None:
        (tmp_path / "secret.md").write_text("---\nid: s\ntitle: S\n---\n", encoding="utf-8")
        folder = write_course(tmp_path)
        text = (folder / "course.yaml").read_text(encoding="utf-8").replace("m1/bai-hai.md", "../secret.md")
        (folder / "course.yaml").write_text(text, encoding="utf-8")
        assert problems(folder) == [
            "course.yaml:16: modules[1].lessons[2]: '../secret.md' is outside the course folder"
        ]

    def test_image_that_is_not_what_its_name_says(self, tmp_path: Path) -> None:
        folder = write_course(tmp_path, files={"m1/hinh/so-do.png": b"<svg onload=alert(1)>"})
        assert problems(folder) == ["m1/hinh/so-do.png: the file is not really image/png"]

    def test_non_utf8_file(self, tmp_path: Path) -> None:
        folder = write_course(
            tmp_path, files={"m1/bai-hai.md": "---\nid: bai-hai\ntitle: Bài\n---\n".encode("cp1258")}
        )
        [problem] = problems(folder)
        assert problem == "m1/bai-hai.md:3: not UTF-8 text (byte 24); save the file as UTF-8"


class TestRealCourses:
    """The shipped courses meet the content bar: ≥4 modules, 3 lessons each, a quiz of ≥8 questions
    with every question type."""

    @pytest.mark.parametrize("folder", find_course_dirs(COURSES), ids=lambda p: p.name)
    def test_course_is_valid_and_complete(self, folder: Path) -> None:
        spec = parse_course_dir(folder)
        assert len(spec.modules) >= 4
        assert spec.training_minutes > 0
        for module in spec.modules:
            assert len(module.lessons) >= 3, module.id
            assert module.quiz is not None and len(module.quiz.questions) >= 8, module.id
            kinds = {q.kind for q in module.quiz.questions}
            assert kinds == {
                "single_choice",
                "multiple_choice",
                "true_false",
                "short_answer",
                "matching",
            }, module.id

    def test_the_three_courses_are_there(self) -> None:
        assert [p.name for p in find_course_dirs(COURSES)] == [
            "giao-tiep-tren-moi-truong-mang",
            "ky-nang-cntt-co-ban",
            "xu-ly-ho-so-truc-tuyen-mot-cua",
        ]
