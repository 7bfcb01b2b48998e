"""The checker's warnings (courses/README.md, "Cảnh báo chất lượng"): each one on a small course
that triggers it and one that does not."""

import json
from pathlib import Path
from typing import Any

import pytest

from app.courses.content import ContentInvalid, parse_course_dir
from app.courses.glossary import Glossary, load_glossary
from app.courses.quality import CourseWarning
from app.courses.review import CourseReview, review_course

COURSE = """\
id: khoa-kiem-thu
version: 1
language: vi
title: {{vi: Khoá kiểm thử, en: A test course}}
summary: {{vi: Dùng cho kiểm thử., en: Used by the tests.}}
training_hours: {hours}
modules:
  - id: hoc-phan-mot
    title: Học phần một
    lessons: [m1/bai.md]
    quiz: m1/kiem-tra.yaml
{more}"""
LESSON = "---\nid: bai{suffix}\ntitle: Bài học\n{minutes}---\n\n{body}\n"


def single(qid: str, key: str, *wrong: str, text: str = "Anh Hùng nên làm gì trước?") -> dict[str, Any]:
    choices = [{"id": "a", "text": key, "correct": True}]
    choices += [{"id": chr(ord("b") + i), "text": w} for i, w in enumerate(wrong)]
    return {"id": qid, "type": "single_choice", "text": text, "choices": choices, "explanation": "Vì."}


def multiple(qid: str, right: list[str], wrong: list[str]) -> dict[str, Any]:
    choices = [{"id": f"d{i}", "text": t, "correct": True} for i, t in enumerate(right)]
    choices += [{"id": f"s{i}", "text": t} for i, t in enumerate(wrong)]
    return {"id": qid, "type": "multiple_choice", "text": "Chọn các việc nên làm.", "choices": choices,
            "explanation": "Vì."}  # fmt: skip


def true_false(qid: str, answer: bool) -> dict[str, Any]:
    return {"id": qid, "type": "true_false", "text": "Nhận định này đúng không?", "answer": answer,
            "explanation": "Vì."}  # fmt: skip


def short(
    qid: str, answers: list[str], *, text: str = "Gọi ô đó là gì?", accents: bool = True
) -> dict[str, Any]:
    question = {"id": qid, "type": "short_answer", "text": text, "answers": answers, "explanation": "Vì."}
    return question | ({"ignore_accents": True} if accents else {})


SOUND = single("cau-tot", "Gọi lại số máy bàn", "Trả lời ngay thư điện tử", "Bấm vào đường dẫn")


