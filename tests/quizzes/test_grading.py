import json
import random
import textwrap
import unicodedata
from typing import Any

import pytest

from app.courses.checks import Checker
from app.courses.quizfile import QUESTION_KINDS, parse_quiz
from app.courses.yamlnodes import load_with_lines
from app.quizzes.grading import KINDS, correct_view, grade, normalise_answer, public_view


def choices(*correct: str) -> list[dict[str, Any]]:
    texts = {"a": "Thư công vụ", "b": "Chữ ký số", "c": "Mạng xã hội", "d": "USB cá nhân"}
    return [{"id": cid, "text": text, "correct": cid in correct} for cid, text in texts.items()]


SINGLE = {"choices": choices("b")}
MULTI = {"choices": choices("a", "b"), "scoring": "all_or_nothing"}
PARTIAL = {"choices": choices("a", "b"), "scoring": "partial"}
TRUE_FALSE = {"answer": False}
SHORT = {"answers": ["một cửa", "Bộ phận một cửa"], "ignore_accents": False}
SHORT_FOLDED = {"answers": ["đăng ký"], "ignore_accents": True}
PAIRS = [
    {"id": "gui", "left": "Gửi công văn cho sở", "right": "Thư công vụ"},
    {"id": "ky", "left": "Xác nhận văn bản điện tử", "right": "Chữ ký số"},
    {"id": "luu", "left": "Giữ bản sao ở nơi khác", "right": "Ổ sao lưu"},
]
MATCHING = {"pairs": PAIRS, "distractors": ["Đăng lên mạng xã hội"], "scoring": "all_or_nothing"}
MATCHING_PARTIAL = {**MATCHING, "scoring": "partial"}
RIGHT = {"gui": "Thư công vụ", "ky": "Chữ ký số", "luu": "Ổ sao lưu"}

EVERY = [
    ("single_choice", SINGLE),
    ("multiple_choice", MULTI),
    ("multiple_choice", PARTIAL),
    ("true_false", TRUE_FALSE),
    ("short_answer", SHORT),
    ("short_answer", SHORT_FOLDED),
    ("matching", MATCHING),
    ("matching", MATCHING_PARTIAL),
]
ODD_INPUT: list[object] = [
    None,
    0,
    1,
    1.5,
    "",
    "   ",
    "x",
    b"a",
    [],
    [None],
    [["a"]],
    ["a", "b", "z"],
    {},
    {"gui": None},
    {"gui": ["x", "y"]},
    {1: "Thư công vụ"},
    {"a"},
    object(),
]


class TestSpecsAreWhatTheParserBuilds:
    def test_the_shapes_used_here_come_out_of_a_quiz_file(self) -> None:
        quiz_file = """\
        id: kiem-tra
        title: Kiểm tra
        questions:
          - {id: q1, type: multiple_choice, text: Chọn, explanation: Vì, scoring: partial,
             choices: [{id: a, text: Thư công vụ, correct: true}, {id: b, text: Chữ ký số, correct: true},
                       {id: c, text: Mạng xã hội}, {id: d, text: USB cá nhân}]}
          - {id: q2, type: true_false, text: "Đúng?", explanation: Vì, answer: false}
          - {id: q3, type: short_answer, text: "Gì?", explanation: Vì, answers: [một cửa, Bộ phận một cửa]}
          - id: q4
            type: matching
            text: Ghép
            explanation: Vì
            pairs:
              - {id: gui, left: Gửi công văn cho sở, right: Thư công vụ}
              - {id: ky, left: Xác nhận văn bản điện tử, right: Chữ ký số}
              - {id: luu, left: Giữ bản sao ở nơi khác, right: Ổ sao lưu}
            distractors: [Đăng lên mạng xã hội]
        """
        data, lines = load_with_lines(textwrap.dedent(quiz_file))
        check = Checker("kiem-tra.yaml", lines)
        quiz = parse_quiz(data, check)
        assert check.errors == [] and quiz is not None
        assert [q.spec for q in quiz.questions] == [PARTIAL, TRUE_FALSE, SHORT, MATCHING]

    def test_every_kind_of_the_parser_can_be_graded(self) -> None:
        assert KINDS == QUESTION_KINDS


