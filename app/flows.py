"""The flows that cross layers upward: learning work (a lesson marked done, a quiz started,
saved, submitted, opened or swept) that may complete a course round, which then gets its
certificate in the same transaction; and staff work that must tell officers of it (an assignment
leaves each officer a notice).

Learning never imports outputs (certificates), and quizzes sit below the completion rule. So a
graded quiz notes its round (app.rounds.service.to_settle), progress notes each round it
completes (progress.service.completed_rounds), and these flows, after the learning call returns
(or after it refused a late answer but kept the automatic submit it set off), have progress
judge the noted rounds and then issue the certificates. Adapters and the command line call
learning work through here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from app.certificates.issuing import issue_for_cycle
from app.classrooms import service as classes
from app.classrooms.models import AssignmentBatch
from app.courses.models import Course
from app.db import utcnow
from app.errors import DomainError
from app.notifications import inbox
from app.orgs.permissions import Actor
from app.progress import service as progress
from app.quizzes import attempts, review, saving
from app.quizzes.models import QuizAttempt
from app.rounds.models import ProgressCycle
from app.rounds.service import to_settle


def certify_completed(session: Session, actor: Actor) -> int:
    """Issue the certificate of every round this unit of work completed, dated at the moment of
    its completion, and leave the officer a notice of it; how many."""
    rounds = progress.completed_rounds(session)
    issued = 0
    while rounds:
        cycle = session.get(ProgressCycle, rounds.pop(0))
        if cycle is None or cycle.completed_at is None:
            continue
        course = session.get_one(Course, cycle.course_id)
        certificate = issue_for_cycle(session, actor, course=course, cycle=cycle, now=cycle.completed_at)
        inbox.notify_completed(
            session,
            user_id=cycle.user_id,
            cycle_id=cycle.id,
            course_slug=course.slug,
            certificate_id=certificate.id,
            serial=certificate.serial,
        )
        issued += 1
    return issued


@contextmanager
def _certifying(session: Session, actor: Actor, now: datetime) -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        # A refusal that keeps its changes (a late answer whose automatic submit stands) keeps
        # the completion that submit made, and so its certificate.
        if exc.keep_changes:
            settle_and_certify(session, actor, now=now)
        else:
            # Rolled back with the rest of the request.
            to_settle(session).clear()
            progress.completed_rounds(session).clear()
        raise
    settle_and_certify(session, actor, now=now)


def settle_and_certify(session: Session, actor: Actor, *, now: datetime) -> None:
    """Judge the rounds this unit of work's quizzes noted, then certify every round it completed."""
    progress.settle_noted(session, actor, now=now)
    certify_completed(session, actor)


def complete_lesson(
    session: Session, actor: Actor, *, course_slug: str, lesson_slug: str
) -> progress.CourseProgress:
    with _certifying(session, actor, utcnow()):
        return progress.complete_lesson(session, actor, course_slug=course_slug, lesson_slug=lesson_slug)


def start_attempt(
    session: Session, actor: Actor, *, course_slug: str, quiz_slug: str, now: datetime
) -> QuizAttempt:
    """Start or resume; an open attempt whose time ran out is submitted first."""
    with _certifying(session, actor, now):
        return attempts.start(session, actor, course_slug=course_slug, quiz_slug=quiz_slug, now=now)


def attempt_page(session: Session, actor: Actor, *, attempt_id: int, now: datetime) -> review.AttemptPage:
    """The attempt as its taker sees it; one whose time ran out is submitted first."""
    with _certifying(session, actor, now):
        return review.attempt_page(session, actor, attempt_id=attempt_id, now=now)


def save_answers(
    session: Session, actor: Actor, *, attempt_id: int, answers: Mapping[int, object], now: datetime
) -> attempts.Saved:
    with _certifying(session, actor, now):
        return saving.save(session, actor, attempt_id=attempt_id, answers=answers, now=now)


def submit_attempt(
    session: Session,
    actor: Actor,
    *,
    attempt_id: int,
    now: datetime,
    answers: Mapping[int, object] | None = None,
) -> QuizAttempt:
    with _certifying(session, actor, now):
        return attempts.submit(session, actor, attempt_id=attempt_id, answers=answers, now=now)


def sweep(session: Session, actor: Actor, *, now: datetime) -> int:
    """Submit timed attempts whose time ran out while nobody came back."""
    with _certifying(session, actor, now):
        return attempts.sweep(session, actor, now=now)


def assign(session: Session, actor: Actor, *, classroom_id: int, target: classes.Target) -> AssignmentBatch:
    """Assign officers to a class and leave each a notice of it, in one transaction (classrooms
    sit below notifications, so the two meet here)."""
    batch = classes.assign(session, actor, classroom_id=classroom_id, target=target)
    inbox.notify_assigned(session, batch_id=batch.id)
    return batch
