"""Item analysis of a quiz in a class, for coordinators: per question, how many got it right, how
well it separates strong from weak attempts, and the wrong answer given most often. It shows
which lessons need work, and which questions are unclear.

Discrimination is the upper-lower index: the share right among the best 27% of attempts minus
the share among the weakest 27% (from −1 to 1; below 0.2 the question tells little)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses.models import Question, Quiz
from app.errors import NotFound
from app.i18n import N_, format_number, translations
from app.quizzes.models import AttemptAnswer, AttemptStatus, QuizAttempt
from app.text import excel_safe

GROUP_SHARE = 0.27


@dataclass(frozen=True)
class ItemRow:
    question_id: int
    slug: str
    kind: str
    text: str
    answered: int
    right: int
    mean_credit: float
    discrimination: float | None
    common_wrong: str | None
    common_wrong_count: int


@dataclass(frozen=True)
class Analysis:
    attempts: int
    officers: int
    mean_percent: float | None
    pass_rate: float | None
    items: list[ItemRow]


def analyse(session: Session, *, quiz_id: int, classroom_id: int, language: str) -> Analysis:
    """The caller has checked that the actor manages the class."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None:
        raise NotFound("No quiz with this address.")
    graded = (
        QuizAttempt.quiz_id == quiz_id,
        QuizAttempt.classroom_id == classroom_id,
        QuizAttempt.status == AttemptStatus.GRADED,
    )
    attempts = session.execute(
        select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.score_percent, QuizAttempt.passed).where(
            *graded
        )
    ).all()
    scores = {a.id: float(a.score_percent or 0) for a in attempts}
    by_question: dict[int, list[tuple[int, Any, float]]] = {}
    for attempt_id, question_id, answer, credit in session.execute(
        select(
            AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.answer, AttemptAnswer.credit
        )
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(*graded)
    ):
        by_question.setdefault(question_id, []).append((attempt_id, answer, float(credit or 0)))
    ranked = sorted(scores, key=lambda a: scores[a])
    size = max(1, round(len(ranked) * GROUP_SHARE))
    lower, upper = set(ranked[:size]), set(ranked[-size:])
    questions = session.scalars(
        select(Question).where(Question.quiz_id == quiz_id).order_by(Question.position)
    )
    items = []
    for question in questions:
        given = by_question.get(question.id, [])
        if not given and question.retired:
            continue
        items.append(_item(question, given, lower, upper, enough=len(ranked) >= 4, language=language))
    return Analysis(
        attempts=len(attempts),
        officers=len({a.user_id for a in attempts}),
        mean_percent=round(sum(scores.values()) / len(scores), 1) if scores else None,
        pass_rate=round(100 * sum(1 for a in attempts if a.passed) / len(attempts), 1) if attempts else None,
        items=items,
    )


def _item(
    question: Question,
    given: list[tuple[int, Any, float]],
    lower: set[int],
    upper: set[int],
    *,
    enough: bool,
    language: str,
) -> ItemRow:
    right = sum(1 for _, _, credit in given if credit >= 1)
    mean = sum(credit for _, _, credit in given) / len(given) if given else 0.0

    def share(group: set[int]) -> float:
        rows = [credit for attempt_id, _, credit in given if attempt_id in group]
        return sum(rows) / len(rows) if rows else 0.0

    wrong = Counter(_label(question, answer, language) for _, answer, credit in given if credit < 1)
    common = wrong.most_common(1)
    return ItemRow(
        question.id,
        question.slug,
        question.kind,
        question.text,
        len(given),
        right,
        round(mean, 3),
        round(share(upper) - share(lower), 2) if enough and given else None,
        common[0][0] if common else None,
        common[0][1] if common else 0,
    )


def _label(question: Question, answer: Any, language: str) -> str:
    """A wrong answer in words, so the coordinator sees what officers believed."""
    spec = question.spec
    if question.kind in ("single_choice", "multiple_choice"):
        texts = {c["id"]: c["text"] for c in spec.get("choices", [])}
        ids = [answer] if isinstance(answer, str) else list(answer or [])
        return "; ".join(texts.get(i, i) for i in ids)
    if question.kind == "true_false":
        return translations(language).gettext(N_("True") if answer else N_("False"))
    if question.kind == "matching" and isinstance(answer, dict):
        lefts = {p["id"]: p["left"] for p in spec.get("pairs", [])}
        return "; ".join(f"{lefts.get(k, k)} → {v}" for k, v in sorted(answer.items()))
    return str(answer)


HEADERS = (
    N_("Question"),
    N_("Type"),
    N_("Answered"),
    N_("Fully right"),
    N_("Average credit (per cent)"),
    N_("Discrimination"),
    N_("Most common wrong answer"),
    N_("Times given"),
)


def analysis_csv(analysis: Analysis, *, language: str) -> Iterator[str]:
    """The item table as CSV for Excel: UTF-8 with a byte-order mark."""
    t = translations(language).gettext
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t(h) for h in HEADERS])
    for item in analysis.items:
        writer.writerow(
            [
                excel_safe(item.text),
                t(item.kind),
                item.answered,
                item.right,
                format_number(100 * item.mean_credit, 0),
                "" if item.discrimination is None else format_number(item.discrimination, 2),
                excel_safe(item.common_wrong or ""),
                item.common_wrong_count,
            ]
        )
    yield "\ufeff" + buffer.getvalue()
