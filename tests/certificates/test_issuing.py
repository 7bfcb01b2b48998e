"""Issuing: on completion (once per cycle, in the same transaction), serial numbers per year,
the snapshot, the course result, and issue-missing for completions from before certificates."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.accounts.service import move_officer
from app.audit.models import AuditEvent
from app.certificates.issuing import course_score, issue_for_cycle, issue_missing, reserve_numbers, serial_for
from app.certificates.models import CertificateSerial
from app.courses.models import Course
from app.db import get_sessionmaker, utcnow
from app.errors import PermissionDenied
from app.orgs.permissions import SYSTEM
from app.progress import service as progress
from app.rounds.models import ProgressCycle
from tests.certificates.conftest import (
    ALL_RIGHT,
    ALL_WRONG,
    MOSTLY_RIGHT,
    PLAIN_SLUG,
    PLAIN_TITLE,
    certificates_of,
    complete_plain,
    completed_cycle,
    finish_lessons,
    take_quiz,
)
from tests.world import World

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def issue_events(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificate.issue").order_by(AuditEvent.id)
        )
    )


@pytest.mark.usefixtures("plain_course")
class TestIssueOnCompletion:
    def test_the_last_lesson_issues_a_certificate_with_a_snapshot(
        self, session: Session, world: World
    ) -> None:
        me = world.actor(session, world.officer_a)
        finish_lessons(session, me, PLAIN_SLUG, ("bai-mot",))
        assert certificates_of(session, world.officer_a) == []
        finish_lessons(session, me, PLAIN_SLUG, ("bai-hai",))
        (certificate,) = certificates_of(session, world.officer_a)
        cycle = session.get_one(ProgressCycle, certificate.cycle_id)
        assert cycle.completed_at is not None
        year = cycle.completed_at.astimezone(HCM).year
        assert re.fullmatch(r"HS-\d{4}-\d{6}", certificate.serial)
        assert certificate.serial == serial_for(year, certificate.number)
        assert (certificate.year, certificate.user_id, certificate.unit_id) == (
            year,
            world.officer_a.id,
            world.room_a.id,
        )
        assert (certificate.full_name, certificate.course_title_vi, certificate.course_title_en) == (
            "Nguyễn Văn Đức",
            PLAIN_TITLE,
            "Digital skills for the one-stop desk",
        )
        assert (certificate.training_minutes, certificate.score, certificate.status, certificate.copies) == (
            270,
            None,
            "valid",
            0,
        )
        assert certificate.completed_at == cycle.completed_at == certificate.issued_at
        assert re.fullmatch(r"[A-Za-z0-9_-]{16}", certificate.verify_code)
        (event,) = issue_events(session)
        assert (event.actor_id, event.target_id, event.details) == (
            world.officer_a.id,
            certificate.serial,
            {"user_id": world.officer_a.id, "cycle_id": cycle.id, "how": "completion"},
        )

    def test_a_completion_is_certified_once(self, session: Session, world: World) -> None:
        first = complete_plain(session, world)
        complete_plain(session, world)
        cycle = session.get_one(ProgressCycle, first.cycle_id)
        course = session.get_one(Course, cycle.course_id)
        again = issue_for_cycle(session, SYSTEM, course=course, cycle=cycle, now=utcnow())
        assert again.id == first.id
        assert [c.id for c in certificates_of(session, world.officer_a)] == [first.id]
        assert len(issue_events(session)) == 1

    def test_a_retake_earns_a_certificate_of_its_own(self, session: Session, world: World) -> None:
        first = complete_plain(session, world)
        progress.start_retake(session, world.actor(session, world.officer_a), course_slug=PLAIN_SLUG)
        second = complete_plain(session, world)
        assert second.id != first.id and second.cycle_id != first.cycle_id
        assert second.serial != first.serial
        assert (second.year, second.number) == (first.year, first.number + 1)

    def test_serials_differ_between_officers(self, session: Session, world: World) -> None:
        mine = complete_plain(session, world)
        theirs = complete_plain(session, world, world.officer_b)
        assert theirs.number == mine.number + 1
        assert theirs.unit_id == world.dept_b.id
        assert mine.verify_code != theirs.verify_code


@pytest.mark.usefixtures("quiz_course")
class TestCourseResult:
    def test_the_score_is_the_mean_of_the_score_that_counts_in_each_quiz(
        self, session: Session, world: World
    ) -> None:
        me = world.actor(session, world.officer_a)
        now = utcnow()
        finish_lessons(session, me, "an-toan-thong-tin", ("bai-mot", "bai-hai"))
        take_quiz(session, me, "an-toan-thong-tin", "kiem-tra-mot", ALL_WRONG, now)
        take_quiz(session, me, "an-toan-thong-tin", "kiem-tra-mot", ALL_RIGHT, now)
        assert certificates_of(session, world.officer_a) == []
        take_quiz(session, me, "an-toan-thong-tin", "kiem-tra-hai", MOSTLY_RIGHT, now)
        (certificate,) = certificates_of(session, world.officer_a)
        # Best of quiz one (100) and quiz two (87.5).
        assert certificate.score == 93.75
        assert certificate.training_minutes == 90

    def test_a_course_without_results_has_no_score(self, session: Session, world: World) -> None:
        course = session.scalars(select(Course).where(Course.slug == "an-toan-thong-tin")).one()
        cycle = completed_cycle(session, world.officer_a, "an-toan-thong-tin", utcnow())
        assert course_score(session, course.id, cycle) is None


class TestSerialNumbers:
    def test_numbers_count_up_within_a_year_and_start_again_each_year(self, session: Session) -> None:
        assert [reserve_numbers(session, 2091) for _ in range(3)] == [1, 2, 3]
        assert reserve_numbers(session, 2092) == 1
        assert reserve_numbers(session, 2091, 5) == 8
        assert serial_for(2091, 8) == "HS-2091-000008"
        assert session.get_one(CertificateSerial, 2091).last_number == 8

    def test_concurrent_issuers_never_share_a_number(self, engine: Engine) -> None:
        """Several connections take numbers at once, each in its own committed transaction."""
        year = 2097
        makes = get_sessionmaker()

        def take(_: int) -> list[int]:
            got = []
            for _ in range(5):
                with makes() as own:
                    got.append(reserve_numbers(own, year))
                    own.commit()
            return got

        try:
            with ThreadPoolExecutor(max_workers=6) as pool:
                taken = [n for batch in pool.map(take, range(6)) for n in batch]
            assert sorted(taken) == list(range(1, 31))
        finally:
            with makes() as own:
                own.execute(delete(CertificateSerial).where(CertificateSerial.year == year))
                own.commit()


@pytest.mark.usefixtures("plain_course")
class TestIssueMissing:
    def test_old_completions_get_certificates_once_with_the_unit_of_that_day(
        self, session: Session, world: World
    ) -> None:
        done_on = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
        old = completed_cycle(session, world.officer_a, PLAIN_SLUG, done_on)
        other = completed_cycle(session, world.officer_b, PLAIN_SLUG, datetime(2026, 4, 1, 2, 0, tzinfo=UTC))
        move_officer(
            session,
            SYSTEM,
            user_id=world.officer_a.id,
            unit_id=world.dept_b.id,
            effective_on=date(2026, 6, 1),
        )
        now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
        assert issue_missing(session, SYSTEM, now=now) == 2
        assert issue_missing(session, SYSTEM, now=now) == 0
        (mine,) = certificates_of(session, world.officer_a)
        (theirs,) = certificates_of(session, world.officer_b)
        assert (mine.cycle_id, mine.unit_id, mine.completed_at, mine.issued_at, mine.year) == (
            old.id,
            world.room_a.id,
            done_on,
            now,
            2026,
        )
        assert (theirs.cycle_id, theirs.number) == (other.id, mine.number + 1)
        assert [e.details["how"] for e in issue_events(session)] == ["issue-missing", "issue-missing"]

    def test_it_works_in_batches_and_skips_certified_completions(
        self, session: Session, world: World
    ) -> None:
        certified = complete_plain(session, world)
        completed_cycle(session, world.officer_b, PLAIN_SLUG, datetime(2026, 4, 1, tzinfo=UTC))
        completed_cycle(session, world.officer_b, PLAIN_SLUG, datetime(2026, 5, 1, tzinfo=UTC), number=2)
        assert issue_missing(session, SYSTEM, now=utcnow(), limit=1) == 1
        assert issue_missing(session, SYSTEM, now=utcnow(), limit=1) == 1
        assert issue_missing(session, SYSTEM, now=utcnow(), limit=1) == 0
        assert [c.id for c in certificates_of(session, world.officer_a)] == [certified.id]
        assert len(certificates_of(session, world.officer_b)) == 2

    def test_only_the_command_line_runs_it(self, session: Session, world: World) -> None:
        with pytest.raises(PermissionDenied):
            issue_missing(session, world.actor(session, world.admin), now=utcnow())
