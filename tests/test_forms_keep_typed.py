"""A form that comes back with an error keeps what was typed into it, secrets excepted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.http.auth import SESSION_COOKIE
from tests.factories import make_class
from tests.progress.test_service import course as course
from tests.world import World


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_new_class_refused_for_its_code_comes_back_as_typed(
    client: TestClient, session: Session, world: World, course: str
) -> None:
    make_class(session, world.coord_a, world.dept_a, course, code="K1-2026")
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()
    page = client.get("/classes").text
    form = {
        "code": "K1-2026",
        "title": "Lớp kỹ năng số tháng Mười Hai",
        "course": course,
        "owner_unit_id": str(world.dept_a.id),
        "opens_on": "2026-12-14",
        "due_on": "2027-01-31",
        "capacity": "40",
        "csrf_token": _csrf(page),
    }
    refused = client.post("/classes", data=form, headers={"referer": "http://testserver/classes"})
    assert refused.status_code == 303 and refused.headers["location"] == "/classes"
    again = client.get("/classes").text
    # The domain's message in Vietnamese, the code filled in after translation.
    assert "Mã lớp K1-2026 đã được dùng trong đơn vị này." in again
    for value in ("Lớp kỹ năng số tháng Mười Hai", "2026-12-14", "2027-01-31", 'value="40"'):
        assert value in again
    assert f'<option value="{world.dept_a.id}" selected>' in again
    # Shown once: the next visit starts clean.
    assert "Lớp kỹ năng số tháng Mười Hai" not in client.get("/classes").text


def test_a_wrong_activation_code_keeps_the_officer_code_and_never_the_secrets(
    client: TestClient, session: Session, world: World
) -> None:
    session.commit()
    page = client.get("/activate").text
    form = {
        "officer_code": "HVB",
        "code": "AAAA-BBBB-CCCC",
        "password": "mot-cau-rat-dai-de-nho",
        "password_again": "mot-cau-rat-dai-de-nho",
        "csrf_token": _csrf(page),
    }
    assert client.post("/activate", data=form).status_code == 303
    again = client.get("/activate").text
    assert 'value="HVB"' in again
    assert "AAAA-BBBB-CCCC" not in again and "mot-cau-rat-dai-de-nho" not in again
