"""Answer saves in one statement once the attempt is remembered, with attempts.save's rules."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Conflict, NotFound
from app.quizzes import attempts, saving
from app.quizzes.models import AttemptAnswer, QuizAttempt
from tests.quizzes.test_attempts import by_slug
from tests.world import World


@pytest.fixture(autouse=True)
def nothing_remembered() -> Iterator[None]:
    saving.forget_all()
    yield
    saving.forget_all()


def _stored(session: Session, attempt: QuizAttempt) -> dict[str, Any]:
    slugs = {item["question_id"]: item["slug"] for item in attempt.layout}
    rows = session.execute(
        select(AttemptAnswer.question_id, AttemptAnswer.answer).where(AttemptAnswer.attempt_id == attempt.id)
    ).all()
    return {slugs[question_id]: answer for question_id, answer in rows}


def _statements(session: Session) -> list[str]:
    seen: list[str] = []
    event.listen(
        session.connection(), "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql.split()[0])
    )
    return seen


def _save(session: Session, world: World, attempt: QuizAttempt, answers: dict[str, Any], **at: Any) -> Any:
    """Save answers by question slug as officer A, who started every attempt here; `now` optional."""
    me = world.actor(session, world.officer_a)
    return saving.save(
        session, me, attempt_id=attempt.id, answers=by_slug(attempt, answers), now=at.get("now") or utcnow()
    )


def _start(
    session: Session, world: World, quiz_course: Callable[..., str], settings: str = ""
) -> QuizAttempt:
    slug = quiz_course(settings)
    me = world.actor(session, world.officer_a)
    return attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=utcnow())


def test_a_save_after_the_first_is_one_statement_and_is_stored(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    attempt = _start(session, world, quiz_course)
    me = world.actor(session, world.officer_a)
    _save(session, world, attempt, {"cau-chon-mot": "a"})
    answer = by_slug(attempt, {"cau-tra-loi-ngan": " Một cửa "})
    seen = _statements(session)
    saved = saving.save(session, me, attempt_id=attempt.id, answers=answer, now=utcnow())
    assert (saved.saved, seen) == (1, ["INSERT"])
    _save(session, world, attempt, {"cau-chon-mot": "b"})
    assert _stored(session, attempt) == {"cau-chon-mot": "b", "cau-tra-loi-ngan": "Một cửa"}


def test_a_submitted_attempt_refuses_a_remembered_save(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    attempt = _start(session, world, quiz_course)
    me = world.actor(session, world.officer_a)
    _save(session, world, attempt, {"cau-chon-mot": "a"})
    attempts.submit(session, me, attempt_id=attempt.id, now=utcnow())
    with pytest.raises(Conflict, match="has been submitted"):
        _save(session, world, attempt, {"cau-chon-mot": "b"})
    assert _stored(session, attempt) == {"cau-chon-mot": "a"}


def test_a_remembered_save_out_of_time_submits_the_attempt_as_it_stood(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    attempt = _start(session, world, quiz_course, "time_limit_minutes: 10\n")
    start = attempt.started_at
    _save(session, world, attempt, {"cau-chon-mot": "a"}, now=start)
    with pytest.raises(Conflict, match="Time is up"):
        _save(session, world, attempt, {"cau-dung-sai": "false"}, now=start + timedelta(minutes=11))
    session.refresh(attempt)
    assert (attempt.status, attempt.finished_by) == ("graded", "deadline")
    assert _stored(session, attempt) == {"cau-chon-mot": "a"}


def test_clearing_an_answer_and_an_unknown_question_take_the_full_path(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    attempt = _start(session, world, quiz_course)
    me = world.actor(session, world.officer_a)
    both = by_slug(attempt, {"cau-chon-mot": "a", "cau-dung-sai": "true"})
    saving.save(session, me, attempt_id=attempt.id, answers=both, now=utcnow())
    cleared = _save(session, world, attempt, {"cau-dung-sai": None})
    assert cleared.saved == 1
    assert _stored(session, attempt) == {"cau-chon-mot": "a"}
    with pytest.raises(Exception, match="part of this attempt"):
        saving.save(session, me, attempt_id=attempt.id, answers={-5: "a"}, now=utcnow())


def test_someone_else_cannot_save_into_a_remembered_attempt(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    attempt = _start(session, world, quiz_course)
    _save(session, world, attempt, {"cau-chon-mot": "a"})
    for other in (world.officer_b, world.admin):
        with pytest.raises(NotFound):
            saving.save(
                session,
                world.actor(session, other),
                attempt_id=attempt.id,
                answers=by_slug(attempt, {"cau-chon-mot": "b"}),
                now=utcnow(),
            )
    assert _stored(session, attempt) == {"cau-chon-mot": "a"}


def test_a_remembered_attempt_that_is_not_the_one_in_the_database_is_not_trusted(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    """An id can come back (a database restored from a backup): what was remembered of the old
    attempt must not decide how the new one's answers are read."""
    attempt = _start(session, world, quiz_course)
    me = world.actor(session, world.officer_a)
    question = by_slug(attempt, {"cau-chon-mot": "a"})
    [question_id] = question
    saving._fixed[attempt.id] = saving.Fixed(
        attempt.user_id,
        attempt.started_at - timedelta(days=1),
        None,
        {question_id: ("short_answer", {"answers": ["x"], "max_length": 500})},
    )
    saving.save(session, me, attempt_id=attempt.id, answers=question, now=utcnow())
    assert _stored(session, attempt) == {"cau-chon-mot": "a"}
    assert saving._fixed[attempt.id].started_at == attempt.started_at
