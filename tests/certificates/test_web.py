"""Certificate pages: my certificates, the PDF, the public check, My learning's link, the staff
forms on the officer page, and the transcript page and PDF."""

from __future__ import annotations

import io
import re
from zoneinfo import ZoneInfo

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.models import User
from app.certificates.models import Certificate
from app.http.auth import SESSION_COOKIE
from tests.certificates.conftest import complete_plain
from tests.factories import make_class
from tests.world import World

pytestmark = pytest.mark.usefixtures("plain_course")
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def log_in(client: TestClient, session: Session, user: User) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, start_session(session, user, ip=None, user_agent=None))
    session.commit()


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.fixture
def certificate(session: Session, world: World) -> Certificate:
    done = complete_plain(session, world)
    session.commit()
    return done


def test_my_certificates_list_the_pdf_and_the_verification_link(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    log_in(client, session, world.officer_a)
    page = client.get("/me/certificates")
    assert page.status_code == 200
    assert "<h1>Giấy chứng nhận của tôi</h1>" in page.text
    assert f'<th scope="row">{certificate.serial}</th>' in page.text
    assert "Kỹ năng số cho bộ phận một cửa" in page.text and "còn hiệu lực" in page.text
    assert f'href="/certificates/{certificate.id}.pdf"' in page.text
    link = f"http://127.0.0.1:8000/verify/{certificate.verify_code}"
    assert f'<a class="verify-link" href="{link}">{link}</a>' in page.text
    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.headers["cache-control"] == "private, no-store"
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Nguyễn Văn Đức" in text and link in text


def test_the_public_check_needs_no_login_and_shows_only_four_facts(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    client.cookies.clear()
    page = client.get(f"/verify/{certificate.verify_code}")
    assert page.status_code == 200
    assert '<meta name="robots" content="noindex">' in page.text
    assert page.headers["x-robots-tag"] == "noindex"
    assert "set-cookie" not in page.headers
    main = page.text.split('<main id="main"', 1)[1]
    assert "<dd>Nguyễn Văn Đức</dd>" in main
    assert "<dd>Kỹ năng số cho bộ phận một cửa</dd>" in main
    assert f"<dd>{certificate.completed_at.astimezone(HCM).strftime('%d/%m/%Y')}</dd>" in main
    assert "còn hiệu lực" in main
    for secret in (certificate.serial, "Phòng Công chức", "HVA", "4,5"):
        assert secret not in main


def test_a_revoked_certificate_shows_revoked_without_the_reason(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    log_in(client, session, world.hr_a)
    record = client.get(f"/officers/{world.officer_a.id}")
    revoked = client.post(
        f"/certificates/{certificate.id}/revoke",
        data={"csrf_token": token(record.text), "reason": "Gian lận khi làm bài"},
    )
    assert (revoked.status_code, revoked.headers["location"]) == (303, f"/officers/{world.officer_a.id}")
    client.cookies.clear()
    main = client.get(f"/verify/{certificate.verify_code}").text.split('<main id="main"', 1)[1]
    assert "đã thu hồi" in main and "Gian lận" not in main


def test_an_unknown_code_is_a_not_found_page(client: TestClient) -> None:
    page = client.get("/verify/khong-co-ma-nay")
    assert page.status_code == 404 and "<h1>" in page.text


def test_my_learning_links_the_certificate_of_a_completed_course(
    client: TestClient, session: Session, world: World
) -> None:
    make_class(session, world.coord_a, world.dept_a, "mot-cua-so", assign_unit=world.room_a)
    done = complete_plain(session, world)
    log_in(client, session, world.officer_a)
    page = client.get("/learning")
    assert f'<a href="/certificates/{done.id}.pdf">Giấy chứng nhận {done.serial} (PDF)</a>' in page.text
    assert '<a href="/me/certificates">Giấy chứng nhận của tôi</a>' in page.text
    # Taking the course again is asked twice, and the completion stays in sight afterwards.
    assert "<summary>Học lại khoá này</summary>" in page.text
    assert "giấy chứng nhận của nó vẫn được giữ nguyên" in page.text
    again = client.post("/courses/mot-cua-so/retake", data={"csrf_token": token(page.text)})
    assert again.status_code == 303
    retaking = client.get("/learning").text
    assert "; bạn đang học lại." in retaking
    assert f'<a href="/certificates/{done.id}.pdf">Giấy chứng nhận {done.serial} (PDF)</a>' in retaking


def test_staff_reissue_and_revoke_from_the_officer_page(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    log_in(client, session, world.hr_a)
    url = f"/officers/{world.officer_a.id}"
    record = client.get(url)
    assert "<h2>Giấy chứng nhận</h2>" in record.text
    assert f'action="/certificates/{certificate.id}/reissue"' in record.text
    assert f'<label for="reason-{certificate.id}">Lý do thu hồi</label>' in record.text
    reissued = client.post(f"/certificates/{certificate.id}/reissue", data={"csrf_token": token(record.text)})
    assert (reissued.status_code, reissued.headers["location"]) == (303, url)
    assert "Đã cấp bản sao số 1." in client.get(url).text
    refused = client.post(
        f"/certificates/{certificate.id}/revoke",
        data={"csrf_token": token(record.text), "reason": "   "},
        headers={"referer": f"http://testserver{url}"},
    )
    assert (refused.status_code, refused.headers["location"]) == (303, url)
    assert "Hãy ghi lý do thu hồi giấy chứng nhận." in client.get(url).text
    client.post(
        f"/certificates/{certificate.id}/revoke", data={"csrf_token": token(record.text), "reason": "Sai"}
    )
    after = client.get(url).text
    assert "đã thu hồi" in after and "Sai" in after
    assert f'action="/certificates/{certificate.id}/reissue"' not in after


def test_the_pdf_is_refused_outside_the_scope(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    log_in(client, session, world.coord_b)
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    log_in(client, session, world.officer_b)
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    client.cookies.clear()
    anonymous = client.get(f"/certificates/{certificate.id}.pdf")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_the_transcript_page_prints_and_downloads(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    log_in(client, session, world.officer_a)
    page = client.get("/me/transcript")
    assert page.status_code == 200
    assert "<h1>Kết quả học tập</h1>" in page.text
    assert '<th scope="row">Kỹ năng số cho bộ phận một cửa</th>' in page.text
    year = certificate.completed_at.astimezone(HCM).year
    assert f'<tr><th scope="row">{year}</th><td class="num">1</td><td class="num">4,5</td></tr>' in page.text
    assert '<a href="/me/transcript.pdf">' in page.text
    pdf = client.get("/me/transcript.pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert "BẢNG KẾT QUẢ HỌC TẬP" in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    log_in(client, session, world.hr_a)
    staff = client.get(f"/officers/{world.officer_a.id}/transcript")
    assert staff.status_code == 200 and certificate.serial in staff.text
    assert client.get(f"/officers/{world.officer_a.id}/transcript.pdf").status_code == 200
    log_in(client, session, world.coord_b)
    assert client.get(f"/officers/{world.officer_a.id}/transcript").status_code == 404
    assert client.get(f"/officers/{world.officer_a.id}/transcript.pdf").status_code == 404
