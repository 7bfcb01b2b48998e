"""Every question of the shipped courses, through the grading module: what a course author writes
must be gradable, and nothing of its answer may reach the learner before review."""

import json
import random

import pytest

from app.courses.quizfile import QuestionSpec
from app.quizzes.grading import correct_view, grade, normalise_answer, public_view
from tests.factories import real_course_specs


def shipped_questions() -> list[QuestionSpec]:
    return [
        question
        for course in real_course_specs()
        for module in course.modules
        if module.quiz is not None
        for question in module.quiz.questions
    ]


@pytest.mark.parametrize("question", shipped_questions(), ids=lambda q: q.id)
def test_the_correct_answer_earns_full_credit_and_stays_hidden(question: QuestionSpec) -> None:
    answer = correct_view(question.kind, question.spec)["answer"]
    assert normalise_answer(question.kind, question.spec, answer) == answer
    assert grade(question.kind, question.spec, answer) == 1.0
    shown = json.dumps(
        public_view(question.kind, question.spec, rng=random.Random(question.id), shuffle_choices=True),
        ensure_ascii=False,
    )
    assert '"correct"' not in shown and '"answer' not in shown and '"right"' not in shown
    for accepted in question.spec.get("answers", []):
        assert accepted not in shown