class TestSingleChoice:
    def test_only_the_correct_id_earns_credit(self) -> None:
        assert grade("single_choice", SINGLE, "b") == 1.0
        assert grade("single_choice", SINGLE, "a") == 0.0
        assert grade("single_choice", SINGLE, "z") == 0.0

    @pytest.mark.parametrize("answer", [None, "", " b", ["b"], True, 2, {"b": True}])
    def test_anything_but_a_choice_id_earns_nothing(self, answer: object) -> None:
        assert grade("single_choice", SINGLE, answer) == 0.0

    @pytest.mark.parametrize(("raw", "expected"), [(" b ", "b"), (["c"], "c"), ("a", "a")])
    def test_normalise_keeps_a_known_id(self, raw: object, expected: str) -> None:
        assert normalise_answer("single_choice", SINGLE, raw) == expected

    @pytest.mark.parametrize("raw", ["z", "", None, 1, ["a", "b"], {"a": "b"}, "A"])
    def test_normalise_drops_anything_else(self, raw: object) -> None:
        assert normalise_answer("single_choice", SINGLE, raw) is None


class TestMultipleChoice:
    def test_all_or_nothing_needs_exactly_the_correct_set(self) -> None:
        assert grade("multiple_choice", MULTI, ["b", "a"]) == 1.0
        assert grade("multiple_choice", MULTI, ["a", "b", "a"]) == 1.0
        assert grade("multiple_choice", MULTI, ["a"]) == 0.0
        assert grade("multiple_choice", MULTI, ["a", "b", "c"]) == 0.0
        assert grade("multiple_choice", MULTI, []) == 0.0

    @pytest.mark.parametrize(
        ("picked", "credit"),
        [
            (["a", "b"], 1.0),
            (["a"], 0.5),
            (["a", "b", "c"], 0.5),
            (["a", "c"], 0.0),
            (["c", "d"], 0.0),
            (["a", "b", "c", "d"], 0.0),
            ([], 0.0),
        ],
    )
    def test_partial_counts_right_picks_less_wrong_picks_floored_at_zero(
        self, picked: list[str], credit: float
    ) -> None:
        assert grade("multiple_choice", PARTIAL, picked) == credit

    @pytest.mark.parametrize("answer", ["a", ["a", "z"], [1], ("a", "b"), {"a", "b"}, None, {"a": True}])
    def test_a_malformed_answer_or_an_unknown_id_earns_nothing(self, answer: object) -> None:
        assert grade("multiple_choice", PARTIAL, answer) == 0.0

    def test_normalise_keeps_known_ids_once_in_file_order(self) -> None:
        assert normalise_answer("multiple_choice", MULTI, ["c", " a ", "a", "z", 5]) == ["a", "c"]
        assert normalise_answer("multiple_choice", MULTI, "b") == ["b"]
        assert normalise_answer("multiple_choice", MULTI, ("d",)) == ["d"]

    @pytest.mark.parametrize("raw", [[], ["z"], None, "", {"a": "a"}, 3])
    def test_normalise_returns_none_when_nothing_is_left(self, raw: object) -> None:
        assert normalise_answer("multiple_choice", MULTI, raw) is None


class TestTrueFalse:
    def test_the_right_boolean_earns_credit(self) -> None:
        assert grade("true_false", TRUE_FALSE, False) == 1.0
        assert grade("true_false", TRUE_FALSE, True) == 0.0
        assert grade("true_false", {"answer": True}, True) == 1.0

    @pytest.mark.parametrize("answer", [0, "false", None, [False], 0.0])
    def test_anything_but_a_boolean_earns_nothing(self, answer: object) -> None:
        assert grade("true_false", TRUE_FALSE, answer) == 0.0

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [(True, True), (False, False), (" TRUE ", True), ("false", False), (["false"], False)],
    )
    def test_normalise_reads_booleans_and_their_words(self, raw: object, expected: bool) -> None:
        assert normalise_answer("true_false", TRUE_FALSE, raw) is expected

    @pytest.mark.parametrize("raw", ["yes", "", "đúng", 1, 0, None, ["true", "false"]])
    def test_normalise_drops_other_input(self, raw: object) -> None:
        assert normalise_answer("true_false", TRUE_FALSE, raw) is None


