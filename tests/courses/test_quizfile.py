import textwrap
import unicodedata

import pytest

from app.courses.checks import Checker
from app.courses.quizfile import QuizSpec, parse_quiz
from app.courses.yamlnodes import load_with_lines

HEAD = """\
id: kiem-tra
title: Kiểm tra
"""

ONE_QUESTION = """\
questions:
  - id: cau-mot
    type: true_false
    text: Đúng hay sai?
    answer: true
    explanation: Vì vậy.
"""

MATCHING = """\
questions:
  - id: ghep
    type: matching
    text: Ghép mỗi việc với công cụ phù hợp
    pairs:
      - {id: a, left: Gửi công văn, right: Thư công vụ}
      - {id: b, left: Ký văn bản, right: Chữ ký số}
    explanation: Vì vậy.
"""


def parse(text: str) -> tuple[QuizSpec | None, list[str]]:
    data, lines = load_with_lines(textwrap.dedent(text))
    check = Checker("kiem-tra.yaml", lines)
    quiz = parse_quiz(data, check)
    return quiz, [str(error) for error in check.errors]


def matching(body: str) -> str:
    """A quiz whose one matching question has `body` (indented as the question's fields)."""
    head = "questions:\n  - id: ghep\n    type: matching\n    text: Ghép\n    explanation: Vì vậy.\n"
    return HEAD + head + textwrap.indent(textwrap.dedent(body), "    ")


class TestMatching:
    def test_pairs_distractors_and_scoring_make_the_spec(self) -> None:
        quiz, errors = parse(
            matching("""\
            pairs:
              - {id: a, left: Gửi công văn, right: Thư công vụ}
              - {id: b, left: "  Ký văn bản ", right: Chữ ký số}
            distractors: [Mạng xã hội cá nhân, "USB"]
            scoring: partial
            """)
        )
        assert errors == []
        assert quiz is not None
        [question] = quiz.questions
        assert question.kind == "matching"
        assert question.spec == {
            "pairs": [
                {"id": "a", "left": "Gửi công văn", "right": "Thư công vụ"},
                {"id": "b", "left": "Ký văn bản", "right": "Chữ ký số"},
            ],
            "distractors": ["Mạng xã hội cá nhân", "USB"],
            "scoring": "partial",
        }

    def test_distractors_are_optional_and_scoring_defaults_to_all_or_nothing(self) -> None:
        quiz, errors = parse(HEAD + MATCHING)
        assert errors == [] and quiz is not None
        assert quiz.questions[0].spec["distractors"] == []
        assert quiz.questions[0].spec["scoring"] == "all_or_nothing"

    def test_texts_are_stored_in_nfc(self) -> None:
        decomposed = unicodedata.normalize("NFD", "Chữ ký số")
        quiz, _ = parse(HEAD + MATCHING.replace("Chữ ký số", decomposed))
        assert quiz is not None
        assert quiz.questions[0].spec["pairs"][1]["right"] == "Chữ ký số"

    def test_needs_two_pairs(self) -> None:
        _, errors = parse(matching("pairs:\n  - {id: a, left: A, right: B}\n"))
        assert errors == ["kiem-tra.yaml:8: questions[1].pairs: needs at least 2 item(s)"]

    def test_allows_at_most_ten_pairs(self) -> None:
        pairs = "".join(f"  - {{id: p{n}, left: Trái {n}, right: Phải {n}}}\n" for n in range(11))
        _, errors = parse(matching("pairs:\n" + pairs))
        assert errors == ["kiem-tra.yaml:8: questions[1].pairs: has 11 items; at most 10 are allowed"]

    def test_ids_and_texts_must_be_different_ignoring_case_and_spacing(self) -> None:
        _, errors = parse(
            matching("""\
            pairs:
              - {id: a, left: Gửi công văn, right: Thư công vụ}
              - {id: a, left: "gửi  CÔNG văn", right: Chữ ký số}
              - {id: c, left: Lưu hồ sơ, right: "THƯ CÔNG VỤ"}
            distractors: ["chữ ký số", Mạng xã hội]
            """)
        )
        assert errors == [
            "kiem-tra.yaml:10: questions[1].pairs[2].id: the pair id 'a' is used twice",
            "kiem-tra.yaml:10: questions[1].pairs[2].left: repeats the text of pairs[1].left; "
            "every left-hand text must be different",
            "kiem-tra.yaml:11: questions[1].pairs[3].right: repeats the text of pairs[1].right; "
            "every right-hand text must be different",
            "kiem-tra.yaml:12: questions[1].distractors[1]: repeats the text of pairs[2].right; "
            "every right-hand option must be different",
        ]

    def test_every_field_of_a_pair_is_checked(self) -> None:
        _, errors = parse(
            matching("""\
            pairs:
              - {id: A, left: Gửi công văn}
              - {id: b, left: "", right: [x]}
              - nothing
            """)
        )
        assert errors == [
            "kiem-tra.yaml:9: questions[1].pairs[1].id: 'A' is not a valid id: use a-z, 0-9 and '-', "
            "at most 80 characters, no accents",
            "kiem-tra.yaml:9: questions[1].pairs[1]: 'right' is missing",
            "kiem-tra.yaml:10: questions[1].pairs[2].left: must not be empty",
            "kiem-tra.yaml:10: questions[1].pairs[2].right: must be text",
            "kiem-tra.yaml:11: questions[1].pairs[3]: must be a set of 'key: value' lines",
        ]

    def test_missing_pairs_bad_distractors_and_scoring(self) -> None:
        _, errors = parse(
            matching(
                """\
            distractors:
              - ""
              - "x"
              - "%s"
            scoring: some
            """
                % ("y" * 301)
            )
        )
        assert errors == [
            "kiem-tra.yaml:4: questions[1]: 'pairs' is missing",
            "kiem-tra.yaml:9: questions[1].distractors[1]: must not be empty",
            "kiem-tra.yaml:11: questions[1].distractors[3]: is longer than 300 characters",
            "kiem-tra.yaml:12: questions[1].scoring: must be one of: all_or_nothing, partial",
        ]

    def test_distractors_must_be_a_short_list(self) -> None:
        pairs = "pairs:\n  - {id: a, left: A, right: B}\n  - {id: b, left: C, right: D}\n"
        _, errors = parse(matching(pairs + "distractors: Một\n"))
        assert errors == [
            "kiem-tra.yaml:11: questions[1].distractors: must be a list (lines starting with '- ')"
        ]
        many = "distractors: [" + ", ".join(f"Thừa {n}" for n in range(11)) + "]\n"
        _, errors = parse(matching(pairs + many))
        assert errors == ["kiem-tra.yaml:11: questions[1].distractors: has 11 items; at most 10 are allowed"]


