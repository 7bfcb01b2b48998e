from dataclasses import astuple
from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound, PermissionDenied
from app.orgs.permissions import SYSTEM
from app.reports import completion, officers, periods
from app.reports.completion import UnitLine
from app.reports.scope import Period
from tests.reports.conftest import TODAY, Data, at

ALL = Period()


def units(lines: list[UnitLine]) -> list[tuple[str, bool, tuple[int, ...]]]:
    return [(line.unit.code, line.own, astuple(line.counts)) for line in lines]


class TestByUnit:
    def test_hr_sees_their_top_unit_with_its_whole_subtree(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        report = completion.completion_by_unit(session, hr, period=ALL, today=TODAY)
        assert units(report.lines) == [("SA", False, (7, 5, 1, 1, 0))]
        assert report.lines[0].has_children
        assert (astuple(report.total), report.total.rate) == ((7, 5, 1, 1, 0), 71.4)

    def test_drill_down_rolls_up_children_and_counts_completion_in_the_unit_of_that_day(
        self, session: Session, data: Data
    ) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        report = completion.completion_by_unit(session, hr, unit_id=data.a.id, period=ALL, today=TODAY)
        # A1 keeps MOV's completion though MOV is in B now; MOV2 completed at 00:30 local time on
        # the day of joining A2 (still 31 March in UTC), so it counts in A2; MOV3 had not
        # completed and counts in B, where MOV3 is now.
        assert units(report.lines) == [
            ("SA-P1", False, (5, 3, 1, 1, 0)),
            ("SA-P2", False, (2, 2, 0, 0, 0)),
            ("SA", True, (0, 0, 0, 0, 0)),
        ]
        assert [line.counts.rate for line in report.lines] == [60.0, 100.0, 0.0]
        assert [line.has_children for line in report.lines] == [False, False, False]
        assert [u.code for u in report.scope.trail] == []

    def test_admin_sees_the_whole_tree_and_other_units(self, session: Session, data: Data) -> None:
        admin = data.world.actor(session, data.world.admin)
        top = completion.completion_by_unit(session, admin, period=ALL, today=TODAY)
        assert units(top.lines) == [("TP", False, (9, 5, 2, 2, 0))]
        below = completion.completion_by_unit(
            session, admin, unit_id=data.world.root.id, period=ALL, today=TODAY
        )
        assert units(below.lines) == [
            ("SA", False, (7, 5, 1, 1, 0)),
            ("SB", False, (2, 0, 1, 1, 0)),
            ("TP", True, (0, 0, 0, 0, 0)),
        ]
        leaf = completion.completion_by_unit(session, admin, unit_id=data.a1.id, period=ALL, today=TODAY)
        assert [u.code for u in leaf.scope.trail] == ["TP", "SA"]
        assert units(leaf.lines) == [("SA-P1", True, (5, 3, 1, 1, 0))]
        assert units(completion.completion_by_unit(session, SYSTEM, period=ALL, today=TODAY).lines) == units(
            top.lines
        )

    def test_coordinator_of_b_sees_only_b(self, session: Session, data: Data) -> None:
        coord_b = data.world.actor(session, data.world.coord_b)
        report = completion.completion_by_unit(session, coord_b, period=ALL, today=TODAY)
        assert units(report.lines) == [("SB", False, (2, 0, 1, 1, 0))]

    def test_units_outside_the_actors_subtrees_are_not_found(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        for unit in (data.b, data.world.root):
            with pytest.raises(NotFound):
                completion.completion_by_unit(session, hr, unit_id=unit.id, period=ALL, today=TODAY)
        with pytest.raises(NotFound):
            officers.unit_officers(session, hr, unit_id=data.b.id, period=ALL, today=TODAY)
        officer = data.world.actor(session, data.world.officer_b)
        with pytest.raises(PermissionDenied):
            completion.completion_by_unit(session, officer, period=ALL, today=TODAY)
        with pytest.raises(NotFound):
            completion.completion_by_unit(session, officer, unit_id=data.b.id, period=ALL, today=TODAY)

    def test_open_enrolments_are_overdue_after_the_due_date(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        report = completion.completion_by_unit(
            session, hr, unit_id=data.a.id, period=ALL, today=date(2026, 7, 1)
        )
        assert units(report.lines)[0] == ("SA-P1", False, (5, 3, 0, 0, 2))

    def test_periods_filter_on_enrolment_or_completion_dates(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        enrolled = Period(date(2026, 4, 1), None, "enrolled")
        report = completion.completion_by_unit(session, hr, unit_id=data.a.id, period=enrolled, today=TODAY)
        assert [astuple(line.counts) for line in report.lines] == [(1, 1, 0, 0, 0), (0,) * 5, (0,) * 5]
        march = Period(date(2026, 3, 1), date(2026, 3, 31), "completed")
        report = completion.completion_by_unit(session, hr, unit_id=data.a.id, period=march, today=TODAY)
        # MOV2's completion is on 1 April in local time.
        assert [astuple(line.counts) for line in report.lines] == [(1, 1, 0, 0, 0), (1, 1, 0, 0, 0), (0,) * 5]
        with pytest.raises(InvalidInput):
            Period(date(2026, 3, 2), date(2026, 3, 1))

    def test_table_rows_are_the_report_rows(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        table = completion.completion_by_unit_table(
            session, hr, unit_id=data.a.id, period=ALL, today=TODAY, language="en"
        )
        assert (table.name, [c.key for c in table.columns][:3]) == (
            "hoan-thanh-theo-don-vi",
            ["unit_code", "unit", "counted"],
        )
        assert [tuple(r) for r in table.rows(session)] == [
            ("SA-P1", "Phòng Công chức", "Unit and sub-units", 5, 3, 1, 1, 0, 60.0),
            ("SA-P2", "Phòng Đào tạo", "Unit and sub-units", 2, 2, 0, 0, 0, 100.0),
            ("SA", "Sở Nội vụ", "Unit only", 0, 0, 0, 0, 0, 0.0),
        ]
        with pytest.raises(NotFound):
            completion.completion_by_unit_table(session, hr, unit_id=data.b.id, period=ALL, today=TODAY)


class TestGroupings:
    def test_by_course_class_and_category(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        by_course = completion.completion_by_course(session, hr, period=ALL, today=TODAY)
        assert [(x.slug, astuple(x.counts)) for x in by_course.lines] == [
            ("khoa-hoc-hai", (1, 1, 0, 0, 0)),
            ("khoa-hoc-mau", (6, 4, 1, 1, 0)),
        ]
        assert astuple(by_course.total) == (7, 5, 1, 1, 0)
        by_class = completion.completion_by_class(session, hr, period=ALL, today=TODAY)
        assert [(x.code, x.due_on, astuple(x.counts)) for x in by_class.lines] == [
            ("L1", date(2026, 6, 30), (6, 4, 1, 1, 0)),
            ("L2", None, (1, 1, 0, 0, 0)),
        ]
        by_category = completion.completion_by_category(session, hr, period=ALL, today=TODAY)
        assert [(x.category, astuple(x.counts)) for x in by_category.lines] == [
            ("can_bo", (0, 0, 0, 0, 0)),
            ("cong_chuc", (6, 4, 1, 1, 0)),
            ("vien_chuc", (1, 1, 0, 0, 0)),
            ("other", (0, 0, 0, 0, 0)),
        ]

    def test_a_unit_narrows_every_grouping_and_b_sees_its_own(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        in_a2 = completion.completion_by_course(session, hr, unit_id=data.a2.id, period=ALL, today=TODAY)
        assert [(x.slug, astuple(x.counts)) for x in in_a2.lines] == [("khoa-hoc-mau", (2, 2, 0, 0, 0))]
        coord_b = data.world.actor(session, data.world.coord_b)
        of_b = completion.completion_by_class(session, coord_b, period=ALL, today=TODAY)
        assert [(x.code, astuple(x.counts)) for x in of_b.lines] == [("L1", (2, 0, 1, 1, 0))]
        with pytest.raises(NotFound):
            completion.completion_by_category(session, coord_b, unit_id=data.a.id, period=ALL, today=TODAY)

    def test_tables_of_the_groupings(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        courses = completion.completion_by_course_table(session, hr, period=ALL, today=TODAY, language="en")
        assert [tuple(r) for r in courses.rows(session)] == [
            ("khoa-hoc-hai", "Second course", 1, 1, 0, 0, 0, 100.0),
            ("khoa-hoc-mau", "Sample course", 6, 4, 1, 1, 0, 66.7),
        ]
        classes = completion.completion_by_class_table(session, hr, period=ALL, today=TODAY, language="vi")
        assert [tuple(r) for r in classes.rows(session)] == [
            ("L1", "Lớp một", "Khoá học mẫu", date(2026, 6, 30), 6, 4, 1, 1, 0, 66.7),
            ("L2", "Lớp hai", "Khoá học hai", None, 1, 1, 0, 0, 0, 100.0),
        ]
        categories = completion.completion_by_category_table(
            session, hr, period=ALL, today=TODAY, language="vi"
        )
        assert [tuple(r) for r in categories.rows(session)] == [
            ("cán bộ", 0, 0, 0, 0, 0, 0.0),
            ("công chức", 6, 4, 1, 1, 0, 66.7),
            ("viên chức", 1, 1, 0, 0, 0, 100.0),
            ("khác", 0, 0, 0, 0, 0, 0.0),
        ]


class TestMonths:
    def test_completions_fall_in_their_local_month(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        report = periods.completions_by_month(
            session, hr, start=date(2026, 1, 1), end=date(2026, 4, 30), today=TODAY
        )
        assert [(x.month, x.completed) for x in report.lines] == [
            (date(2026, 1, 1), 0),
            (date(2026, 2, 1), 1),
            (date(2026, 3, 1), 2),
            (date(2026, 4, 1), 2),
        ]
        assert report.total == 5
        table = periods.completions_by_month_table(
            session, hr, start=date(2026, 1, 1), end=date(2026, 4, 30), today=TODAY
        )
        assert [tuple(r) for r in table.rows(session)] == [
            ("01/2026", 0),
            ("02/2026", 1),
            ("03/2026", 2),
            ("04/2026", 2),
        ]

    def test_the_default_range_is_twelve_months_and_scope_applies(self, session: Session, data: Data) -> None:
        coord_b = data.world.actor(session, data.world.coord_b)
        report = periods.completions_by_month(session, coord_b, today=TODAY)
        assert (report.period.start, report.period.end, len(report.lines)) == (
            date(2025, 6, 1),
            TODAY,
            12,
        )
        assert report.total == 0


class TestOfficers:
    def test_the_officers_counted_in_a_unit_with_their_enrolments(self, session: Session, data: Data) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        listing = officers.unit_officers(session, hr, unit_id=data.a1.id, period=ALL, today=TODAY)
        assert [(r.officer_code, r.class_code, r.status, r.unit_code) for r in listing.lines] == [
            ("MOV", "L1", "completed", "SA-P1"),
            ("P1", "L1", "in_progress", "SA-P1"),
            ("P2", "L1", "not_started", "SA-P1"),
            ("HVA", "L1", "completed", "SA-P1"),
            ("HVA", "L2", "completed", "SA-P1"),
        ]
        assert (listing.total_rows, listing.pages, astuple(listing.counts)) == (5, 1, (5, 3, 1, 1, 0))
        done = officers.unit_officers(
            session, hr, unit_id=data.a.id, period=ALL, today=TODAY, status="completed"
        )
        assert sorted(r.officer_code for r in done.lines) == ["HVA", "HVA", "MOV", "MOV2", "Q1"]
        with pytest.raises(InvalidInput):
            officers.unit_officers(session, hr, unit_id=data.a.id, period=ALL, today=TODAY, status="x")

    def test_pages_and_the_table_carries_every_row(
        self, session: Session, data: Data, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hr = data.world.actor(session, data.world.hr_a)
        monkeypatch.setattr(officers, "PAGE_SIZE", 2)
        second = officers.unit_officers(session, hr, unit_id=data.a1.id, period=ALL, today=TODAY, page=2)
        assert [(r.officer_code, r.class_code) for r in second.lines] == [("P2", "L1"), ("HVA", "L1")]
        assert (second.page, second.pages) == (2, 3)
        table = officers.unit_officers_table(
            session, hr, unit_id=data.a1.id, period=ALL, today=TODAY, language="en"
        )
        rows = [tuple(r) for r in table.rows(session)]
        assert len(rows) == 5
        mov = rows[0]
        assert mov[:6] == ("MOV", "Phạm Minh Anh", "Phòng Công chức", "L1", "Lớp một", "Sample course")
        assert (mov[7], mov[8], mov[9]) == (date(2026, 6, 30), "completed", at(2026, 3, 10))
        assert [r[8] for r in rows[1:]] == ["in_progress", "not_started", "completed", "completed"]
