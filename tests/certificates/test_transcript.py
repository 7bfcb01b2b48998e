"""The transcript: completed cycles with their certificates, hours per local calendar year and in
all, and who may read it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from app.certificates import service as certificates
from app.certificates import transcript as transcripts
from app.certificates.issuing import issue_missing
from app.errors import NotFound, PermissionDenied
from app.orgs.permissions import ANONYMOUS, SYSTEM
from app.rounds.models import ProgressCycle
from tests.certificates.conftest import PLAIN_SLUG, QUIZ_SLUG, completed_cycle
from tests.world import World

pytestmark = pytest.mark.usefixtures("plain_course", "quiz_course")
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def history(session: Session, world: World) -> list[ProgressCycle]:
    """Officer A's completions: 2025 (twice, the second one at 00:30 on 1 January 2026 in
    Vietnam though still 2025 in UTC), 2026, and one cycle still open."""
    cycles = [
        completed_cycle(session, world.officer_a, PLAIN_SLUG, datetime(2025, 5, 20, 3, 0, tzinfo=UTC)),
        completed_cycle(session, world.officer_a, QUIZ_SLUG, datetime(2025, 12, 31, 17, 30, tzinfo=UTC)),
        completed_cycle(
            session, world.officer_a, PLAIN_SLUG, datetime(2026, 2, 3, 4, 0, tzinfo=UTC), number=2
        ),
    ]
    open_cycle = completed_cycle(
        session, world.officer_a, QUIZ_SLUG, datetime(2026, 3, 1, tzinfo=UTC), number=2
    )
    open_cycle.completed_at = None
    session.flush()
    return cycles


def test_every_completion_with_hours_per_local_year_and_in_all(session: Session, world: World) -> None:
    cycles = history(session, world)
    issue_missing(session, SYSTEM, now=NOW)
    hr = world.actor(session, world.hr_a)
    found = transcripts.transcript(session, hr, user_id=world.officer_a.id)
    assert (found.full_name, found.officer_code, found.unit_name) == (
        "Nguyễn Văn Đức",
        "HVA",
        "Phòng Công chức",
    )
    assert [(r.course_title_vi, r.completed_at, r.year, r.training_minutes, r.score) for r in found.rows] == [
        ("Kỹ năng số cho bộ phận một cửa", cycles[0].completed_at, 2025, 270, None),
        ("An toàn thông tin cơ bản", cycles[1].completed_at, 2026, 90, None),
        ("Kỹ năng số cho bộ phận một cửa", cycles[2].completed_at, 2026, 270, None),
    ]
    assert [(y.year, y.courses, y.minutes) for y in found.years] == [(2025, 1, 270), (2026, 2, 360)]
    assert found.total_minutes == 630
    assert [(r.serial is not None, r.status, r.copies) for r in found.rows] == [(True, "valid", 0)] * 3


def test_certificate_state_and_snapshot_are_what_the_transcript_shows(session: Session, world: World) -> None:
    cycles = history(session, world)
    issue_missing(session, SYSTEM, now=NOW, limit=2)
    hr = world.actor(session, world.hr_a)
    first = transcripts.transcript(session, hr, user_id=world.officer_a.id).rows[0]
    assert first.certificate_id is not None
    certificates.reissue(session, hr, certificate_id=first.certificate_id, now=NOW)
    second = transcripts.transcript(session, hr, user_id=world.officer_a.id).rows[1]
    assert second.certificate_id is not None
    certificates.revoke(session, hr, certificate_id=second.certificate_id, reason="Sai", now=NOW)
    rows = transcripts.transcript(session, hr, user_id=world.officer_a.id).rows
    assert [(r.status, r.copies) for r in rows] == [("valid", 1), ("revoked", 0), (None, 0)]
    # Without a certificate the row still counts, from the course itself.
    assert (rows[2].serial, rows[2].training_minutes, rows[2].completed_at) == (
        None,
        270,
        cycles[2].completed_at,
    )


def test_an_officer_reads_their_own_and_staff_in_scope_read_any(session: Session, world: World) -> None:
    history(session, world)
    mine = transcripts.my_transcript(session, world.actor(session, world.officer_a))
    assert len(mine.rows) == 3
    for staff in (world.hr_a, world.coord_a, world.admin):
        found = transcripts.transcript(session, world.actor(session, staff), user_id=world.officer_a.id)
        assert found.total_minutes == 630
    for outsider in (world.officer_b, world.coord_b):
        with pytest.raises(NotFound):
            transcripts.transcript(session, world.actor(session, outsider), user_id=world.officer_a.id)
    with pytest.raises(PermissionDenied):
        transcripts.my_transcript(session, ANONYMOUS)


def test_nothing_completed_gives_an_empty_transcript(session: Session, world: World) -> None:
    found = transcripts.my_transcript(session, world.actor(session, world.officer_b))
    assert (list(found.rows), list(found.years), found.total_minutes) == ([], [], 0)