class TestShortAnswer:
    @pytest.mark.parametrize(
        "answer",
        ["một cửa", "MỘT CỬA", "  một   cửa\t", "bộ phận MỘT cửa", unicodedata.normalize("NFD", "Một cửa")],
    )
    def test_case_spacing_and_unicode_form_do_not_matter(self, answer: str) -> None:
        assert grade("short_answer", SHORT, answer) == 1.0

    @pytest.mark.parametrize("answer", ["mot cua", "một cửa.", "cửa", "", "   ", None, ["một cửa"], 1])
    def test_accents_count_unless_the_question_ignores_them(self, answer: object) -> None:
        assert grade("short_answer", SHORT, answer) == 0.0

    @pytest.mark.parametrize("answer", ["đăng ký", "dang ky", "ĐĂNG KÝ", "Dăng kỷ", " dang  ky "])
    def test_ignore_accents_folds_marks_and_d_with_stroke(self, answer: str) -> None:
        assert grade("short_answer", SHORT_FOLDED, answer) == 1.0

    def test_ignore_accents_still_needs_the_letters(self) -> None:
        assert grade("short_answer", SHORT_FOLDED, "dang nhap") == 0.0

    def test_normalise_trims_collapses_and_composes(self) -> None:
        decomposed = unicodedata.normalize("NFD", "  Một   cửa \n")
        assert normalise_answer("short_answer", SHORT, decomposed) == "Một cửa"
        assert normalise_answer("short_answer", SHORT, ["thùng rác"]) == "thùng rác"

    def test_normalise_drops_control_and_invisible_characters(self) -> None:
        assert normalise_answer("short_answer", SHORT, "một\x00 cửa\u200b") == "một cửa"

    def test_normalise_caps_the_length(self) -> None:
        answer = normalise_answer("short_answer", SHORT, "á" * 499 + " b" + "c" * 5000)
        assert answer == "á" * 499
        assert normalise_answer("short_answer", SHORT, "x" * 600) == "x" * 500

    @pytest.mark.parametrize("raw", ["", "  \n ", "\x00", None, 5, ["a", "b"], {"x": "y"}])
    def test_normalise_returns_none_for_nothing_typed(self, raw: object) -> None:
        assert normalise_answer("short_answer", SHORT, raw) is None


class TestMatching:
    def test_every_pair_right_earns_full_credit(self) -> None:
        assert grade("matching", MATCHING, RIGHT) == 1.0
        assert grade("matching", MATCHING_PARTIAL, RIGHT) == 1.0

    def test_one_wrong_pair_costs_everything_or_its_share(self) -> None:
        answer = {**RIGHT, "luu": "Đăng lên mạng xã hội"}
        assert grade("matching", MATCHING, answer) == 0.0
        assert grade("matching", MATCHING_PARTIAL, answer) == pytest.approx(2 / 3)

    def test_an_unanswered_pair_is_a_wrong_pair(self) -> None:
        answer = {"gui": "Thư công vụ", "ky": "Chữ ký số"}
        assert grade("matching", MATCHING, answer) == 0.0
        assert grade("matching", MATCHING_PARTIAL, answer) == pytest.approx(2 / 3)

    def test_one_option_given_to_every_pair_is_right_once(self) -> None:
        answer = dict.fromkeys(RIGHT, "Chữ ký số")
        assert grade("matching", MATCHING_PARTIAL, answer) == pytest.approx(1 / 3)

    def test_swapped_pairs_are_both_wrong(self) -> None:
        answer = {**RIGHT, "gui": "Chữ ký số", "ky": "Thư công vụ"}
        assert grade("matching", MATCHING_PARTIAL, answer) == pytest.approx(1 / 3)

    @pytest.mark.parametrize(
        "answer",
        [
            {},
            {**RIGHT, "khac": "Thư công vụ"},
            {**RIGHT, "gui": None},
            {**RIGHT, "gui": ["Thư công vụ"]},
            list(RIGHT.values()),
            "Thư công vụ",
            None,
            {1: "Thư công vụ"},
        ],
    )
    def test_a_malformed_answer_or_an_unknown_pair_earns_nothing(self, answer: object) -> None:
        assert grade("matching", MATCHING_PARTIAL, answer) == 0.0

    def test_normalise_maps_typed_text_onto_the_option_as_written(self) -> None:
        raw = {
            "gui": " thư  CÔNG vụ ",
            "ky": ["Chữ ký số"],
            "luu": "đăng lên mạng xã hội",
            "khac": "Ổ sao lưu",
        }
        assert normalise_answer("matching", MATCHING, raw) == {
            "gui": "Thư công vụ",
            "ky": "Chữ ký số",
            "luu": "Đăng lên mạng xã hội",
        }

    def test_normalise_drops_text_that_is_no_option(self) -> None:
        raw = {"gui": "Thu cong vu", "ky": "Chữ ký số" + " " * 2000, "luu": "x" * 2000}
        assert normalise_answer("matching", MATCHING, raw) is None
        assert normalise_answer("matching", MATCHING, {"gui": "Thư công vụ", "ky": 3}) == {
            "gui": "Thư công vụ"
        }

    @pytest.mark.parametrize("raw", [None, [], "Thư công vụ", {}, {"khac": "Thư công vụ"}, {"gui": ""}])
    def test_normalise_returns_none_when_nothing_is_left(self, raw: object) -> None:
        assert normalise_answer("matching", MATCHING, raw) is None


