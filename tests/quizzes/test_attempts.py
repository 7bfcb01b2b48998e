import json
from collections.abc import Callable, Mapping
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import flows
from app.classrooms.models import Classroom
from app.courses.models import Quiz
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.orgs.permissions import SYSTEM
from app.progress import service as progress
from app.quizzes import attempts, review
from app.quizzes.models import AttemptAnswer, QuizAttempt, QuizOverride
from app.quizzes.results import outcomes
from app.rounds.models import ProgressCycle
from tests.factories import make_class
from tests.quizzes.conftest import ANSWERS
from tests.world import World


def by_slug(attempt: QuizAttempt, answers: Mapping[str, object]) -> dict[int, object]:
    ids = {item["slug"]: item["question_id"] for item in attempt.layout}
    return {ids[slug]: value for slug, value in answers.items()}


def test_start_save_submit_grade_once(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course()
    me = world.actor(session, world.officer_a)
    now = utcnow()
    attempt = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    assert [i["slug"] for i in attempt.layout] == [
        "cau-chon-mot",
        "cau-chon-nhieu",
        "cau-dung-sai",
        "cau-tra-loi-ngan",
    ]
    assert attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now).id == attempt.id
    saved = attempts.save(session, me, attempt_id=attempt.id, answers=by_slug(attempt, ANSWERS), now=now)
    assert saved.saved == 4
    cleared = by_slug(attempt, {"cau-dung-sai": None})
    attempts.save(session, me, attempt_id=attempt.id, answers=cleared, now=now)
    attempts.save(
        session, me, attempt_id=attempt.id, answers=by_slug(attempt, {"cau-dung-sai": False}), now=now
    )
    graded = attempts.submit(session, me, attempt_id=attempt.id, now=now + timedelta(minutes=1))
    assert (graded.status, graded.points, graded.score_percent, graded.passed) == ("graded", 3.5, 87.5, True)
    assert graded.finished_by == "learner"
    again = attempts.submit(session, me, attempt_id=attempt.id, now=now + timedelta(minutes=2))
    assert (again.score_percent, again.submitted_at) == (87.5, graded.submitted_at)
    with pytest.raises(Conflict):
        attempts.save(
            session, me, attempt_id=attempt.id, answers=by_slug(attempt, {"cau-chon-mot": "b"}), now=now
        )
    credits = session.scalars(
        select(AttemptAnswer.credit).where(AttemptAnswer.attempt_id == attempt.id)
    ).all()
    assert sorted(c or 0.0 for c in credits) == [0.5, 1.0, 1.0, 1.0]


