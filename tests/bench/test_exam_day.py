import random
from collections import Counter
from pathlib import Path

from app.courses.content import parse_course_dir
from app.quizzes.grading import normalise_answer, public_view
from bench.exam_day import answer_for
from bench.exam_setup import QUIZ, write_course


def test_the_exam_course_is_valid_with_twenty_questions_of_every_kind(tmp_path: Path) -> None:
    spec = parse_course_dir(write_course(tmp_path))
    (quiz,) = [q for m in spec.modules if (q := m.quiz) is not None]
    assert quiz.id == QUIZ and len(quiz.questions) == 20
    assert set(Counter(q.kind for q in quiz.questions)) == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "matching",
    }


def test_every_generated_answer_is_one_the_server_keeps(tmp_path: Path) -> None:
    spec = parse_course_dir(write_course(tmp_path))
    rng = random.Random(1)
    for module in spec.modules:
        for question in module.quiz.questions if module.quiz else ():
            view = public_view(question.kind, question.spec, rng=rng, shuffle_choices=True)
            for _ in range(20):
                answer = answer_for(rng, question.kind, view)
                assert normalise_answer(question.kind, question.spec, answer) is not None
