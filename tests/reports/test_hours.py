from dataclasses import astuple

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.reports import hours, requirements
from app.reports.hours import HoursLine
from tests.reports.conftest import Data
from tests.world import World


def set_requirement(session: Session, world: World, year: int, category: str, minutes: int) -> None:
    requirements.set_requirement(
        session, world.actor(session, world.admin), year=year, category=category, minutes=minutes
    )


def compliance(lines: list[HoursLine]) -> list[tuple[str, bool, tuple[int, ...], float | None]]:
    return [(x.unit.code, x.own, astuple(x.compliance), x.compliance.share) for x in lines]


class TestRequirements:
    def test_none_by_default_and_only_admins_change_them_with_an_audit(
        self, session: Session, world: World
    ) -> None:
        hr = world.actor(session, world.hr_a)
        assert requirements.list_requirements(session, hr) == []
        with pytest.raises(PermissionDenied):
            requirements.set_requirement(session, hr, year=2026, category="cong_chuc", minutes=60)
        with pytest.raises(PermissionDenied):
            requirements.managed_requirements(session, hr)
        set_requirement(session, world, 2026, "cong_chuc", 180)
        set_requirement(session, world, 2026, "cong_chuc", 240)
        set_requirement(session, world, 2025, "vien_chuc", 60)
        assert [(r.year, r.category, r.minutes) for r in requirements.list_requirements(session, hr)] == [
            (2026, "cong_chuc", 240),
            (2025, "vien_chuc", 60),
        ]
        assert [r.year for r in requirements.list_requirements(session, hr, year=2025)] == [2025]
        admin = world.actor(session, world.admin)
        requirements.delete_requirement(session, admin, year=2025, category="vien_chuc")
        with pytest.raises(NotFound):
            requirements.delete_requirement(session, admin, year=2025, category="vien_chuc")
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith("requirement.")).order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.details.get("minutes"), e.details["old_minutes"]) for e in events] == [
            ("requirement.set", 180, None),
            ("requirement.set", 240, 180),
            ("requirement.set", 60, None),
            ("requirement.delete", None, 60),
        ]

    def test_bad_values_are_refused(self, session: Session, world: World) -> None:
        for year, category, minutes in ((1999, "cong_chuc", 60), (2026, "sep", 60), (2026, "cong_chuc", 0)):
            with pytest.raises(InvalidInput):
                set_requirement(session, world, year, category, minutes)

    def test_hours_as_typed_become_minutes(self) -> None:
        assert [requirements.hours_to_minutes(t) for t in ("8", "7,5", " 1.25 ")] == [480, 450, 75]
        for bad in ("tám", "", "nan"):
            with pytest.raises(InvalidInput):
                requirements.hours_to_minutes(bad)


class TestCompliance:
    def test_units_roll_up_and_categories_without_a_requirement_never_fail(
        self, session: Session, data: Data
    ) -> None:
        set_requirement(session, data.world, 2026, "cong_chuc", 180)
        hr = data.world.actor(session, data.world.hr_a)
        top = hours.hours_by_unit(session, hr, year=2026)
        assert compliance(top.lines) == [("SA", False, (7, 6, 1), 16.7)]
        assert (top.requirements, top.total.below, top.total.no_requirement) == ({"cong_chuc": 180}, 5, 1)
        # HVA earned 2 + 1.5 hours and meets 3; P1 and P2 none. Q1 (viên chức) has no requirement.
        # MOV2 earned 2 hours. The inactive officer and those who moved to B are not counted.
        report = hours.hours_by_unit(session, hr, unit_id=data.a.id, year=2026)
        assert compliance(report.lines) == [
            ("SA-P1", False, (3, 3, 1), 33.3),
            ("SA-P2", False, (2, 1, 0), 0.0),
            ("SA", True, (2, 2, 0), 0.0),
        ]
        coord_b = data.world.actor(session, data.world.coord_b)
        assert compliance(hours.hours_by_unit(session, coord_b, year=2026).lines) == [
            ("SB", False, (4, 4, 0), 0.0)
        ]
        no_rule = hours.hours_by_unit(session, hr, year=2027)
        assert compliance(no_rule.lines) == [("SA", False, (7, 0, 0), None)]
        with pytest.raises(NotFound):
            hours.hours_by_unit(session, hr, unit_id=data.b.id, year=2026)
        with pytest.raises(InvalidInput):
            hours.hours_by_unit(session, hr, year=1990)

    def test_officers_below_their_requirement_with_the_shortfall(self, session: Session, data: Data) -> None:
        set_requirement(session, data.world, 2026, "cong_chuc", 180)
        hr = data.world.actor(session, data.world.hr_a)
        listing = hours.shortfalls(session, hr, year=2026)
        assert [
            (x.officer_code, x.earned_minutes, x.required_minutes, x.shortfall_minutes) for x in listing.lines
        ] == [
            ("P1", 0, 180, 180),
            ("P2", 0, 180, 180),
            ("DPA", 0, 180, 180),
            ("MOV2", 120, 180, 60),
            ("HRA", 0, 180, 180),
        ]
        assert (listing.total_rows, listing.pages) == (5, 1)
        table = hours.shortfalls_table(session, hr, year=2026, language="vi")
        assert [tuple(r) for r in table.rows(session)][3] == (
            "MOV2",
            "Võ Thị Em",
            "Phòng Đào tạo",
            "công chức",
            2.0,
            3.0,
            1.0,
        )
        assert [c.kind for c in table.columns][-3:] == ["hours", "hours", "hours"]

    def test_a_course_counts_once_a_year_however_often_it_is_completed(
        self, session: Session, data: Data
    ) -> None:
        # HVA completed course Y (1.5 hours) twice in 2025: 1.5 hours, short of 2 by half an hour.
        set_requirement(session, data.world, 2025, "cong_chuc", 120)
        hr = data.world.actor(session, data.world.hr_a)
        listing = hours.shortfalls(session, hr, unit_id=data.a1.id, year=2025)
        assert [(x.officer_code, x.earned_minutes, x.shortfall_minutes) for x in listing.lines] == [
            ("P1", 0, 120),
            ("P2", 0, 120),
            ("HVA", 90, 30),
        ]

    def test_table_of_the_unit_summary(self, session: Session, data: Data) -> None:
        set_requirement(session, data.world, 2026, "cong_chuc", 180)
        hr = data.world.actor(session, data.world.hr_a)
        table = hours.hours_by_unit_table(session, hr, unit_id=data.a.id, year=2026, language="en")
        assert table.name == "gio-boi-duong-2026"
        assert [tuple(r) for r in table.rows(session)] == [
            ("SA-P1", "Phòng Công chức", "Unit and sub-units", 3, 0, 3, 1, 2, 33.3),
            ("SA-P2", "Phòng Đào tạo", "Unit and sub-units", 2, 1, 1, 0, 1, 0.0),
            ("SA", "Sở Nội vụ", "Unit only", 2, 0, 2, 0, 2, 0.0),
        ]
