from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Placement, User
from app.accounts.roster import read_roster
from app.accounts.roster_import import Change, Move, RosterPlan, import_roster
from app.audit.models import AuditEvent
from app.errors import PermissionDenied
from tests.factories import make_officer
from tests.world import World

ON = date(2026, 8, 1)
NOT_A_CATEGORY = "'giám đốc' is not a category: use cán bộ, công chức, viên chức or khác"
HEADER_VI = "Mã cán bộ;Họ và tên;Ngày sinh;Email;Đơn vị;Loại cán bộ;Chức vụ\n"


def run(
    session: Session,
    world: World,
    text: str,
    *,
    who: str = "hr_a",
    name: str = "ds.csv",
    bom: bool = True,
    **options: bool,
) -> RosterPlan:
    data = (("\ufeff" if bom else "") + text).encode()
    return import_roster(
        session, world.actor(session, getattr(world, who)), filename=name, data=data, on=ON, **options
    )


class TestReading:
    def test_vietnamese_headers_semicolons_bom_and_dates(self) -> None:
        parsed = read_roster(
            "ds.csv",
            (
                "\ufeff" + HEADER_VI + "CB1;Trần  Thị Bình;05/03/1990;Binh@X.vn;SA;Công chức;Chuyên viên\n"
            ).encode(),
        )
        assert parsed.errors == []
        row = parsed.rows[0]
        assert (row.officer_code, row.full_name, row.birth_date, row.email, row.unit, row.category) == (
            "CB1",
            "Trần Thị Bình",
            date(1990, 3, 5),
            "binh@x.vn",
            "SA",
            "cong_chuc",
        )

    def test_english_headers_with_commas_and_no_bom(self) -> None:
        parsed = read_roster("x.csv", b"Officer code,Full name,Unit\nCB2,Le Van C,SB\n")
        assert [(r.officer_code, r.unit) for r in parsed.rows] == [("CB2", "SB")]

    def test_every_bad_row_is_named_with_row_column_and_reason(self) -> None:
        text = (
            HEADER_VI
            + "CB1;;31/02/1990;khong-phai-email;SA;;\n"
            + 'CB2;=HYPERLINK("x");;;SA;giám đốc;\n'
            + "CB1;Lặp Mã;;;SA;;\n"
        )
        parsed = read_roster("ds.csv", text.encode())
        assert [str(e) for e in parsed.errors] == [
            "row 2, column 'Họ và tên': is empty",
            "row 2, column 'Ngày sinh': there is no such day as 31/02/1990",
            "row 2, column 'Email': 'khong-phai-email' is not an e-mail address",
            "row 3, column 'Họ và tên': starts with a formula sign (= + - @); remove it",
            "row 3, column 'Loại cán bộ': " + NOT_A_CATEGORY,
            "row 4, column 'Mã cán bộ': code CB1 also on row 2",
        ]

    def test_missing_required_columns(self) -> None:
        parsed = read_roster("x.csv", b"Ho ten,Email\nA,a@b.vn\n")
        assert [str(e) for e in parsed.errors][:2] == [
            "row 1: no column for Officer code (a header such as 'ma can bo' / 'ma cb' / 'code')",
            "row 1: no column for Unit (a header such as 'don vi' / 'ma don vi' / 'unit code')",
        ]

    def test_not_utf8_and_not_a_workbook(self) -> None:
        assert "not UTF-8" in str(read_roster("x.csv", b"M\xe3 c\xe1n b\xf4\n").errors[0])
        assert "not a valid .xlsx" in str(read_roster("x.xlsx", b"PK\x03\x04 nonsense").errors[0])
        assert "Use a .csv or .xlsx" in str(read_roster("x.pdf", b"%PDF").errors[0])

    def test_xlsx_with_real_dates(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["Mã CB", "Họ tên", "Ngày sinh", "Đơn vị"])
        sheet.append([1234, "Phạm Văn Dũng", date(1985, 12, 1), "SA"])
        buffer = BytesIO()
        book.save(buffer)
        parsed = read_roster("ds.xlsx", buffer.getvalue())
        assert parsed.errors == []
        assert (parsed.rows[0].officer_code, parsed.rows[0].birth_date) == ("1234", date(1985, 12, 1))


