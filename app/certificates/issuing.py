"""Issuing certificates: on course completion (in the completing transaction), and afterwards for
completions from before certificates existed; the per-year serial counter; the snapshot of what
a certificate certifies, including the course result."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.service import unit_on
from app.audit.recorder import record
from app.certificates.models import Certificate, CertificateSerial, CertificateStatus
from app.config import get_settings
from app.courses.models import Course, Quiz
from app.errors import PermissionDenied
from app.orgs.permissions import Actor
from app.quizzes.results import outcomes
from app.rounds.models import ProgressCycle

SERIAL_PREFIX = "HS"
# Completed cycles handled per transaction by issue_missing.
BATCH = 200


def serial_for(year: int, number: int) -> str:
    return f"{SERIAL_PREFIX}-{year}-{number:06d}"


def local_year(moment: datetime) -> int:
    return moment.astimezone(ZoneInfo(get_settings().timezone)).year


def reserve_numbers(session: Session, year: int, count: int = 1) -> int:
    """Reserve `count` consecutive serial numbers of a year and return the last of them.

    The row is created if missing (a conflict-free insert, so two first issuers of a year do not
    fail), then one UPDATE … RETURNING moves the counter. That UPDATE holds the row (PostgreSQL)
    or the database's write lock (SQLite) until the transaction ends, so a second issuer waits
    and reads the number after ours: no two certificates get the same number."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(CertificateSerial)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    last = session.execute(
        update(CertificateSerial)
        .where(CertificateSerial.year == year)
        .values(last_number=CertificateSerial.last_number + count)
        .returning(CertificateSerial.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(last)


def course_score(session: Session, course_id: int, cycle: ProgressCycle) -> float | None:
    """The course result: the mean of the score that counts for each of the course's quizzes
    (the best or the last graded attempt, as each quiz's grading says). Quizzes the officer never
    took are left out; None when there is no quiz result at all."""
    quiz_ids = list(
        session.scalars(select(Quiz.id).where(Quiz.course_id == course_id, Quiz.retired.is_(False)))
    )
    if not quiz_ids:
        return None
    found = outcomes(session, user_id=cycle.user_id, cycle_id=cycle.id, quiz_ids=quiz_ids)
    counted = [o.counted_percent for o in found.values() if o.counted_percent is not None]
    return round(sum(counted) / len(counted), 2) if counted else None


def _snapshot(
    session: Session,
    *,
    user: User,
    course: Course,
    cycle: ProgressCycle,
    unit_id: int,
    year: int,
    number: int,
    now: datetime,
) -> Certificate:
    assert cycle.completed_at is not None
    return Certificate(
        serial=serial_for(year, number),
        year=year,
        number=number,
        verify_code=secrets.token_urlsafe(12),
        user_id=user.id,
        course_id=course.id,
        cycle_id=cycle.id,
        unit_id=unit_id,
        full_name=user.full_name,
        course_title_vi=course.title_vi,
        course_title_en=course.title_en,
        training_minutes=course.training_minutes,
        score=course_score(session, course.id, cycle),
        completed_at=cycle.completed_at,
        issued_at=now,
        status=CertificateStatus.VALID,
        copies=0,
    )


def _audit(session: Session, actor: Actor, certificate: Certificate, how: str) -> None:
    record(
        session,
        actor,
        "certificate.issue",
        target_type="certificate",
        target_id=certificate.serial,
        details={"user_id": certificate.user_id, "cycle_id": certificate.cycle_id, "how": how},
    )


def issue_for_cycle(
    session: Session, actor: Actor, *, course: Course, cycle: ProgressCycle, now: datetime
) -> Certificate:
    """The certificate of a completed cycle, issued now if it has none (called by the completion
    itself, so both are saved together or not at all). The officer's unit is taken now: this is
    the moment of completion."""
    existing = session.scalar(select(Certificate).where(Certificate.cycle_id == cycle.id))
    if existing is not None:
        return existing
    user = session.get_one(User, cycle.user_id)
    try:
        with session.begin_nested():
            year = local_year(now)
            certificate = _snapshot(
                session,
                user=user,
                course=course,
                cycle=cycle,
                unit_id=user.unit_id,
                year=year,
                number=reserve_numbers(session, year),
                now=now,
            )
            session.add(certificate)
            session.flush()
    except IntegrityError:
        # The same completion reached from another tab got its certificate first; the savepoint
        # took our serial number back with it.
        found = session.scalar(select(Certificate).where(Certificate.cycle_id == cycle.id))
        if found is None:
            raise
        return found
    _audit(session, actor, certificate, "completion")
    return certificate


def issue_missing(session: Session, actor: Actor, *, now: datetime, limit: int = BATCH) -> int:
    """Issue certificates for up to `limit` completed cycles that have none (completions from
    before certificates existed), oldest completion first; returns how many were issued. Run it
    until it returns 0: a cycle that has a certificate is never chosen again. The numbers of a
    batch are reserved with one counter update; the unit is the one the officer was in on the
    day of completion, from the dated placements."""
    if not actor.system:
        raise PermissionDenied("Your role does not allow this.")
    rows = session.execute(
        select(ProgressCycle, Course, User)
        .join(Course, Course.id == ProgressCycle.course_id)
        .join(User, User.id == ProgressCycle.user_id)
        .where(
            ProgressCycle.completed_at.is_not(None),
            ~exists().where(Certificate.cycle_id == ProgressCycle.id),
        )
        .order_by(ProgressCycle.completed_at, ProgressCycle.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    year = local_year(now)
    first = reserve_numbers(session, year, len(rows)) - len(rows) + 1
    tz = ZoneInfo(get_settings().timezone)
    for offset, (cycle, course, user) in enumerate(rows):
        assert cycle.completed_at is not None
        unit_id = unit_on(session, user.id, cycle.completed_at.astimezone(tz).date()) or user.unit_id
        certificate = _snapshot(
            session,
            user=user,
            course=course,
            cycle=cycle,
            unit_id=unit_id,
            year=year,
            number=first + offset,
            now=now,
        )
        session.add(certificate)
        session.flush()
        _audit(session, actor, certificate, "issue-missing")
    return len(rows)
