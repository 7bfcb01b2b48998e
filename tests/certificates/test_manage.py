"""Revoking and reissuing (rules, audit, scope by the unit at completion), who may read a
certificate, and what the public check gives away."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import move_officer
from app.audit.models import AuditEvent
from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.orgs.permissions import ANONYMOUS, ROLE_PERMISSIONS, SYSTEM, Actor, Grant
from tests.certificates.conftest import complete_plain
from tests.world import World

pytestmark = pytest.mark.usefixtures("plain_course")
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.fixture
def certificate(session: Session, world: World) -> Certificate:
    return complete_plain(session, world)


def events(session: Session, action: str) -> list[tuple[int | None, str | None, dict[str, object]]]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(e.actor_id, e.target_id, e.details) for e in rows]


def without_rights(world: World) -> Actor:
    """Someone who looks after unit A with a role that carries no certificate rights."""
    return Actor(user_id=None, label="viewer", grants=(Grant("viewer", world.dept_a.id, world.dept_a.path),))


class TestRevoke:
    def test_hr_revokes_with_a_reason_and_it_is_audited(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        hr = world.actor(session, world.hr_a)
        done = certificates.revoke(
            session, hr, certificate_id=certificate.id, reason="  Gian lận   khi làm bài  ", now=NOW
        )
        assert (done.status, done.revoked_at, done.revoked_by_id, done.revoked_reason) == (
            "revoked",
            NOW,
            world.hr_a.id,
            "Gian lận khi làm bài",
        )
        assert events(session, "certificate.revoke") == [
            (
                world.hr_a.id,
                certificate.serial,
                {"user_id": world.officer_a.id, "reason": "Gian lận khi làm bài"},
            )
        ]

    def test_revoking_twice_is_a_conflict(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        hr = world.actor(session, world.hr_a)
        certificates.revoke(session, hr, certificate_id=certificate.id, reason="Sai sót", now=NOW)
        with pytest.raises(Conflict):
            certificates.revoke(session, hr, certificate_id=certificate.id, reason="Lần nữa", now=NOW)
        assert len(events(session, "certificate.revoke")) == 1

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
    def test_a_reason_is_required_and_bounded(
        self, session: Session, world: World, certificate: Certificate, reason: str
    ) -> None:
        with pytest.raises(InvalidInput):
            certificates.revoke(
                session,
                world.actor(session, world.coord_a),
                certificate_id=certificate.id,
                reason=reason,
                now=NOW,
            )
        assert session.get_one(Certificate, certificate.id).status == "valid"


class TestReissue:
    def test_each_reissue_is_a_numbered_certified_copy_with_the_same_serial(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        coordinator = world.actor(session, world.coord_a)
        serial = certificate.serial
        first = certificates.reissue(session, coordinator, certificate_id=certificate.id, now=NOW)
        assert (first.serial, first.copies, first.last_copy_at, first.status) == (serial, 1, NOW, "valid")
        later = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        second = certificates.reissue(session, coordinator, certificate_id=certificate.id, now=later)
        assert (second.serial, second.copies, second.last_copy_at) == (serial, 2, later)
        assert events(session, "certificate.reissue") == [
            (world.coord_a.id, serial, {"user_id": world.officer_a.id, "copy": 1}),
            (world.coord_a.id, serial, {"user_id": world.officer_a.id, "copy": 2}),
        ]

    def test_a_revoked_certificate_is_not_reissued(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        admin = world.actor(session, world.admin)
        certificates.revoke(session, admin, certificate_id=certificate.id, reason="Cấp nhầm", now=NOW)
        with pytest.raises(Conflict):
            certificates.reissue(session, admin, certificate_id=certificate.id, now=NOW)
        assert session.get_one(Certificate, certificate.id).copies == 0


class TestScope:
    @pytest.mark.parametrize("who", ["coord_b", "officer_b", "officer_a"])
    def test_outside_the_unit_at_completion_it_is_not_found(
        self, session: Session, world: World, certificate: Certificate, who: str
    ) -> None:
        actor = world.actor(session, getattr(world, who))
        with pytest.raises(NotFound):
            certificates.revoke(session, actor, certificate_id=certificate.id, reason="Lý do", now=NOW)
        with pytest.raises(NotFound):
            certificates.reissue(session, actor, certificate_id=certificate.id, now=NOW)

    def test_in_scope_without_the_right_it_is_forbidden(
        self, session: Session, world: World, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(ROLE_PERMISSIONS, "viewer", frozenset())
        with pytest.raises(PermissionDenied):
            certificates.reissue(session, without_rights(world), certificate_id=certificate.id, now=NOW)
        with pytest.raises(PermissionDenied):
            certificates.get_certificate(session, without_rights(world), certificate_id=certificate.id)
        with pytest.raises(PermissionDenied):
            certificates.revoke(session, ANONYMOUS, certificate_id=certificate.id, reason="x", now=NOW)

    def test_the_unit_at_completion_decides_who_manages_after_a_move(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        move_officer(
            session,
            SYSTEM,
            user_id=world.officer_a.id,
            unit_id=world.dept_b.id,
            effective_on=date(2026, 7, 1),
        )
        coord_b = world.actor(session, world.coord_b)
        with pytest.raises(NotFound):
            certificates.reissue(session, coord_b, certificate_id=certificate.id, now=NOW)
        # The officer's new unit may read it, and sees that someone else manages it.
        assert (
            certificates.get_certificate(session, coord_b, certificate_id=certificate.id).id == certificate.id
        )
        rows = certificates.officer_certificates(session, coord_b, user_id=world.officer_a.id)
        assert [(r.certificate.id, r.unit_name, r.can_manage) for r in rows] == [
            (certificate.id, "Phòng Công chức", False)
        ]
        hr_a = world.actor(session, world.hr_a)
        assert certificates.reissue(session, hr_a, certificate_id=certificate.id, now=NOW).copies == 1

    def test_the_owner_and_staff_in_scope_read_it_and_nobody_else(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        for reader in (world.officer_a, world.hr_a, world.coord_a, world.admin):
            got = certificates.get_certificate(
                session, world.actor(session, reader), certificate_id=certificate.id
            )
            assert got.id == certificate.id
        for outsider in (world.officer_b, world.coord_b):
            with pytest.raises(NotFound):
                certificates.get_certificate(
                    session, world.actor(session, outsider), certificate_id=certificate.id
                )
        with pytest.raises(NotFound):
            certificates.get_certificate(session, SYSTEM, certificate_id=certificate.id + 1000)


class TestLists:
    def test_my_certificates_are_mine_newest_first(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        complete_plain(session, world, world.officer_b)
        mine = certificates.my_certificates(session, world.actor(session, world.officer_a))
        assert [c.id for c in mine] == [certificate.id]
        by_course = certificates.my_certificates_by_course(session, world.actor(session, world.officer_a))
        assert by_course == {certificate.course_id: certificate}
        with pytest.raises(PermissionDenied):
            certificates.my_certificates(session, ANONYMOUS)

    def test_staff_list_an_officer_in_scope_only(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        rows = certificates.officer_certificates(
            session, world.actor(session, world.hr_a), user_id=world.officer_a.id
        )
        assert [(r.certificate.serial, r.unit_name, r.can_manage) for r in rows] == [
            (certificate.serial, "Phòng Công chức", True)
        ]
        with pytest.raises(NotFound):
            certificates.officer_certificates(
                session, world.actor(session, world.coord_b), user_id=world.officer_a.id
            )


class TestVerify:
    def test_the_public_check_shows_only_name_course_date_and_status(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        certificates.reissue(
            session, world.actor(session, world.hr_a), certificate_id=certificate.id, now=NOW
        )
        check = certificates.verify(session, verify_code=certificate.verify_code)
        assert asdict(check) == {
            "full_name": "Nguyễn Văn Đức",
            "course_title_vi": "Kỹ năng số cho bộ phận một cửa",
            "course_title_en": "Digital skills for the one-stop desk",
            "completed_at": certificate.completed_at,
            "status": "valid",
            "copies": 1,
        }

    def test_a_revocation_shows_at_once(
        self, session: Session, world: World, certificate: Certificate
    ) -> None:
        certificates.revoke(
            session, world.actor(session, world.hr_a), certificate_id=certificate.id, reason="Sai", now=NOW
        )
        assert certificates.verify(session, verify_code=certificate.verify_code).status == "revoked"

    @pytest.mark.parametrize("code", ["", "khong-co-ma-nay", "x" * 200])
    def test_an_unknown_code_is_not_found(
        self, session: Session, code: str, certificate: Certificate
    ) -> None:
        with pytest.raises(NotFound):
            certificates.verify(session, verify_code=code)

    def test_the_verification_address_uses_the_public_url(self) -> None:
        assert (
            certificates.verification_url("https://hocso.example.gov.vn/", "abc_DEF-123")
            == "https://hocso.example.gov.vn/verify/abc_DEF-123"
        )