def test_nobody_else_sees_or_changes_an_attempt(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course()
    attempt = attempts.start(
        session,
        world.actor(session, world.officer_a),
        course_slug=slug,
        quiz_slug="kiem-tra-mot",
        now=utcnow(),
    )
    for other in (world.officer_b, world.coord_a, world.admin):
        with pytest.raises(NotFound):
            attempts.save(
                session, world.actor(session, other), attempt_id=attempt.id, answers={}, now=utcnow()
            )
        with pytest.raises(NotFound):
            review.attempt_page(session, world.actor(session, other), attempt_id=attempt.id, now=utcnow())
    with pytest.raises(Exception, match="part of this attempt"):
        attempts.save(
            session,
            world.actor(session, world.officer_a),
            attempt_id=attempt.id,
            answers={-5: "a"},
            now=utcnow(),
        )


def test_the_deadline_submits_what_was_saved_in_time(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("time_limit_minutes: 10\n")
    me = world.actor(session, world.officer_a)
    start = utcnow()
    attempt = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=start)
    assert attempt.deadline_at == start + timedelta(minutes=10)
    attempts.save(
        session, me, attempt_id=attempt.id, answers=by_slug(attempt, {"cau-chon-mot": "a"}), now=start
    )
    # Just past the deadline, within the grace for answers already on their way: accepted.
    late_but_in_flight = start + timedelta(minutes=10, seconds=3)
    attempts.save(
        session,
        me,
        attempt_id=attempt.id,
        answers=by_slug(attempt, {"cau-dung-sai": "false"}),
        now=late_but_in_flight,
    )
    with pytest.raises(Conflict, match="Time is up"):
        attempts.save(
            session,
            me,
            attempt_id=attempt.id,
            answers=by_slug(attempt, {"cau-tra-loi-ngan": "một cửa"}),
            now=start + timedelta(minutes=11),
        )
    session.refresh(attempt)
    assert (attempt.status, attempt.finished_by, attempt.points) == ("graded", "deadline", 2.0)
    assert attempt.submitted_at == attempt.deadline_at


def test_the_sweep_submits_abandoned_attempts(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("time_limit_minutes: 5\n")
    start = utcnow()
    mine = attempts.start(
        session, world.actor(session, world.officer_a), course_slug=slug, quiz_slug="kiem-tra-mot", now=start
    )
    assert attempts.sweep(session, SYSTEM, now=start + timedelta(minutes=4)) == 0
    assert attempts.sweep(session, SYSTEM, now=start + timedelta(minutes=6)) == 1
    session.refresh(mine)
    assert (mine.status, mine.finished_by, mine.score_percent) == ("graded", "deadline", 0.0)
    assert attempts.sweep(session, SYSTEM, now=start + timedelta(minutes=7)) == 0


def test_attempt_limits_count_per_round_of_the_course(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("max_attempts: 2\n")
    me = world.actor(session, world.officer_a)
    now = utcnow()
    for _ in range(2):
        attempt = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
        attempts.submit(session, me, attempt_id=attempt.id, now=now)
    with pytest.raises(Conflict, match="every attempt"):
        attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)


def test_passing_the_quiz_completes_the_course(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course()
    me = world.actor(session, world.officer_a)
    for lesson in ("bai-mot", "bai-hai"):
        state = progress.complete_lesson(session, me, course_slug=slug, lesson_slug=lesson)
    # The sample course asks for every quiz to be passed: the lessons alone do not complete it.
    assert state.completed_at is None
    now = utcnow()
    failed = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    flows.submit_attempt(session, me, attempt_id=failed.id, now=now)
    cycle = session.scalars(select(ProgressCycle).where(ProgressCycle.user_id == world.officer_a.id)).one()
    assert cycle.completed_at is None
    passed = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    # The graded attempt only notes its round; the flow has progress judge it.
    attempts.submit(session, me, attempt_id=passed.id, answers=by_slug(passed, ANSWERS), now=now)
    assert cycle.completed_at is None
    flows.settle_and_certify(session, me, now=now)
    assert cycle.completed_at is not None
    found = outcomes(session, user_id=world.officer_a.id, cycle_id=cycle.id, quiz_ids=[passed.quiz_id])
    assert (
        found[passed.quiz_id].attempts,
        found[passed.quiz_id].best_percent,
        found[passed.quiz_id].passed,
    ) == (
        2,
        87.5,
        True,
    )


def test_grading_last_counts_the_last_attempt(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("grading: last\n")
    me = world.actor(session, world.officer_a)
    now = utcnow()
    good = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    attempts.submit(session, me, attempt_id=good.id, answers=by_slug(good, ANSWERS), now=now)
    bad = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    attempts.submit(session, me, attempt_id=bad.id, now=now)
    found = outcomes(session, user_id=world.officer_a.id, cycle_id=bad.cycle_id, quiz_ids=[bad.quiz_id])[
        bad.quiz_id
    ]
    assert (found.best_percent, found.last_percent, found.counted_percent, found.passed) == (
        87.5,
        0.0,
        0.0,
        False,
    )


def test_review_follows_the_policy(session: Session, world: World, quiz_course: Callable[..., str]) -> None:
    slug = quiz_course("review: after_passing\n")
    me = world.actor(session, world.officer_a)
    now = utcnow()
    first = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    attempts.submit(session, me, attempt_id=first.id, now=now)
    assert not review.review_open(session, first, now=now, today=now.date())
    second = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    assert not review.review_open(session, second, now=now, today=now.date())
    attempts.submit(session, me, attempt_id=second.id, answers=by_slug(second, ANSWERS), now=now)
    assert review.review_open(session, first, now=now, today=now.date())
    reviewed = review.review(session, second)
    assert reviewed[3].correct["answers"] == ["một cửa"] and reviewed[3].explanation == "Vì vậy."
    assert reviewed[1].credit == 0.5

    quiz = session.get_one(Quiz, first.quiz_id)
    quiz.review = "never"
    third = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    attempts.submit(session, me, attempt_id=third.id, answers=by_slug(third, ANSWERS), now=now)
    assert not review.review_open(session, third, now=now, today=now.date())


def test_a_class_overrides_the_quiz_settings(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("time_limit_minutes: 30\nreview: after_close\n")
    classroom: Classroom = make_class(session, world.coord_a, world.dept_a, slug, assign_unit=world.room_a)
    quiz_id = session.scalars(select(Quiz.id)).one()
    session.add(QuizOverride(classroom_id=classroom.id, quiz_id=quiz_id, pass_mark=90, time_limit_minutes=5))
    session.flush()
    me = world.actor(session, world.officer_a)
    now = utcnow()
    attempt = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
    assert attempt.classroom_id == classroom.id and attempt.deadline_at == now + timedelta(minutes=5)
    graded = attempts.submit(session, me, attempt_id=attempt.id, answers=by_slug(attempt, ANSWERS), now=now)
    assert (graded.score_percent, graded.passed) == (87.5, False)
    assert not review.review_open(session, graded, now=now, today=now.date())
    classroom.status = "closed"
    assert review.review_open(session, graded, now=now, today=now.date())


def test_no_correct_answer_is_in_what_a_taker_sees(
    session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course()
    me = world.actor(session, world.officer_a)
    attempt = attempts.start(session, me, course_slug=slug, quiz_slug="kiem-tra-mot", now=utcnow())
    page = review.attempt_page(session, me, attempt_id=attempt.id, now=utcnow())
    shown = json.dumps(
        [q.view for q in page.questions] + [q.text for q in page.questions], ensure_ascii=False
    )
    assert "correct" not in shown and "một cửa" not in shown and "Vì vậy" not in shown
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