class TestOddInput:
    @pytest.mark.parametrize(("kind", "spec"), EVERY)
    def test_odd_input_never_raises_and_normalises_to_something_gradable(
        self, kind: str, spec: dict[str, Any]
    ) -> None:
        for raw in ODD_INPUT:
            assert grade(kind, spec, raw) == 0.0, raw
            answer = normalise_answer(kind, spec, raw)
            assert answer is None or 0.0 <= grade(kind, spec, answer) <= 1.0

    def test_an_unknown_kind_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="essay"):
            grade("essay", {}, "x")
        with pytest.raises(ValueError, match="essay"):
            normalise_answer("essay", {}, "x")
        with pytest.raises(ValueError, match="essay"):
            public_view("essay", {}, rng=None, shuffle_choices=False)
        with pytest.raises(ValueError, match="essay"):
            correct_view("essay", {})


class TestPublicView:
    def test_choices_show_ids_and_texts_in_file_order_unless_shuffled(self) -> None:
        expected = [{"id": c["id"], "text": c["text"]} for c in SINGLE["choices"]]
        assert public_view("single_choice", SINGLE, rng=None, shuffle_choices=True) == {"choices": expected}
        plain = public_view("single_choice", SINGLE, rng=random.Random(1), shuffle_choices=False)
        assert plain == {"choices": expected}
        assert public_view("multiple_choice", PARTIAL, rng=None, shuffle_choices=False) == {
            "choices": expected,
            "scoring": "partial",
        }

    def test_shuffled_choices_follow_the_rng_so_a_reload_shows_the_same_order(self) -> None:
        def order(seed: int) -> list[str]:
            view = public_view("single_choice", SINGLE, rng=random.Random(seed), shuffle_choices=True)
            return [c["id"] for c in view["choices"]]

        assert order(7) == order(7)
        assert all(sorted(order(seed)) == ["a", "b", "c", "d"] for seed in range(20))
        assert len({tuple(order(seed)) for seed in range(20)}) > 5

    def test_true_false_and_short_answer_show_only_what_the_form_needs(self) -> None:
        assert public_view("true_false", TRUE_FALSE, rng=random.Random(1), shuffle_choices=True) == {}
        assert public_view("short_answer", SHORT, rng=None, shuffle_choices=False) == {"max_length": 500}

    def test_matching_options_are_sorted_the_vietnamese_way_without_an_rng(self) -> None:
        view = public_view("matching", MATCHING, rng=None, shuffle_choices=True)
        assert view == {
            "left": [{"id": p["id"], "text": p["left"]} for p in PAIRS],
            "options": ["Chữ ký số", "Đăng lên mạng xã hội", "Ổ sao lưu", "Thư công vụ"],
            "scoring": "all_or_nothing",
        }

    def test_matching_options_are_shuffled_whenever_an_rng_is_given(self) -> None:
        pair_order = [p["right"] for p in PAIRS]

        def view(seed: int, shuffle: bool) -> dict[str, Any]:
            return public_view("matching", MATCHING, rng=random.Random(seed), shuffle_choices=shuffle)

        orders = [tuple(view(seed, False)["options"]) for seed in range(40)]
        assert all(sorted(o) == sorted([*pair_order, "Đăng lên mạng xã hội"]) for o in orders)
        assert len(set(orders)) > 10
        # Without shuffle_choices the left-hand items keep the file's order; with it they move too.
        assert all(view(seed, False)["left"][0]["id"] == "gui" for seed in range(40))
        assert len({view(seed, True)["left"][0]["id"] for seed in range(40)}) == 3
        assert view(3, True) == view(3, True)

    @pytest.mark.parametrize(("kind", "spec"), EVERY)
    def test_no_correct_answer_leaks_into_what_the_learner_sees(
        self, kind: str, spec: dict[str, Any]
    ) -> None:
        views = [public_view(kind, spec, rng=None, shuffle_choices=False)]
        views += [
            public_view(kind, spec, rng=random.Random(seed), shuffle_choices=shuffle)
            for seed in range(30)
            for shuffle in (False, True)
        ]
        for view in views:
            text = json.dumps(view, ensure_ascii=False)
            for key in ('"correct"', '"answer"', '"answers"', '"right"', '"pairs"', '"ignore_accents"'):
                assert key not in text, (kind, key)
            for accepted in spec.get("answers", []):
                assert accepted not in text
            if kind == "matching":
                # The pairing: no object holds a left text and its right text together, and the
                # options are not, time after time, in pair order.
                for item in view["left"]:
                    assert set(item) == {"id", "text"}
        if kind == "matching":
            pair_order = [p["right"] for p in spec["pairs"]]
            in_pair_order = [v for v in views if v["options"][: len(pair_order)] == pair_order]
            assert len(in_pair_order) <= 6
            assert views[0]["options"][: len(pair_order)] != pair_order