class TestSettings:
    def test_defaults_when_the_file_sets_nothing(self) -> None:
        quiz, errors = parse(HEAD + ONE_QUESTION)
        assert errors == [] and quiz is not None
        assert (quiz.time_limit_minutes, quiz.max_attempts, quiz.grading, quiz.draw) == (
            None,
            None,
            "highest",
            None,
        )
        assert (quiz.shuffle_questions, quiz.shuffle_choices, quiz.review) == (False, False, "immediately")

    def test_every_setting_is_read(self) -> None:
        settings = """\
        time_limit_minutes: 15
        max_attempts: 3
        grading: last
        draw: 1
        shuffle_questions: true
        shuffle_choices: true
        review: after_passing
        """
        quiz, errors = parse(HEAD + textwrap.dedent(settings) + MATCHING)
        assert errors == [] and quiz is not None
        assert (quiz.time_limit_minutes, quiz.max_attempts, quiz.grading, quiz.draw) == (15, 3, "last", 1)
        assert (quiz.shuffle_questions, quiz.shuffle_choices, quiz.review) == (True, True, "after_passing")

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("time_limit_minutes: 0", "time_limit_minutes: must be a whole number from 1 to 600"),
            ("time_limit_minutes: 601", "time_limit_minutes: must be a whole number from 1 to 600"),
            ("time_limit_minutes: 12.5", "time_limit_minutes: must be a whole number from 1 to 600"),
            ("max_attempts: 0", "max_attempts: must be a whole number from 1 to 100"),
            ("max_attempts: 101", "max_attempts: must be a whole number from 1 to 100"),
            ("max_attempts: true", "max_attempts: must be a whole number from 1 to 100"),
            ("grading: average", "grading: must be one of: highest, last"),
            ("draw: 0", "draw: must be a whole number from 1 to 2"),
            ("draw: 3", "draw: must be a whole number from 1 to 2"),
            ("shuffle_questions: yes please", "shuffle_questions: must be true or false"),
            ("shuffle_choices: 1", "shuffle_choices: must be true or false"),
            ("review: later", "review: must be one of: immediately, after_passing, after_close, never"),
        ],
    )
    def test_values_out_of_range_are_reported_on_their_line(self, line: str, message: str) -> None:
        two_questions = ONE_QUESTION + ONE_QUESTION.replace("questions:\n", "").replace("cau-mot", "cau-hai")
        quiz, errors = parse(HEAD + line + "\n" + two_questions)
        assert quiz is None
        assert errors == [f"kiem-tra.yaml:3: {message}"]

    def test_a_mistyped_setting_is_reported_not_ignored(self) -> None:
        quiz, errors = parse(HEAD + "time_limit: 15\n" + ONE_QUESTION)
        assert quiz is None
        assert errors == [
            "kiem-tra.yaml:3: time_limit: 'time_limit' is not a field of a quiz; use one of: id, title, "
            "pass_mark, time_limit_minutes, max_attempts, grading, draw, shuffle_questions, "
            "shuffle_choices, review, questions"
        ]
