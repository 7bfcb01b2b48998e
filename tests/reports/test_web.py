import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.models import User
from app.http.auth import SESSION_COOKIE
from app.reports import requirements
from app.reports.models import TrainingRequirement
from tests.classrooms.test_web import token
from tests.reports.conftest import Data

PERIOD = "from=2026-01-01&to=2026-04-30"


def log_in(client: TestClient, session: Session, user: User) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, start_session(session, user, ip=None, user_agent=None))
    session.commit()


def cells(html: str, pattern: str) -> list[str]:
    return [m.strip() for m in re.findall(pattern, html)]


def chart_values(html: str) -> list[str]:
    return cells(html, r'<text class="chart-value"[^>]*>([^<]*)</text>')


def chart_labels(html: str) -> list[str]:
    return cells(html, r'<text class="chart-label"[^>]*>([^<]*)</text>')


def test_the_unit_chart_shows_the_numbers_of_the_table(
    client: TestClient, session: Session, data: Data
) -> None:
    log_in(client, session, data.world.hr_a)
    page = client.get(f"/reports/units/{data.a.id}?{PERIOD}&basis=completed")
    assert page.status_code == 200
    rates = cells(page.text, r'<td class="num rate">([^<]*)</td>')
    # Three units, then the total; completed in the period: MOV and HVA in A1, Q1 and MOV2 in A2.
    # The department's own officers have no enrolment completed in the period: no rate, not 0%.
    assert rates == ["100%", "100%", "—", "100%"]
    assert chart_values(page.text) == rates[:-1]
    assert chart_labels(page.text) == [
        "Phòng Công chức",
        "Phòng Đào tạo",
        "Sở Nội vụ: cán bộ của chính đơn vị",
    ]
    assert 'role="img"' in page.text and "aria-label=" in page.text
    assert "style=" not in page.text and "<script" not in page.text
    assert (
        f'href="/reports/units/{data.a1.id}/officers?{PERIOD.replace("&", "&amp;")}&amp;basis=completed"'
        in page.text
    )
    assert '<th scope="row">' in page.text and "<caption>" in page.text


def test_the_month_chart_shows_the_numbers_of_the_table(
    client: TestClient, session: Session, data: Data
) -> None:
    log_in(client, session, data.world.hr_a)
    page = client.get(f"/reports/months?{PERIOD}")
    assert page.status_code == 200
    counts = cells(page.text, r'<td class="num value">([^<]*)</td>')
    assert counts == ["0", "1", "2", "2"]
    assert chart_values(page.text) == counts
    assert chart_labels(page.text) == ["01/2026", "02/2026", "03/2026", "04/2026"]


def test_report_pages_menu_and_scope(client: TestClient, session: Session, data: Data) -> None:
    log_in(client, session, data.world.officer_b)
    assert 'href="/reports"' not in client.get("/learning").text
    assert client.get("/reports").status_code == 403
    log_in(client, session, data.world.hr_a)
    home = client.get("/reports")
    assert home.status_code == 200 and 'href="/reports"' in home.text
    assert client.get(f"/reports/units/{data.b.id}").status_code == 404
    assert client.get(f"/reports/units/{data.b.id}/officers").status_code == 404
    assert client.get(f"/reports/courses?unit_id={data.b.id}").status_code == 404
    assert client.get("/reports/units?from=31/02/2026").status_code == 422
    officers = client.get(f"/reports/units/{data.a1.id}/officers?status=completed")
    assert officers.status_code == 200
    assert [n for n in ("Phạm Minh Anh", "Nguyễn Văn Đức", "Trần Thị Bình") if n in officers.text] == [
        "Phạm Minh Anh",
        "Nguyễn Văn Đức",
    ]
    assert "Khoá học mẫu" in client.get("/reports/courses").text
    assert "Lớp một" in client.get(f"/reports/classes?unit_id={data.a.id}").text
    assert "viên chức" in client.get("/reports/categories?from=01/01/2026").text


def test_hours_pages_and_the_requirement_settings(client: TestClient, session: Session, data: Data) -> None:
    log_in(client, session, data.world.admin)
    form = client.get("/admin/requirements")
    assert form.status_code == 200 and "Chưa đặt yêu cầu nào." in form.text
    saved = client.post(
        "/admin/requirements",
        data={"csrf_token": token(form.text), "year": "2026", "category": "cong_chuc", "hours": "3"},
    )
    assert saved.status_code == 303
    stored = session.scalars(select(TrainingRequirement)).one()
    assert (stored.year, stored.category, stored.minutes) == (2026, "cong_chuc", 180)
    log_in(client, session, data.world.hr_a)
    assert client.get("/admin/requirements").status_code == 403
    summary = client.get(f"/reports/hours/{data.a.id}?year=2026")
    assert summary.status_code == 200
    assert "33,3%" in summary.text and "công chức: 3 giờ" in summary.text
    below = client.get(f"/reports/hours/shortfalls?year=2026&unit_id={data.a2.id}")
    assert "Võ Thị Em" in below.text and "Trần Thị Bình" not in below.text
    log_in(client, session, data.world.admin)
    page = client.get("/admin/requirements")
    removed = client.post(
        "/admin/requirements/delete",
        data={"csrf_token": token(page.text), "year": "2026", "category": "cong_chuc"},
    )
    assert removed.status_code == 303
    assert requirements.requirement_minutes(session, 2026) == {}