class TestCorrectView:
    def test_each_kind_shows_its_answer_and_what_a_review_page_needs(self) -> None:
        assert correct_view("single_choice", SINGLE) == {"answer": "b", "choices": SINGLE["choices"]}
        assert correct_view("multiple_choice", PARTIAL) == {
            "answer": ["a", "b"],
            "choices": PARTIAL["choices"],
            "scoring": "partial",
        }
        assert correct_view("true_false", TRUE_FALSE) == {"answer": False}
        assert correct_view("short_answer", SHORT_FOLDED) == {
            "answer": "đăng ký",
            "answers": ["đăng ký"],
            "ignore_accents": True,
        }
        assert correct_view("matching", MATCHING) == {
            "answer": RIGHT,
            "pairs": PAIRS,
            "distractors": ["Đăng lên mạng xã hội"],
            "scoring": "all_or_nothing",
        }

    @pytest.mark.parametrize(("kind", "spec"), EVERY)
    def test_the_correct_answer_is_canonical_and_earns_full_credit(
        self, kind: str, spec: dict[str, Any]
    ) -> None:
        answer = correct_view(kind, spec)["answer"]
        assert normalise_answer(kind, spec, answer) == answer
        assert grade(kind, spec, answer) == 1.0
        json.dumps(correct_view(kind, spec))

    @pytest.mark.parametrize(("kind", "spec"), EVERY)
    def test_changing_a_view_leaves_the_spec_alone(self, kind: str, spec: dict[str, Any]) -> None:
        before = json.dumps(spec)
        for view in (
            correct_view(kind, spec),
            public_view(kind, spec, rng=random.Random(1), shuffle_choices=True),
        ):
            for value in view.values():
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, dict):
                            item.clear()
                    value.clear()
                elif isinstance(value, dict):
                    value.clear()
        assert json.dumps(spec) == before
