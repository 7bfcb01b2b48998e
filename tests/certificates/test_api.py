"""The certificates API: the caller's certificates and transcript, an officer's transcript for
staff, revoke and reissue, and the PDF; API tokens and login sessions alike."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.tokens import create_token
from app.certificates.models import Certificate
from app.http.auth import SESSION_COOKIE
from tests.certificates.conftest import complete_plain
from tests.world import World

pytestmark = pytest.mark.usefixtures("plain_course")


@pytest.fixture
def certificate(session: Session, world: World) -> Certificate:
    done = complete_plain(session, world)
    session.commit()
    return done


def bearer(session: Session, world: World, role: str, unit_id: int) -> dict[str, str]:
    _, secret = create_token(
        session, world.actor(session, world.admin), name="HRM", role=role, unit_id=unit_id
    )
    session.commit()
    return {"authorization": f"Bearer {secret}"}


def test_my_certificates_and_transcript(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    (item,) = client.get("/api/v1/me/certificates").json()
    assert item == {
        "id": certificate.id,
        "serial": certificate.serial,
        "user_id": world.officer_a.id,
        "course_id": certificate.course_id,
        "full_name": "Nguyễn Văn Đức",
        "course_title": "Kỹ năng số cho bộ phận một cửa",
        "training_minutes": 270,
        "score": None,
        "completed_at": item["completed_at"],
        "issued_at": item["issued_at"],
        "status": "valid",
        "copies": 0,
        "last_copy_at": None,
        "verify_url": f"http://127.0.0.1:8000/verify/{certificate.verify_code}",
    }
    english = client.get("/api/v1/me/certificates", headers={"accept-language": "en"}).json()
    assert english[0]["course_title"] == "Digital skills for the one-stop desk"
    transcript = client.get("/api/v1/me/transcript").json()
    year = certificate.completed_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).year
    assert transcript["years"] == [{"year": year, "courses": 1, "training_minutes": 270}]
    assert transcript["total_training_minutes"] == 270
    assert [c["serial"] for c in transcript["courses"]] == [certificate.serial]


def test_staff_tokens_revoke_reissue_and_read_within_their_units(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    hr = bearer(session, world, "hr", world.dept_a.id)
    outsider = bearer(session, world, "coordinator", world.dept_b.id)
    url = f"/api/v1/certificates/{certificate.id}"
    assert (
        client.get(f"/api/v1/officers/{world.officer_a.id}/transcript", headers=hr).json()["officer_code"]
        == "HVA"
    )
    assert (
        client.get(f"/api/v1/officers/{world.officer_a.id}/transcript", headers=outsider).status_code == 404
    )
    assert client.post(f"{url}/reissue", headers=outsider).status_code == 404

    copy = client.post(f"{url}/reissue", headers=hr)
    assert (copy.status_code, copy.json()["copies"], copy.json()["serial"]) == (200, 1, certificate.serial)
    pdf = client.get(f"{url}.pdf", headers=hr)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert "Bản sao số 1" in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert client.get(f"{url}.pdf", headers=outsider).status_code == 404

    assert client.post(f"{url}/revoke", headers=hr, json={}).status_code == 422
    revoked = client.post(f"{url}/revoke", headers=hr, json={"reason": "Gian lận"})
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")
    assert client.post(f"{url}/revoke", headers=hr, json={"reason": "Lần nữa"}).status_code == 409
    assert client.post(f"{url}/reissue", headers=hr).status_code == 409


def test_a_login_session_must_send_the_csrf_header_to_write(
    client: TestClient, session: Session, world: World, certificate: Certificate
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.hr_a, ip=None, user_agent=None))
    session.commit()
    refused = client.post(f"/api/v1/certificates/{certificate.id}/reissue")
    assert refused.status_code == 403
    assert session.get_one(Certificate, certificate.id).copies == 0


def test_anonymous_callers_get_401(client: TestClient, certificate: Certificate) -> None:
    assert client.get("/api/v1/me/certificates").status_code == 401
    assert client.get(f"/api/v1/certificates/{certificate.id}.pdf").status_code == 401
