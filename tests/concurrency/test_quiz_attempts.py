"""One officer on two devices: submitting the same attempt twice at once, and saving an answer
on one device while the other submits. The attempt is graded once, from the answers it holds,
and the course is completed and certified once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from sqlalchemy import func, select

from app import flows
from app.accounts.grants import actor_for
from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.db import utcnow
from app.errors import Conflict
from app.orgs.permissions import Actor
from app.quizzes.models import AttemptAnswer, QuizAttempt
from tests.concurrency.conftest import Db, race
from tests.factories import make_officer
from tests.world import World

ROUNDS = 3
# Every answer right but the multiple choice, half right: 87.5 %, a pass.
ANSWERS = {
    "cau-chon-mot": "a",
    "cau-chon-nhieu": ["a"],
    "cau-dung-sai": "false",
    "cau-tra-loi-ngan": "Mot cua",
}


def _by_slug(attempt: QuizAttempt, answers: Mapping[str, object]) -> dict[int, object]:
    ids = {item["slug"]: item["question_id"] for item in attempt.layout}
    return {ids[slug]: value for slug, value in answers.items()}


@pytest.fixture
def ready(db: Db, world: World, course: str) -> Callable[[str], tuple[Actor, QuizAttempt]]:
    """An officer who has read both lessons and answered the quiz, not yet submitted."""

    def make(code: str) -> tuple[Actor, QuizAttempt]:
        with db.work() as session:
            officer = make_officer(session, world.room_a, officer_code=code)
            actor = actor_for(session, officer, ip=None)
            for lesson in ("bai-mot", "bai-hai"):
                flows.complete_lesson(session, actor, course_slug=course, lesson_slug=lesson)
            attempt = flows.start_attempt(
                session, actor, course_slug=course, quiz_slug="kiem-tra-mot", now=utcnow()
            )
            flows.save_answers(
                session, actor, attempt_id=attempt.id, answers=_by_slug(attempt, ANSWERS), now=utcnow()
            )
            return actor, attempt

    return make


def _submitting(db: Db, actor: Actor, attempt_id: int) -> Callable[[], tuple[str, float | None]]:
    def submit() -> tuple[str, float | None]:
        with db.work() as session:
            graded = flows.submit_attempt(session, actor, attempt_id=attempt_id, now=utcnow())
            return graded.status, graded.score_percent

    return submit


def _saving(db: Db, actor: Actor, attempt: QuizAttempt, answers: Mapping[str, object]) -> Callable[[], int]:
    def save() -> int:
        with db.work() as session:
            return flows.save_answers(
                session, actor, attempt_id=attempt.id, answers=_by_slug(attempt, answers), now=utcnow()
            ).saved

    return save


def _issued(db: Db, user_id: int) -> tuple[int, int, int]:
    """(certificates, completion audit records, certificate audit records) of the officer."""
    with db.work() as session:
        certificates = session.scalar(select(func.count()).where(Certificate.user_id == user_id)) or 0
        completions = (
            session.scalar(
                select(func.count()).where(
                    AuditEvent.action == "course.complete", AuditEvent.actor_id == user_id
                )
            )
            or 0
        )
        issues = (
            session.scalar(
                select(func.count()).where(
                    AuditEvent.action == "certificate.issue", AuditEvent.actor_id == user_id
                )
            )
            or 0
        )
    return certificates, completions, issues


def _graded(db: Db, attempt_id: int) -> tuple[QuizAttempt, dict[str, tuple[object, float | None]]]:
    with db.work() as session:
        attempt = session.get_one(QuizAttempt, attempt_id)
        slugs = {item["question_id"]: item["slug"] for item in attempt.layout}
        answers = {
            slugs[a.question_id]: (a.answer, a.credit)
            for a in session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
        }
        return attempt, answers


def test_one_attempt_submitted_from_two_devices_at_once_is_graded_and_certified_once(
    db: Db, ready: Callable[[str], tuple[Actor, QuizAttempt]]
) -> None:
    for round_ in range(ROUNDS):
        actor, attempt = ready(f"NOP-{round_}")
        outcomes = race(_submitting(db, actor, attempt.id), _submitting(db, actor, attempt.id))
        assert outcomes == [("graded", 87.5), ("graded", 87.5)]
        graded, answers = _graded(db, attempt.id)
        assert (graded.points, graded.score_percent, graded.passed) == (3.5, 87.5, True)
        assert sorted(credit or 0.0 for _, credit in answers.values()) == [0.5, 1.0, 1.0, 1.0]
        assert actor.user_id is not None
        assert _issued(db, actor.user_id) == (1, 1, 1)


def test_an_answer_saved_while_another_device_submits_is_graded_or_refused_never_lost(
    db: Db, ready: Callable[[str], tuple[Actor, QuizAttempt]]
) -> None:
    better = {"cau-chon-nhieu": ["a", "b"]}
    for round_ in range(ROUNDS):
        actor, attempt = ready(f"LUU-{round_}")
        saved, submitted = race(_saving(db, actor, attempt, better), _submitting(db, actor, attempt.id))
        graded, answers = _graded(db, attempt.id)
        if isinstance(saved, Conflict):
            # The submit graded first: the late answer was refused and the old one stands.
            assert str(saved) == "This attempt has been submitted; its answers can no longer change."
            assert (submitted, graded.score_percent) == (("graded", 87.5), 87.5)
            assert answers["cau-chon-nhieu"] == (["a"], 0.5)
        else:
            # The save came first: the submit graded the answer it saved.
            assert (saved, submitted, graded.score_percent) == (1, ("graded", 100.0), 100.0)
            assert answers["cau-chon-nhieu"] == (["a", "b"], 1.0)
        assert graded.points == sum(credit or 0 for _, credit in answers.values())
        assert actor.user_id is not None
        assert _issued(db, actor.user_id) == (1, 1, 1)


def test_the_last_lesson_and_the_quiz_finished_at_once_complete_the_course_once(
    db: Db, world: World, course: str
) -> None:
    """Two devices each finish what the other was missing: both see the course complete only
    once the other's work is there, so it completes exactly once, neither never."""
    for round_ in range(ROUNDS):
        with db.work() as session:
            officer = make_officer(session, world.room_a, officer_code=f"CUOI-{round_}")
            actor = actor_for(session, officer, ip=None)
            flows.complete_lesson(session, actor, course_slug=course, lesson_slug="bai-mot")
            attempt = flows.start_attempt(
                session, actor, course_slug=course, quiz_slug="kiem-tra-mot", now=utcnow()
            )
            flows.save_answers(
                session, actor, attempt_id=attempt.id, answers=_by_slug(attempt, ANSWERS), now=utcnow()
            )

        def last_lesson(actor: Actor = actor) -> None:
            with db.work() as session:
                flows.complete_lesson(session, actor, course_slug=course, lesson_slug="bai-hai")

        _, submitted = race(last_lesson, _submitting(db, actor, attempt.id))
        assert submitted == ("graded", 87.5)
        assert actor.user_id is not None
        assert _issued(db, actor.user_id) == (1, 1, 1)


def test_the_last_lesson_finished_on_two_devices_at_once_completes_the_course_once(
    db: Db, world: World, course: str
) -> None:
    for round_ in range(ROUNDS):
        with db.work() as session:
            officer = make_officer(session, world.room_a, officer_code=f"HAI-{round_}")
            actor = actor_for(session, officer, ip=None)
            flows.complete_lesson(session, actor, course_slug=course, lesson_slug="bai-mot")
            attempt = flows.start_attempt(
                session, actor, course_slug=course, quiz_slug="kiem-tra-mot", now=utcnow()
            )
            flows.submit_attempt(
                session, actor, attempt_id=attempt.id, answers=_by_slug(attempt, ANSWERS), now=utcnow()
            )

        def last_lesson(actor: Actor = actor) -> bool:
            with db.work() as session:
                done = flows.complete_lesson(session, actor, course_slug=course, lesson_slug="bai-hai")
                return done.completed_at is not None

        assert race(last_lesson, last_lesson) == [True, True]
        assert actor.user_id is not None
        assert _issued(db, actor.user_id) == (1, 1, 1)