class TestImport:
    def test_new_updated_moved_unchanged(self, session: Session, world: World) -> None:
        text = HEADER_VI + (
            "MOI1;Đỗ Thị Mới;;moi1@example.gov.vn;SA-P1;viên chức;\n"
            "HVA;Nguyễn Văn Đức;;duc@example.gov.vn;Sở Nội vụ;công chức;Chuyên viên\n"
            "HRA;Phạm Thị Nhân;;hra@example.gov.vn;SA;công chức;\n"
        )
        plan = run(session, world, text)
        assert plan.ok, plan.errors
        assert (len(plan.new), len(plan.updates), len(plan.moves), plan.unchanged) == (1, 1, 1, 1)
        new = session.scalars(select(User).where(User.officer_code == "MOI1")).one()
        assert (new.full_name, new.unit_id, new.category, new.password_hash) == (
            "Đỗ Thị Mới",
            world.room_a.id,
            "vien_chuc",
            None,
        )
        moved = session.scalars(select(User).where(User.officer_code == "HVA")).one()
        assert (moved.unit_id, moved.position) == (world.dept_a.id, "Chuyên viên")
        spans = session.execute(
            select(Placement.unit_id, Placement.start_on, Placement.end_on)
            .where(Placement.user_id == moved.id)
            .order_by(Placement.id)
        ).all()
        assert [tuple(s) for s in spans] == [
            (world.room_a.id, date(2026, 1, 1), ON),
            (world.dept_a.id, ON, None),
        ]
        assert session.scalar(select(Placement.start_on).where(Placement.user_id == new.id)) == ON
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.import")).one()
        assert event.details["new"] == 1 and event.details["moved"] == 1
        # The preview names them: who is new, what changes for whom, who moves where.
        assert [(r["officer_code"], r["full_name"]) for r in plan.new] == [("MOI1", "Đỗ Thị Mới")]
        assert plan.changed == [Change("HVA", "Nguyễn Văn Đức", [("position", None, "Chuyên viên")])]
        assert plan.moved == [Move("HVA", "Nguyễn Văn Đức", "Phòng Công chức", "Sở Nội vụ")]

    def test_a_field_without_a_column_in_the_file_is_left_as_it_is(
        self, session: Session, world: World
    ) -> None:
        plan = run(session, world, "Mã cán bộ;Họ và tên;Đơn vị\nHVA;Nguyễn Văn Đức;SA-P1\n")
        assert (plan.ok, plan.updates, plan.unchanged) == (True, [], 1)
        officer = session.get(User, world.officer_a.id)
        assert officer is not None and (officer.email, officer.category) == (
            "duc@example.gov.vn",
            "cong_chuc",
        )

    def test_second_run_is_unchanged(self, session: Session, world: World) -> None:
        text = HEADER_VI + "MOI1;Đỗ Thị Mới;;;SA;viên chức;\n"
        run(session, world, text)
        again = run(session, world, text)
        assert (len(again.new), len(again.updates), again.unchanged) == (0, 0, 1)

    def test_any_problem_writes_nothing(self, session: Session, world: World) -> None:
        text = HEADER_VI + "MOI1;Đỗ Thị Mới;;;SA;;\nMOI2;Bùi Văn Hai;;;SB;;\nMOI3;Ba;;;KHONG-CO;;\n"
        plan = run(session, world, text)
        assert [str(e) for e in plan.errors] == [
            "row 3, column 'Đơn vị': 'SB' is outside the units you manage",
            "row 4, column 'Đơn vị': no open unit with code or name 'KHONG-CO'",
        ]
        assert session.scalars(select(User).where(User.officer_code.startswith("MOI"))).all() == []

    def test_every_problem_of_every_row_is_listed_in_row_and_column_order(
        self, session: Session, world: World
    ) -> None:
        text = HEADER_VI + (
            "MOI1;;31/02/1990;duc@example.gov.vn;KHONG-CO;;\n"
            "HVB;Hoàng Thị An;;;SA;;\n"
            "MOI2;Bùi Văn Hai;;;SB;giám đốc;\n"
        )
        plan = run(session, world, text)
        assert [str(e) for e in plan.errors] == [
            "row 2, column 'Họ và tên': is empty",
            "row 2, column 'Ngày sinh': there is no such day as 31/02/1990",
            "row 2, column 'Email': e-mail already belongs to HVA",
            "row 2, column 'Đơn vị': no open unit with code or name 'KHONG-CO'",
            "row 3, column 'Mã cán bộ': HVB belongs to a unit outside the ones you manage",
            "row 4, column 'Đơn vị': 'SB' is outside the units you manage",
            "row 4, column 'Loại cán bộ': " + NOT_A_CATEGORY,
        ]
        assert (plan.rows, plan.new, plan.updates) == (3, [], [])

    def test_email_of_another_officer_is_a_problem(self, session: Session, world: World) -> None:
        plan = run(session, world, HEADER_VI + "MOI1;Đỗ Thị Mới;;duc@example.gov.vn;SA;;\n")
        assert [str(e) for e in plan.errors] == ["row 2, column 'Email': e-mail already belongs to HVA"]

    def test_email_of_another_units_officer_does_not_name_them(self, session: Session, world: World) -> None:
        plan = run(session, world, HEADER_VI + "MOI1;Đỗ Thị Mới;;hvb@example.gov.vn;SA;;\n")
        assert [str(e) for e in plan.errors] == [
            "row 2, column 'Email': e-mail already belongs to an officer outside your units"
        ]

    def test_dry_run_and_deactivation_of_the_missing(self, session: Session, world: World) -> None:
        left = make_officer(session, world.dept_a, officer_code="HVX")
        text = HEADER_VI + "HVA;Nguyễn Văn Đức;;duc@example.gov.vn;SA-P1;công chức;\n"
        preview = run(session, world, text, dry_run=True, deactivate_missing=True)
        assert [code for _, code, _ in preview.deactivate] == ["HVX"]
        # The importer's own account and the unit's coordinator hold roles at the importer's
        # level: they are listed as kept, not deactivated (app.accounts.authority).
        assert sorted(code for _, code, _ in preview.kept) == ["DPA", "HRA"]
        assert session.get(User, left.id).active  # type: ignore[union-attr]
        run(session, world, text, deactivate_missing=True)
        session.expire_all()
        assert not session.get(User, left.id).active  # type: ignore[union-attr]
        assert session.get(User, world.coord_a.id).active  # type: ignore[union-attr]
        assert session.get(User, world.officer_b.id).active  # type: ignore[union-attr]  # outside the scope

    def test_officers_may_not_import(self, session: Session, world: World) -> None:
        with pytest.raises(PermissionDenied):
            run(session, world, HEADER_VI, who="officer_a")
