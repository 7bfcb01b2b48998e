"""Every report page downloads as CSV or XLSX with its own filters, now or in the background,
through pages and the API alike, and never beyond the reader's units."""

import io
import re

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.tokens import create_token
from app.config import get_settings
from app.jobs.models import Job
from app.jobs.worker import work
from tests.jobs.test_pages import UnitOfWork
from tests.reports.conftest import Data
from tests.reports.data import log_in

COURSE_TWO = "khoa-hoc-hai,Khoá học hai,1,1,0,0,0,100"


def _lines(content: bytes) -> list[str]:
    return content.decode("utf-8-sig").splitlines()


def test_a_report_downloads_as_csv_and_xlsx_with_the_page_filters(
    client: TestClient, session: Session, data: Data, opened_sessions: list[Session]
) -> None:
    log_in(client, session, data.world.hr_a)
    page = client.get("/reports/courses").text
    assert 'href="/reports/export/courses.csv"' in page and 'href="/reports/export/courses.xlsx"' in page
    csv = client.get("/reports/export/courses.csv")
    assert csv.status_code == 200 and csv.headers["content-type"] == "text/csv; charset=utf-8"
    # Named in Vietnamese (without accents, which every file system keeps), dated.
    assert re.search(
        r'filename="hoan-thanh-theo-khoa-hoc-\d{4}-\d{2}-\d{2}\.csv"', csv.headers["content-disposition"]
    )
    lines = _lines(csv.content)
    assert lines[0].startswith("Mã khoá học,Khoá học,Số lượt ghi danh,Đã hoàn thành,")
    assert lines[1] == COURSE_TWO and lines[2].startswith("khoa-hoc-mau,Khoá học mẫu,6,4,")
    assert len(lines) == 3
    assert 'href="/reports/export/courses.csv?sep=semicolon"' in page
    semi = _lines(client.get("/reports/export/courses.csv", params={"sep": "semicolon"}).content)
    assert semi[1] == COURSE_TWO.replace(",", ";") and semi[0].startswith("Mã khoá học;Khoá học;")
    unit_page = client.get(f"/reports/units/{data.a.id}").text
    assert f'href="/reports/export/units.xlsx?unit_id={data.a.id}"' in unit_page
    xlsx = client.get(f"/reports/export/units.xlsx?unit_id={data.a.id}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("SA-P1", "Phòng Công chức", 5, 3),
        ("SA-P2", "Phòng Đào tạo", 2, 2),
        ("SA", "Sở Nội vụ", 0, 0),
    ]


def test_a_report_outside_the_units_or_unknown_is_not_found(
    client: TestClient, session: Session, data: Data, opened_sessions: list[Session]
) -> None:
    log_in(client, session, data.world.hr_a)
    assert client.get(f"/reports/export/units.csv?unit_id={data.b.id}").status_code == 404
    assert client.get("/reports/export/khong-co.csv").status_code == 404
    assert client.get("/reports/export/courses.csv?basis=hom-qua").status_code == 422
    # The refusal names the parameter, in Vietnamese, with the value filled in after translation.
    bad_day = client.get("/reports/export/courses.csv?from=31/02/2026")
    assert bad_day.status_code == 422
    assert "“from” phải là ngày viết theo dạng dd/mm/yyyy hoặc yyyy-mm-dd." in bad_day.text
    log_in(client, session, data.p1)
    assert client.get("/reports/export/courses.csv").status_code == 403
    assert opened_sessions == []


def test_a_report_prepared_in_the_background_is_the_file_downloaded_now(
    client: TestClient,
    session: Session,
    data: Data,
    opened_sessions: list[Session],
    unit_of_work: UnitOfWork,
) -> None:
    log_in(client, session, data.world.hr_a)
    page = client.get(f"/reports/courses?unit_id={data.a1.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    queued = client.post(
        "/reports/export/courses",
        data={"csrf_token": token.group(1), "format": "csv", "unit_id": str(data.a1.id)},
    )
    assert (queued.status_code, queued.headers["location"]) == (303, "/exports")
    job = session.scalars(select(Job)).one()
    assert (job.kind, job.params["filter"]) == (
        "reports.report",
        {"report": "courses", "unit_id": str(data.a1.id)},
    )
    assert work(unit_of_work, get_settings()) == 1
    session.refresh(job)
    assert (job.status, job.error) == ("done", None)
    prepared = client.get(f"/exports/{job.id}/download")
    direct = client.get(f"/reports/export/courses.csv?unit_id={data.a1.id}")
    assert prepared.status_code == direct.status_code == 200
    assert prepared.content == direct.content
    assert "Hoàn thành theo khoá học (CSV)" in client.get("/exports").text


def test_api_tokens_download_reports_of_their_unit_only(
    client: TestClient, session: Session, data: Data, opened_sessions: list[Session]
) -> None:
    admin = data.world.actor(session, data.world.admin)
    _, secret = create_token(session, admin, name="Phần mềm nhân sự", role="hr", unit_id=data.a.id)
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    csv = client.get("/api/v1/reports/export/courses.csv", headers=headers)
    assert csv.status_code == 200 and _lines(csv.content)[1] == COURSE_TWO
    assert (
        client.get(f"/api/v1/reports/export/units.csv?unit_id={data.b.id}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/reports/export/officers.xlsx", headers=headers).status_code == 422
    officers = client.get(f"/api/v1/reports/export/officers.xlsx?unit_id={data.a2.id}", headers=headers)
    assert officers.status_code == 200 and officers.content[:2] == b"PK"
