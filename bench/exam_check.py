"""After the exam-day run, the database is read directly to check what the server acknowledged:
every acknowledged answer is stored (the last one sent for its question), every officer has one
attempt, and every submitted attempt was graded once, with points that follow from its answers."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.courses.models import Quiz
from app.db import transaction
from app.quizzes.grading import grade, normalise_answer
from app.quizzes.models import AttemptAnswer, QuizAttempt
from app.quizzes.settings import QuizSettings

# A few examples of each kind of problem are enough to start looking.
EXAMPLES = 5


@dataclass
class Acknowledged:
    """What the server answered 200 to, as the load generator saw it."""

    # officer code → attempt id, from the start responses
    attempts: dict[str, int] = field(default_factory=dict)
    # (attempt id, question id, answer sent), in the order the acknowledgements arrived
    saves: list[tuple[int, int, Any]] = field(default_factory=list)
    # attempt id → (status, score_percent), from the submit responses
    submits: dict[int, tuple[str, float | None]] = field(default_factory=dict)
    # Requests that got no response (a timeout, a dropped connection): either outcome is right.
    unknown_starts: set[str] = field(default_factory=set)
    unknown_saves: set[tuple[int, int]] = field(default_factory=set)
    unknown_submits: set[int] = field(default_factory=set)


@dataclass
class Verification:
    officers: int = 0
    attempts: int = 0
    graded: int = 0
    answers_stored: int = 0
    answers_checked: int = 0
    # What the database holds against what it acknowledged: any of these fails the run.
    problems: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    # Work that stopped where a request was refused, consistently: counted, not a failure.
    unfinished: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, kind: str, example: str) -> None:
        self.problems[kind] += 1
        if self.problems[kind] <= EXAMPLES:
            self.examples.append(f"{kind}: {example}")


def verify(codes: list[str], quiz_slug: str, acked: Acknowledged) -> Verification:
    result = Verification(officers=len(codes))
    with transaction() as session:
        quiz_id = session.scalar(select(Quiz.id).where(Quiz.slug == quiz_slug))
        user_ids = dict(session.execute(select(User.officer_code, User.id)).tuples().all())
        attempts = {
            a.id: a for a in session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id))
        }
        stored: dict[tuple[int, int], AttemptAnswer] = {
            (row.attempt_id, row.question_id): row
            for row in session.scalars(
                select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(list(attempts)))
            )
        }
    result.attempts = len(attempts)
    result.answers_stored = len(stored)
    per_user: defaultdict[int, list[QuizAttempt]] = defaultdict(list)
    for attempt in attempts.values():
        per_user[attempt.user_id].append(attempt)
    for code in codes:
        mine = per_user.get(user_ids.get(code, -1), [])
        started = acked.attempts.get(code)
        if len(mine) > 1:
            result.problem("officer with more than one attempt", f"{code}: {sorted(a.id for a in mine)}")
        elif started is not None and [a.id for a in mine] != [started]:
            result.problem("acknowledged start without its attempt", f"{code}: attempt {started}")
        elif started is None and mine and code in acked.unknown_starts:
            result.unfinished["attempts started by a request that got no response"] += 1
        elif started is None and mine:
            result.problem("attempt whose start was refused", f"{code}: attempt {mine[0].id}")
        elif started is None:
            result.unfinished["officers who never started (their login or start failed)"] += 1

    last: dict[tuple[int, int], Any] = {}
    for attempt_id, question_id, sent in acked.saves:
        last[(attempt_id, question_id)] = sent
    for key, sent in last.items():
        owner = attempts.get(key[0])
        row = stored.get(key)
        if owner is None or row is None:
            result.problem("acknowledged answer missing", f"attempt {key[0]}, question {key[1]}")
            continue
        item = next(i for i in owner.layout if i["question_id"] == key[1])
        expected = normalise_answer(item["kind"], item["spec"], sent)
        if row.answer != expected:
            result.problem(
                "stored answer differs from the last acknowledged one",
                f"attempt {key[0]}, question {key[1]}: {row.answer!r} != {expected!r}",
            )
        result.answers_checked += 1
    for key in stored.keys() - last.keys():
        if key in acked.unknown_saves:
            result.unfinished["answers stored by a save that got no response"] += 1
        else:
            result.problem("stored answer whose save was refused", f"attempt {key[0]}, question {key[1]}")

    for attempt_id, (status, score) in acked.submits.items():
        graded = attempts.get(attempt_id)
        if graded is None or status != "graded" or graded.status != "graded":
            result.problem("acknowledged submit not graded", f"attempt {attempt_id}")
            continue
        result.graded += 1
        _check_grading(result, graded, stored, score)
    for attempt in attempts.values():
        if attempt.id in acked.submits:
            continue
        if attempt.status == "open":
            result.unfinished["attempts left open (a refused submit)"] += 1
        elif attempt.id in acked.unknown_submits:
            result.unfinished["attempts graded by a submit that got no response"] += 1
        else:
            result.problem(
                "attempt graded although its submit was refused", f"attempt {attempt.id} ({attempt.status})"
            )
    return result


def _check_grading(
    result: Verification,
    attempt: QuizAttempt,
    stored: dict[tuple[int, int], AttemptAnswer],
    score: float | None,
) -> None:
    """Points, credits, score and pass mark as a single grading of the stored answers gives them."""
    points = 0.0
    for item in attempt.layout:
        row = stored.get((attempt.id, item["question_id"]))
        if row is None:
            continue
        credit = grade(item["kind"], item["spec"], row.answer)
        if row.credit is None or abs(row.credit - credit) > 1e-9:
            result.problem(
                "answer credit not set by grading", f"attempt {attempt.id}, question {row.question_id}"
            )
        points += credit
    settings = QuizSettings.from_snapshot(attempt.settings)
    percent = round(100 * points / len(attempt.layout), 2)
    if (
        attempt.submitted_at is None
        or attempt.finished_by != "learner"
        or attempt.points is None
        or abs(attempt.points - round(points, 4)) > 1e-6
        or attempt.max_points != float(len(attempt.layout))
        or attempt.score_percent != percent
        or score != percent
        or attempt.passed != (percent >= settings.pass_mark)
    ):
        result.problem(
            "grading inconsistent with the stored answers",
            f"attempt {attempt.id}: points {attempt.points} vs {round(points, 4)}, "
            f"score {attempt.score_percent} (response {score}) vs {percent}",
        )