def write(
    root: Path,
    questions: list[dict[str, Any]],
    *,
    hours: str = "1",
    minutes: int | None = 30,
    body: str = "Nội dung bài học.",
    quiz: dict[str, Any] | None = None,
    more: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    """A one-module course whose hours match its content: a 30-minute lesson, a 30-minute quiz."""
    folder = root / "khoa-kiem-thu"
    settings = {"time_limit_minutes": 30} if quiz is None else quiz
    content = {
        "course.yaml": COURSE.format(hours=hours, more=more),
        "m1/bai.md": LESSON.format(
            suffix="", minutes="" if minutes is None else f"minutes: {minutes}\n", body=body
        ),
        "m1/kiem-tra.yaml": json.dumps(
            {"id": "kiem-tra-mot", "title": "Kiểm tra", **settings, "questions": questions},
            ensure_ascii=False,
            indent=2,
        ),
    } | (files or {})
    for name, text in content.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def review(folder: Path, glossary: Glossary | None = None) -> CourseReview:
    return review_course(folder, parse_course_dir(folder), glossary or Glossary())


def warnings(folder: Path, glossary: Glossary | None = None) -> list[CourseWarning]:
    return review(folder, glossary).warnings


def texts(folder: Path, glossary: Glossary | None = None) -> list[str]:
    return [str(w) for w in warnings(folder, glossary)]


class TestSoundCourse:
    def test_a_course_without_problems_has_no_warning(self, tmp_path: Path) -> None:
        assert warnings(write(tmp_path, [SOUND, true_false("d", True), short("n", ["Bcc"])])) == []


class TestKeyPredictableByLength:
    def test_key_longest_in_over_40_percent_of_single_choice_items_is_named_with_the_items(
        self, tmp_path: Path
    ) -> None:
        items = [
            single("mot", "Gọi lại số máy bàn ngay", "Trả lời ngay thư", "Bấm vào đường dẫn"),
            single("hai", "Báo bộ phận CNTT ngay", "Xoá thư đi rồi", "Chuyển cho cả phòng"),
            SOUND,
        ]
        assert texts(write(tmp_path, items)) == [
            "m1/kiem-tra.yaml: kiem-tra-mot: phương án đúng là phương án dài nhất ở 2/3 câu chọn một "
            "(67 %; tối đa 40 %): mot, hai. Người làm bài đoán được đáp án bằng cách chọn câu dài nhất: "
            "ở vài câu, rút gọn phương án đúng hoặc viết một phương án sai đầy đủ, cụ thể và dài hơn nó."
        ]

    def test_key_longest_in_40_percent_or_fewer_items_or_in_fewer_than_3_items_is_fine(
        self, tmp_path: Path
    ) -> None:
        longest = single("mot", "Gọi lại số máy bàn ngay", "Trả lời ngay thư", "Bấm vào đường dẫn")
        other = single("ba", "Gọi lại", "Trả lời ngay thư", "Bấm vào đường dẫn")
        assert warnings(write(tmp_path / "a", [longest, SOUND, other])) == []
        two_longest = [longest, single("hai", "Báo bộ phận CNTT ngay", "Xoá thư đi rồi", "Chuyển cho phòng")]
        assert warnings(write(tmp_path / "b", two_longest)) == []

    def test_single_choice_key_at_least_one_and_a_half_times_every_wrong_option(self, tmp_path: Path) -> None:
        folder = write(tmp_path, [single("dai", "a" * 30, "b" * 20, "c" * 10)])
        found = warnings(folder)
        assert [(w.file, w.item) for w in found] == [("m1/kiem-tra.yaml", "dai")]
        assert found[0].line == (folder / "m1/kiem-tra.yaml").read_text().splitlines().index("    {") + 1
        assert found[0].message.startswith(
            "phương án đúng dài 30 ký tự, gấp 1,5 lần phương án sai dài nhất (20 ký tự; ngưỡng 1,5 lần)."
        )

    def test_single_choice_key_under_one_and_a_half_times_is_fine(self, tmp_path: Path) -> None:
        assert warnings(write(tmp_path, [single("dai", "a" * 29, "b" * 20, "c" * 10)])) == []

    def test_multiple_choice_whose_right_options_are_all_longer(self, tmp_path: Path) -> None:
        item = multiple("nhieu", ["a" * 12, "b" * 11], ["c" * 10, "d" * 9])
        assert [w.message[:40] for w in warnings(write(tmp_path, [item]))] == [
            "mọi phương án đúng đều dài hơn mọi phươn"
        ]

    def test_multiple_choice_with_a_wrong_option_as_long_as_a_right_one_is_fine(self, tmp_path: Path) -> None:
        item = multiple("nhieu", ["a" * 12, "b" * 11], ["c" * 11, "d" * 9])
        assert warnings(write(tmp_path, [item])) == []


class TestTrueFalseBalance:
    def test_quiz_and_course_with_too_few_true_keys(self, tmp_path: Path) -> None:
        items = [true_false(f"c{i}", i == 0) for i in range(4)]
        assert [(w.file, w.item, w.message[:52]) for w in warnings(write(tmp_path, items))] == [
            ("course.yaml", None, "1/4 câu đúng/sai của cả khoá học có đáp án là đúng ("),
            ("m1/kiem-tra.yaml", "kiem-tra-mot", "1/4 câu đúng/sai của bài kiểm tra có đáp án là đúng "),
        ]

    def test_too_many_true_keys_says_most_are_true(self, tmp_path: Path) -> None:
        items = [true_false(f"c{i}", i > 0) for i in range(4)]
        found = warnings(write(tmp_path, items))
        assert len(found) == 2
        assert "tức 75 %; cần từ 35 % đến 65 %" in found[0].message
        assert "phần lớn các câu đều đúng" in found[0].message

    def test_balanced_keys_or_fewer_than_four_items_are_fine(self, tmp_path: Path) -> None:
        assert warnings(write(tmp_path / "a", [true_false(f"c{i}", i < 2) for i in range(4)])) == []
        assert warnings(write(tmp_path / "b", [true_false(f"c{i}", False) for i in range(3)])) == []

    def test_course_counts_across_quizzes_each_below_the_minimum(self, tmp_path: Path) -> None:
        second = (
            "  - id: hoc-phan-hai\n    title: Học phần hai\n    lessons: [m2/bai.md]\n"
            "    quiz: m2/kiem-tra.yaml\n"
        )
        quiz = json.dumps(
            {"id": "kiem-tra-hai", "title": "Kiểm tra", "time_limit_minutes": 30,
             "questions": [true_false("x", False), true_false("y", False)]}
        )  # fmt: skip
        folder = write(
            tmp_path,
            [true_false("a", False), true_false("b", False)],
            hours="2",
            more=second,
            files={
                "m2/bai.md": LESSON.format(suffix="-hai", minutes="minutes: 30\n", body="Bài."),
                "m2/kiem-tra.yaml": quiz,
            },
        )  # fmt: skip
        assert [(w.file, w.message[:44]) for w in warnings(folder)] == [
            ("course.yaml", "0/4 câu đúng/sai của cả khoá học có đáp án l")
        ]


class TestTooFewWrongOptions:
    def test_single_and_multiple_choice_with_one_wrong_option(self, tmp_path: Path) -> None:
        items = [
            single("mot", "Gọi lại", "Trả lời"),
            multiple("nhieu", ["Một việc", "Hai việc"], ["Bốn việc nữa"]),
        ]
        found = warnings(write(tmp_path, items))
        assert [(w.item, w.message[:55]) for w in found] == [
            ("mot", "chỉ có 1 phương án sai; cần ít nhất 2. Thêm phương án s"),
            ("nhieu", "chỉ có 1 phương án sai; cần ít nhất 2. Thêm phương án s"),
        ]

    def test_two_wrong_options_are_enough(self, tmp_path: Path) -> None:
        items = [SOUND, multiple("nhieu", ["Một việc", "Hai việc"], ["Ba việc", "Bốn việc"])]
        assert warnings(write(tmp_path, items)) == []


class TestAnswerInTheStem:
    def test_short_answer_found_in_the_stem_ignoring_accents_and_case(self, tmp_path: Path) -> None:
        item = short("ngan", ["một cửa", "mot cua", "bộ phận một cửa"], text="Bộ phận MOT CUA nhận hồ sơ gì?")
        assert [w.message[:60] for w in warnings(write(tmp_path, [item]))] == [
            "câu trả lời được chấp nhận “một cửa” có sẵn trong câu hỏi (k"
        ]

    def test_short_answer_inside_a_longer_word_of_the_stem_is_fine(self, tmp_path: Path) -> None:
        assert warnings(write(tmp_path, [short("ngan", ["Bcc"], text="Ô nào giấu địa chỉ, Bccx?")])) == []

    def test_single_choice_key_written_in_the_stem(self, tmp_path: Path) -> None:
        item = single(
            "de", "Gọi lại số máy bàn", "Trả lời thư", "Bấm đường dẫn", text="Nên gọi lại số máy bàn không?"
        )
        assert [w.message[:50] for w in warnings(write(tmp_path, [item]))] == [
            "phương án đúng “Gọi lại số máy bàn” có nguyên văn "
        ]

    def test_single_choice_key_of_one_word_in_the_stem_is_fine(self, tmp_path: Path) -> None:
        item = single("de", "Không", "Có, luôn", "Tuỳ người", text="Có nên bấm không?")
        assert warnings(write(tmp_path, [item])) == []


class TestShortAnswerVariants:
    def test_without_ignore_accents(self, tmp_path: Path) -> None:
        found = warnings(write(tmp_path, [short("ngan", ["Bcc"], accents=False)]))
        assert [w.message[:40] for w in found] == ["chưa có dòng ignore_accents: true, nên n"]

    def test_answers_of_several_words_need_three_forms(self, tmp_path: Path) -> None:
        found = warnings(write(tmp_path / "a", [short("ngan", ["72 giờ", "3 ngày"])]))
        assert [w.message[:62] for w in found] == [
            "có câu trả lời nhiều chữ nhưng chỉ 2 cách viết được chấp nhận;"
        ]
        assert warnings(write(tmp_path / "b", [short("ngan", ["72 giờ", "72 tiếng", "3 ngày"])])) == []


GLOSSARY = """\
terms:
  - use: khoá
    avoid: [khóa]
    why: Đặt dấu như giao diện.
  - use: Bcc
    first: Bcc (gửi ẩn)
    avoid: [đồng gửi ẩn]
  - use: tôi
    avoid: [cháu xin]
    allow: [con cháu]
"""


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    (tmp_path / "thuat-ngu.yaml").write_text(GLOSSARY, encoding="utf-8")
    return load_glossary(tmp_path / "thuat-ngu.yaml")


class TestGlossary:
    def test_avoided_forms_in_lessons_and_quizzes_are_named_with_file_and_line(
        self, tmp_path: Path, glossary: Glossary
    ) -> None:
        body = "Mở đầu.\n\nHọc xong Khóa này,\nbạn dùng ô đồng\ngửi ẩn. Cháu xin phép."
        item = short("ngan", ["Bcc (gửi ẩn)", "đồng gửi ẩn", "gửi ẩn"], text="Ô nào? Đừng ghi khóa.")
        folder = write(tmp_path / "c", [item], body=body)
        quiz = (folder / "m1/kiem-tra.yaml").read_text(encoding="utf-8").splitlines()
        line = next(n for n, text in enumerate(quiz, 1) if "khóa" in text)
        assert texts(folder, glossary) == [
            "m1/bai.md:9: viết “Khóa”; các khoá học thống nhất viết “khoá”. Đặt dấu như giao diện.",
            "m1/bai.md:10: viết “đồng gửi ẩn”; các khoá học thống nhất viết “Bcc”.",
            "m1/bai.md:11: viết “Cháu xin”; các khoá học thống nhất viết “tôi”.",
            f"m1/kiem-tra.yaml:{line}: viết “khóa”; các khoá học thống nhất viết “khoá”. "
            "Đặt dấu như giao diện.",
        ]

    def test_whole_words_and_allowed_phrases_are_fine(self, tmp_path: Path, glossary: Glossary) -> None:
        body = "Con cháu xin giấy khai sinh. Chữ khóax không phải từ cần tránh."
        assert warnings(write(tmp_path / "c", [SOUND], body=body), glossary) == []

    def test_first_use_must_be_the_long_form(self, tmp_path: Path, glossary: Glossary) -> None:
        short_first = write(tmp_path / "a", [SOUND], body="Dùng ô Bcc.\n\nÔ Bcc (gửi ẩn) giấu địa chỉ.")
        assert texts(short_first, glossary) == [
            "m1/bai.md:7: lần đầu khoá học nhắc tới “Bcc”, viết đầy đủ “Bcc (gửi ẩn)”; "
            "những lần sau viết “Bcc”."
        ]
        long_first = write(tmp_path / "b", [SOUND], body="Dùng ô **Bcc** (gửi ẩn).\n\nÔ Bcc giấu địa chỉ.")
        assert warnings(long_first, glossary) == []

    def test_a_bad_entry_is_an_error_naming_its_line(self, tmp_path: Path) -> None:
        (tmp_path / "thuat-ngu.yaml").write_text(
            "terms:\n  - use: Bcc\n    first: gửi ẩn\n  - use: x\n    avoid: [y]\n    note: z\n",
            encoding="utf-8",
        )
        with pytest.raises(ContentInvalid) as caught:
            load_glossary(tmp_path / "thuat-ngu.yaml")
        assert [str(e) for e in caught.value.errors] == [
            "thuat-ngu.yaml:3: terms[1].first: must start with 'Bcc', the form used after the first time",
            "thuat-ngu.yaml:6: terms[2].note: 'note' is not a field of a term; "
            "use: use, avoid, allow, first, why",
        ]

    def test_the_shipped_glossary_loads(self) -> None:
        glossary = load_glossary(Path(__file__).resolve().parents[2] / "courses" / "thuat-ngu.yaml")
        assert {"khoá", "chứng thư chữ ký số", "đường liên kết", "Bcc"} <= {t.use for t in glossary.terms}


class TestHours:
    def test_hours_within_a_quarter_of_the_content_are_fine(self, tmp_path: Path) -> None:
        # 60 minutes of content: 0.8 and 1.25 hours are each off by exactly a quarter or less.
        assert warnings(write(tmp_path / "a", [SOUND], hours="0.8")) == []
        assert warnings(write(tmp_path / "b", [SOUND], hours="1.25")) == []

    def test_stated_hours_more_than_a_quarter_off(self, tmp_path: Path) -> None:
        found = texts(write(tmp_path, [SOUND], hours="1.5"))
        assert found == [
            "course.yaml: training_hours: ghi 1,5 giờ nhưng nội dung tính ra 60 phút (1 giờ), lệch 33 % "
            "(tối đa 25 %). Ghi số giờ đúng với nội dung, hoặc viết thêm bài học, bài tập xứng với số "
            "giờ đã ghi."
        ]

    def test_a_quiz_without_a_time_limit_counts_90_seconds_per_question_drawn(self, tmp_path: Path) -> None:
        items = [single(f"c{i}", "Gọi lại", "Trả lời thư", "Bấm đường dẫn") for i in range(20)]
        # 30 + 1.5 × 20 = 60 minutes; drawing 8 makes it 42, more than a quarter below 1 hour.
        assert warnings(write(tmp_path / "a", items, quiz={})) == []
        drawn = texts(write(tmp_path / "b", items, quiz={"draw": 8}))
        assert len(drawn) == 1 and "nội dung tính ra 42 phút (0,7 giờ), lệch 30 %" in drawn[0]

    def test_a_lesson_without_minutes(self, tmp_path: Path) -> None:
        found = warnings(write(tmp_path, [SOUND], hours="0.5", minutes=None))
        assert [(w.file, w.item, w.message[:36]) for w in found] == [
            ("m1/bai.md", "bai", "bài học chưa ghi minutes: ghi số phú")
        ]


class TestSummary:
    def test_one_line_with_counts_minutes_hours_and_pictures(self, tmp_path: Path) -> None:
        body = " ".join(["chữ"] * 650)
        items = [SOUND, SOUND | {"id": "hai"}, true_false("d", True), short("n", ["Bcc"])]
        assert review(write(tmp_path, items, body=body, hours="3")).summary == (
            "khoa-kiem-thu: 1 học phần, 1 bài học, 4 câu hỏi (2 chọn một, 1 đúng/sai, 1 trả lời ngắn); "
            "nội dung 60 phút (bài học 30, đọc hết chữ khoảng 4–5) ≈ 1 giờ, ghi 3 giờ; 0 hình; 1 cảnh báo"
        )
