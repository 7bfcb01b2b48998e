import io
import os
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.tokens import create_token
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.reports.enrolments import EnrolmentFilter, enrolment_table, export_choices
from tests.reports.data import COMPLETED_AT, ENROLLED_AT, TODAY, Enrolled, log_in
from tests.world import World

TZ = "Asia/Ho_Chi_Minh"
HVA = ("HVA", "Nguyễn Văn Đức", "Phòng Công chức", "công chức", "LA", "Lớp kỹ năng số A", "Khoá học mẫu")
HRA = ("HRA", "Phạm Thị Nhân", "Sở Nội vụ", "công chức", "LA", "Lớp kỹ năng số A", "Khoá học mẫu")
DPA = ("DPA", "Lê Văn Điều", "Sở Nội vụ", "công chức", "LA", "Lớp kỹ năng số A", "Khoá học mẫu")


def _rows(
    session: Session, world: World, user: User, flt: EnrolmentFilter = EnrolmentFilter()
) -> list[tuple[object, ...]]:
    actor = world.actor(session, user)
    table = enrolment_table(session, actor, flt, language="vi", today=TODAY, timezone=TZ)
    return sorted((tuple(r) for r in table.rows(session)), key=lambda r: str(r[0]))


class TestEnrolmentRows:
    def test_hr_of_a_gets_every_enrolment_of_their_units_with_status_progress_and_scores(
        self, session: Session, world: World, enrolled: Enrolled
    ) -> None:
        rows = _rows(session, world, world.hr_a)
        assert [r[:9] for r in rows] == [
            (*DPA, "đã rút", "chưa bắt đầu"),
            (*HRA, "đang hoạt động", "đã hoàn thành"),
            (*HVA, "đang hoạt động", "đang học"),
        ]
        assert [r[10:] for r in rows] == [
            (enrolled.class_a.due_on, None, 0.0, None),
            (enrolled.class_a.due_on, COMPLETED_AT, 1.5, None),
            (enrolled.class_a.due_on, None, 0.0, 80.0),
        ]
        assert {r[9] for r in rows} == {ENROLLED_AT}

    def test_hr_of_a_never_gets_rows_of_unit_b_and_unit_b_is_not_found(
        self, session: Session, world: World, enrolled: Enrolled
    ) -> None:
        codes = {r[0] for r in _rows(session, world, world.hr_a)}
        assert codes.isdisjoint({"HVB", "DPB"})
        with pytest.raises(NotFound):
            _rows(session, world, world.hr_a, EnrolmentFilter(unit_id=world.dept_b.id))
        assert [r[0] for r in _rows(session, world, world.coord_b)] == ["DPB", "HVB"]

    def test_admin_sees_every_unit_and_filters_narrow_it(
        self, session: Session, world: World, enrolled: Enrolled
    ) -> None:
        assert [r[0] for r in _rows(session, world, world.admin)] == ["DPA", "DPB", "HRA", "HVA", "HVB"]
        room = EnrolmentFilter(unit_id=world.room_a.id)
        assert [r[0] for r in _rows(session, world, world.admin, room)] == ["HVA"]
        by_class = EnrolmentFilter(classroom_id=enrolled.class_b.id)
        assert [r[0] for r in _rows(session, world, world.admin, by_class)] == ["DPB", "HVB"]
        by_course = EnrolmentFilter(course_id=enrolled.course_id, enrolled_from=TODAY)
        assert _rows(session, world, world.admin, by_course) == []
        window = EnrolmentFilter(enrolled_from=TODAY.replace(day=1), enrolled_to=TODAY.replace(day=1))
        assert len(_rows(session, world, world.admin, window)) == 5

    def test_progress_turns_overdue_after_the_due_date_unless_completed(
        self, session: Session, world: World, enrolled: Enrolled
    ) -> None:
        actor = world.actor(session, world.hr_a)
        later = TODAY.replace(month=10, day=2)
        table = enrolment_table(session, actor, EnrolmentFilter(), language="en", today=later, timezone=TZ)
        assert sorted((r[0], r[7], r[8]) for r in table.rows(session)) == [
            ("DPA", "withdrawn", "overdue"),
            ("HRA", "active", "completed"),
            ("HVA", "active", "overdue"),
        ]

    def test_officers_without_a_role_and_bad_filters_are_refused(
        self, session: Session, world: World, enrolled: Enrolled
    ) -> None:
        with pytest.raises(PermissionDenied):
            _rows(session, world, world.officer_b)
        with pytest.raises(InvalidInput):
            backwards = EnrolmentFilter(enrolled_from=TODAY, enrolled_to=TODAY.replace(day=1))
            _rows(session, world, world.hr_a, backwards)
        with pytest.raises(NotFound):
            _rows(session, world, world.hr_a, EnrolmentFilter(classroom_id=999_999))

    def test_the_form_offers_only_the_actors_units_and_classes(
        self, session: Session, world: World, enrolled: Enrolled
    ) -> None:
        choices = export_choices(session, world.actor(session, world.hr_a))
        assert [u.code for u in choices.units] == ["SA", "SA-P1"]
        assert [c.code for c in choices.classes] == ["LA"]


class TestStreaming:
    def test_the_body_is_read_with_a_session_of_its_own_after_the_request_committed(
        self,
        client: TestClient,
        session: Session,
        world: World,
        enrolled: Enrolled,
        opened_sessions: list[Session],
    ) -> None:
        log_in(client, session, world.hr_a)
        events: list[str] = []
        event.listen(session, "after_commit", lambda _s: events.append("request committed"))
        page = client.get("/exports/enrolments")
        assert page.status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        opened_sessions.clear()
        statements: list[str] = []

        def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "FROM enrolments" in statement:
                statements.append(type(cursor).__name__)
                events.append("rows read")

        event.listen(session.connection(), "before_cursor_execute", seen)
        events.clear()
        response = client.post(
            "/exports/enrolments", data={"csrf_token": token.group(1), "action": "download", "format": "csv"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(
            r'attachment; filename="(ghi-danh-\d{4}-\d{2}-\d{2}\.csv)"; filename\*=UTF-8\'\'\1', disposition
        )
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Mã cán bộ,Họ và tên,Đơn vị,Loại cán bộ,")
        assert sorted(line.split(",")[0] for line in lines[1:]) == ["DPA", "HRA", "HVA"]
        assert len(opened_sessions) == 1 and opened_sessions[0] is not session
        assert events.index("request committed") < events.index("rows read")
        if os.environ.get("HOCSO_TEST_BACKEND") == "postgresql":
            # yield_per streams from a server-side cursor, not a fetch-everything one.
            assert statements == ["ServerCursor"]

    def test_xlsx_download_through_the_api_with_a_token_is_scoped_to_its_unit(
        self,
        client: TestClient,
        session: Session,
        world: World,
        enrolled: Enrolled,
        opened_sessions: list[Session],
    ) -> None:
        _token, secret = create_token(
            session, world.actor(session, world.admin), name="HRM", role="hr", unit_id=world.dept_b.id
        )
        session.commit()
        bearer = {"Authorization": f"Bearer {secret}"}
        response = client.get("/api/v1/reports/enrolments.xlsx", headers=bearer)
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["DPB", "HVB"]
        csv = client.get(
            "/api/v1/reports/enrolments.csv",
            params={"unit_id": world.dept_a.id},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert csv.status_code == 404
