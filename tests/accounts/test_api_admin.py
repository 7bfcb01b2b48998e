import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.accounts.auth import start_session
from app.accounts.models import User
from app.http.auth import SESSION_COOKIE
from tests.world import World

ROSTER = "Mã cán bộ;Họ và tên;Đơn vị\nAPI1;Vương Thị Mai;SA\n".encode()


def hr_token(session: Session, world: World) -> dict[str, str]:
    _, secret = tokens.create_token(
        session, world.actor(session, world.admin), name="HRM", role="hr", unit_id=world.dept_a.id
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_hr_system_imports_a_roster_with_its_token(
    client: TestClient, session: Session, world: World
) -> None:
    headers = hr_token(session, world)
    dry = client.post(
        "/api/v1/roster-imports",
        params={"dry_run": "true"},
        headers=headers,
        files={"file": ("ds.csv", ROSTER, "text/csv")},
    )
    assert dry.status_code == 200
    assert (dry.json()["new"], dry.json()["written"]) == (1, False)
    assert session.scalar(select(User).where(User.officer_code == "API1")) is None
    done = client.post(
        "/api/v1/roster-imports", headers=headers, files={"file": ("ds.csv", ROSTER, "text/csv")}
    )
    assert done.json()["written"] is True
    assert session.scalar(select(User.full_name).where(User.officer_code == "API1")) == "Vương Thị Mai"


def test_a_bad_roster_is_422_with_every_problem(client: TestClient, session: Session, world: World) -> None:
    bad = "Mã cán bộ;Họ và tên;Đơn vị\nX1;;SA\nX2;Tên;SB\n".encode()
    response = client.post(
        "/api/v1/roster-imports",
        headers=hr_token(session, world),
        files={"file": ("ds.csv", bad, "text/csv")},
    )
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"row": 2, "column": "Họ và tên", "message": "is empty"},
        {"row": 3, "column": "Đơn vị", "message": "'SB' is outside the units you manage"},
    ]
    assert response.json()["written"] is False


def test_browser_sessions_must_send_the_csrf_header(
    client: TestClient, session: Session, world: World
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.admin, ip=None, user_agent=None))
    session.commit()
    body = {"officer_code": "HVB", "role": "coordinator", "unit_id": world.dept_b.id}
    assert client.post("/api/v1/grants", json=body).status_code == 403
    # Any Authorization header that is not a bearer token leaves it a cookie request.
    for other in ("Basic YWRtaW46eA==", "bearer", "Token abc"):
        assert client.post("/api/v1/grants", json=body, headers={"Authorization": other}).status_code == 403
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    created = client.post("/api/v1/grants", json=body, headers={"x-csrf-token": token.group(1)})
    assert created.status_code == 201
    grant_id = created.json()["id"]
    assert (
        client.delete(f"/api/v1/grants/{grant_id}", headers={"x-csrf-token": token.group(1)}).status_code
        == 204
    )
    assert grant_id not in [g["id"] for g in client.get("/api/v1/grants").json()]


def test_unit_changes_through_the_api(client: TestClient, session: Session, world: World) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.admin, ip=None, user_agent=None))
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    headers = {"x-csrf-token": token.group(1)}
    unit = client.post(
        "/api/v1/units",
        headers=headers,
        json={
            "code": "SB-P1",
            "name": "Phòng Hộ tịch",
            "parent_id": world.dept_b.id,
            "effective_on": "2026-07-01",
        },
    ).json()
    moved = client.post(
        f"/api/v1/units/{unit['id']}/move",
        headers=headers,
        json={"parent_id": world.dept_a.id, "effective_on": "2026-08-01"},
    )
    assert moved.json()["parent_id"] == world.dept_a.id
    closed = client.post(
        f"/api/v1/units/{unit['id']}/close", headers=headers, json={"effective_on": "2026-09-01"}
    )
    assert closed.json()["status"] == "closed"
    wrong = client.post(
        f"/api/v1/units/{unit['id']}/explode", headers=headers, json={"effective_on": "2026-09-01"}
    )
    assert wrong.status_code == 422
    events = client.get("/api/v1/audit-events", params={"action": "org.moved"}).json()
    assert [e["target_id"] for e in events] == [str(unit["id"])]
