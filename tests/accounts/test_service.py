import unicodedata
from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.accounts import service
from app.errors import Conflict, NotFound, PermissionDenied
from tests.factories import make_officer
from tests.world import World


def names(session: Session, world: World, query: str, who: str = "admin") -> list[str]:
    actor = world.actor(session, getattr(world, who))
    return [r.user.full_name for r in service.search_officers(session, actor, query=query)]


class TestSearch:
    def test_accent_insensitive_and_combining_marks(self, session: Session, world: World) -> None:
        assert names(session, world, "nguyen van duc") == ["Nguyễn Văn Đức"]
        assert names(session, world, unicodedata.normalize("NFD", "Nguyễn Văn Đức")) == ["Nguyễn Văn Đức"]
        assert names(session, world, "hva") == ["Nguyễn Văn Đức"]

    def test_vietnamese_order_by_given_name(self, session: Session, world: World) -> None:
        assert names(session, world, "") == [
            "Hoàng Thị An",
            "Lê Văn Điều",
            "Nguyễn Văn Đức",
            "Phạm Thị Nhân",
            "Trần Văn Phối",
            "Quản Trị Viên",
        ]

    def test_scoped_to_the_actor_units(self, session: Session, world: World) -> None:
        assert names(session, world, "", "coord_b") == ["Hoàng Thị An", "Trần Văn Phối"]
        with pytest.raises(PermissionDenied):
            names(session, world, "", "officer_a")


class TestRecords:
    def test_officer_outside_scope_is_not_found(self, session: Session, world: World) -> None:
        with pytest.raises(NotFound):
            service.get_officer(session, world.actor(session, world.hr_a), world.officer_b.id)
        assert service.get_officer(session, world.actor(session, world.officer_a), world.officer_a.id)

    def test_duplicate_code_and_email_are_conflicts(self, session: Session, world: World) -> None:
        with pytest.raises(Conflict):
            make_officer(session, world.dept_a, officer_code="HVA")
        with pytest.raises(Conflict):
            make_officer(session, world.dept_a, email="DUC@example.gov.vn")

    def test_move_is_dated(self, session: Session, world: World) -> None:
        hr = world.actor(session, world.admin)
        service.move_officer(
            session, hr, user_id=world.officer_a.id, unit_id=world.dept_b.id, effective_on=date(2026, 5, 1)
        )
        assert service.unit_on(session, world.officer_a.id, date(2026, 4, 30)) == world.room_a.id
        assert service.unit_on(session, world.officer_a.id, date(2026, 5, 1)) == world.dept_b.id
        with pytest.raises(NotFound):
            service.move_officer(
                session,
                world.actor(session, world.hr_a),
                user_id=world.officer_b.id,
                unit_id=world.dept_a.id,
                effective_on=date(2026, 5, 1),
            )


class TestUpdate:
    def test_hr_edits_and_each_change_is_audited(self, session: Session, world: World) -> None:
        from sqlalchemy import select

        from app.audit.models import AuditEvent

        hr = world.actor(session, world.hr_a)
        user = service.update_officer(
            session,
            hr,
            user_id=world.officer_a.id,
            changes={
                "full_name": "Nguyễn  Văn Đức",
                "position": "Chuyên viên chính",
                "birth_date": date(1990, 1, 2),
                "email": "DUC@example.gov.vn",
            },
        )
        assert (user.position, user.email) == ("Chuyên viên chính", "duc@example.gov.vn")
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "officer.update")).one()
        assert event.details == {"position": "Chuyên viên chính", "birth_date": "1990-01-02"}

    def test_deactivation_and_scope(self, session: Session, world: World) -> None:
        service.update_officer(
            session, world.actor(session, world.admin), user_id=world.officer_b.id, changes={"active": False}
        )
        assert world.officer_b.active is False
        with pytest.raises(NotFound):
            service.update_officer(
                session,
                world.actor(session, world.hr_a),
                user_id=world.officer_b.id,
                changes={"active": True},
            )
        with pytest.raises(PermissionDenied):
            service.update_officer(
                session,
                world.actor(session, world.coord_a),
                user_id=world.officer_a.id,
                changes={"active": False},
            )
        with pytest.raises(Conflict):
            service.update_officer(
                session,
                world.actor(session, world.admin),
                user_id=world.officer_b.id,
                changes={"email": "duc@example.gov.vn"},
            )
