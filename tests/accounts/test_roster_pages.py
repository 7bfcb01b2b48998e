"""The roster import pages: upload, the column-mapping step when a header is not recognised,
the preview naming who, the confirmation, and the page after it that issues activation codes
for exactly the new officers through the codes sheet."""

from __future__ import annotations

import re
from io import BytesIO
from typing import ClassVar

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import ActivationCode, RosterUpload, User
from app.audit.models import AuditEvent
from tests.certificates.test_web import log_in, token
from tests.world import World

KNOWN = "Mã cán bộ;Họ và tên;Đơn vị;Chức vụ\n"


def upload(client: TestClient, name: str, data: bytes) -> str:
    """Upload a roster; the address of the page that follows."""
    csrf = token(client.get("/officers/import").text)
    response = client.post(
        "/officers/import",
        data={"csrf_token": csrf},
        files={"file": (name, data, "text/csv")},
        headers={"referer": "http://testserver/officers/import"},
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def xlsx(rows: list[list[object]], formats: dict[str, str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in formats.items():
        sheet[cell].number_format = number_format
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def selected(html: str) -> list[str]:
    """The field selected in each column's select, in order ("" for skip)."""
    selects = re.findall(r'<select id="field-\d+" name="field".*?</select>', html, re.S)
    return [(re.findall(r'<option value="([^"]*)" selected>', s) or ["?"])[0] for s in selects]


class TestColumnMapping:
    ROWS: ClassVar[list[list[object]]] = [
        ["STT", "Mã nhân sự", "Họ và tên", "Đơn vị", "Ghi chú"],
        [1, 132, "Lê Thị Hoa", "SA", "mới"],
        [2, 133, "Trịnh Văn Nam", "SA-P1", None],
    ]

    def test_an_unknown_header_is_mapped_and_the_upload_stays_staged(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        data = xlsx(self.ROWS, {"B2": "000000", "B3": "000000"})
        page = upload(client, "ds.xlsx", data)
        mapping = client.get(page)
        assert mapping.status_code == 200
        html = mapping.text
        assert "Chọn cột" in html and "“Mã nhân sự”" in html and "Chưa nhận ra tiêu đề này." in html
        assert "không có cột Mã cán bộ" in html
        # What was recognised comes prefilled; the row number and the note are skipped.
        assert selected(html) == ["", "", "full_name", "unit", ""]
        # The first rows, as Excel shows them.
        assert "“000132”, “000133”" in html and "“Lê Thị Hoa”, “Trịnh Văn Nam”" in html
        csrf = token(html)
        columns = f"{page}/columns"

        # The same field twice: the page says which columns, and keeps the choice.
        twice = ["", "full_name", "full_name", "unit", ""]
        sent = client.post(columns, data={"csrf_token": csrf, "field": twice})
        assert (sent.status_code, sent.headers["location"]) == (303, page)
        again = client.get(page).text
        assert "nhiều cột cùng là Họ và tên: &#39;Mã nhân sự&#39;, &#39;Họ và tên&#39;" in again
        assert selected(again) == twice

        sent = client.post(
            columns, data={"csrf_token": csrf, "field": ["", "officer_code", "full_name", "unit", ""]}
        )
        preview = client.get(sent.headers["location"]).text
        assert "Xem trước danh sách" in preview
        assert "000132 · Lê Thị Hoa" in preview and "000133 · Trịnh Văn Nam" in preview
        assert session.scalar(select(RosterUpload.fields).where(RosterUpload.user_id == world.hr_a.id)) == [
            None,
            "officer_code",
            "full_name",
            "unit",
            None,
        ]
        # The mapping can be changed again from the preview.
        assert selected(client.get(columns).text) == ["", "officer_code", "full_name", "unit", ""]

    def test_a_csv_with_an_unknown_header_goes_to_the_mapping_too(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        page = upload(client, "ds.csv", "Số hiệu nhân viên;Họ và tên;Đơn vị\n000132;Lê Thị Hoa;SA\n".encode())
        assert selected(client.get(page).text) == ["", "full_name", "unit"]

    def test_known_headers_and_a_row_number_go_straight_to_the_preview(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        page = upload(client, "ds.csv", "STT;Mã CBCC;Họ và tên;Đơn vị\n1;MOI1;Đỗ Thị Mới;SA\n".encode())
        assert "MOI1 · Đỗ Thị Mới" in client.get(page).text

    def test_a_mapping_naming_no_field_is_refused(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        page = upload(client, "ds.csv", "Mã;Họ và tên;Đơn vị\nMOI1;Đỗ Thị Mới;SA\n".encode())
        csrf = token(client.get(page).text)
        sent = client.post(
            f"{page}/columns",
            data={"csrf_token": csrf, "field": ["password_hash", "full_name", "unit"]},
            headers={"referer": f"http://testserver{page}"},
        )
        assert sent.status_code == 303
        assert "Hãy chọn thông tin hoặc" in client.get(sent.headers["location"]).text


class TestPreview:
    def test_problems_are_in_vietnamese_with_their_values_in_row_order(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        text = "Mã cán bộ;Họ và tên;Đơn vị;Ngày sinh\nMOI1;Đỗ Thị Mới;KHONG-CO;31/02/1990\nMOI1;;SB;\n"
        html = client.get(upload(client, "ds.csv", text.encode())).text
        problems = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
        assert problems == [
            ("2", "Đơn vị", "không có đơn vị đang hoạt động nào có mã hoặc tên &#39;KHONG-CO&#39;"),
            ("2", "Ngày sinh", "ngày 31/02/1990 không có thật; hãy kiểm tra lại ngày và tháng"),
            ("3", "Mã cán bộ", "mã MOI1 đã có ở dòng 2"),
            ("3", "Họ và tên", "đang để trống"),
            ("3", "Đơn vị", "&#39;SB&#39; nằm ngoài các đơn vị bạn quản lý"),
        ]
        assert "Xác nhận nhập danh sách" not in html

    def test_the_preview_names_who_changes_and_how(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        news = "".join(f"MOI{n:03d};Người Mới {n};SA;\n" for n in range(203))
        text = KNOWN + news + "HVA;Nguyễn Văn Đức;SA;Chuyên viên\n"
        html = " ".join(client.get(upload(client, "ds.csv", text.encode())).text.split())
        assert "Cán bộ mới (203)" in html and "MOI199 · Người Mới 199" in html and "MOI200" not in html
        assert "và 3 người khác" in html
        # Only what the file's columns say changes: it has no e-mail or category column.
        assert "HVA · Nguyễn Văn Đức: Chức vụ — → Chuyên viên</li>" in html
        assert "HVA · Nguyễn Văn Đức: Phòng Công chức → Sở Nội vụ" in html


class TestAfterTheImport:
    def test_the_page_after_says_what_was_done_and_issues_codes_for_exactly_the_new_officers(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        text = KNOWN + "MOI1;Đỗ Thị Mới;SA;\nMOI2;Bùi Văn Hai;SA-P1;\nHVA;Nguyễn Văn Đức;SA-P1;Chuyên viên\n"
        page = upload(client, "ds.csv", text.encode())
        csrf = token(client.get(page).text)
        applied = client.post(f"{page}/apply", data={"csrf_token": csrf})
        assert (applied.status_code, applied.headers["location"]) == (303, f"{page}/done")
        done = client.get(f"{page}/done").text
        facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", done))
        assert facts == {
            "Số dòng": "3",
            "Mới": "2",
            "Cập nhật": "1",
            "Chuyển đơn vị": "0",
            "Không đổi": "0",
            "Hoạt động trở lại": "0",
            "Đã ngừng hoạt động": "0",
        }
        assert "Đã nhập danh sách cán bộ." in done  # the flash
        new_ids = sorted(session.scalars(select(User.id).where(User.officer_code.in_(["MOI1", "MOI2"]))))
        ticked = re.findall(r'name="user_ids" value="(\d+)" checked', done)
        assert sorted(int(i) for i in ticked) == new_ids
        assert "Cấp mã kích hoạt cho 2 cán bộ mới" in done

        sheet = client.post(
            "/officers/activation-codes",
            data={"csrf_token": token(done), "user_ids": ticked, "format": "html"},
        )
        assert sheet.status_code == 200
        assert re.findall(r"<tr><td>(MOI\d)</td>", sheet.text) == ["MOI1", "MOI2"]
        assert len(re.findall(r"<code>[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}</code>", sheet.text)) == 2
        holders = session.scalars(select(ActivationCode.user_id).where(ActivationCode.used_at.is_(None)))
        assert sorted(holders) == new_ids
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["roster.import", "activation.issue"]

        # Confirmed once: the preview and a second confirmation are refused, the page after stays.
        assert client.get(page).status_code == 409
        client.post(f"{page}/apply", data={"csrf_token": csrf})
        imports = session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.import")).all()
        assert len(imports) == 1
        assert client.get(f"{page}/done").status_code == 200

    def test_the_page_after_is_the_uploaders_alone(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        log_in(client, session, world.hr_a)
        page = upload(client, "ds.csv", (KNOWN + "MOI1;Đỗ Thị Mới;SA;\n").encode())
        assert client.get(f"{page}/done").status_code == 404  # not imported yet
        client.post(f"{page}/apply", data={"csrf_token": token(client.get(page).text)})
        log_in(client, session, world.admin)
        assert client.get(f"{page}/done").status_code == 404
