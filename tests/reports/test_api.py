import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.api import reports as api_reports
from app.orgs.models import OrgUnit
from tests.classrooms.test_web import token
from tests.reports.conftest import TODAY, Data
from tests.reports.test_web import log_in


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Statuses depend on the day: the reports answer as on 1 May 2026, before L1's due date."""
    monkeypatch.setattr(api_reports, "today", lambda: TODAY)


def bearer(session: Session, data: Data, unit: OrgUnit, role: str = "hr") -> dict[str, str]:
    _, secret = tokens.create_token(
        session, data.world.actor(session, data.world.admin), name="Nhân sự", role=role, unit_id=unit.id
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_on_a_unit_reads_that_subtree_only(client: TestClient, session: Session, data: Data) -> None:
    headers = bearer(session, data, data.a1)
    report = client.get("/api/v1/reports/completion/units", headers=headers)
    assert report.status_code == 200
    body = report.json()
    assert [(x["unit"]["code"], x["counted"], x["counts"]) for x in body["lines"]] == [
        (
            "SA-P1",
            "subtree",
            {
                "enrolled": 5,
                "completed": 3,
                "in_progress": 1,
                "not_started": 1,
                "overdue": 0,
                "completion_rate": 60.0,
            },
        )
    ]
    for path in (
        f"/api/v1/reports/completion/units?unit_id={data.a.id}",
        f"/api/v1/reports/completion/units/{data.b.id}/officers",
        f"/api/v1/reports/completion/courses?unit_id={data.a2.id}",
        f"/api/v1/reports/hours/units?unit_id={data.b.id}",
    ):
        assert client.get(path, headers=headers).status_code == 404, path
    officers = client.get(
        f"/api/v1/reports/completion/units/{data.a1.id}/officers?status=completed", headers=headers
    )
    assert [(x["officer_code"], x["class_code"]) for x in officers.json()["items"]] == [
        ("MOV", "L1"),
        ("HVA", "L1"),
        ("HVA", "L2"),
    ]
    assert client.get("/api/v1/reports/completion/units").status_code == 401


def test_every_report_as_json(client: TestClient, session: Session, data: Data) -> None:
    headers = bearer(session, data, data.a, role="coordinator")
    period = "from=2026-01-01&to=2026-04-30"
    months = client.get(f"/api/v1/reports/completion/months?{period}", headers=headers).json()
    assert [(x["month"], x["completed"]) for x in months["lines"]] == [
        ("2026-01", 0),
        ("2026-02", 1),
        ("2026-03", 2),
        ("2026-04", 2),
    ]
    assert months["period"] == {"start": "2026-01-01", "end": "2026-04-30", "basis": "completed"}
    courses = client.get(
        f"/api/v1/reports/completion/courses?{period}&basis=enrolled", headers=headers
    ).json()
    assert [(x["slug"], x["counts"]["enrolled"]) for x in courses["lines"]] == [
        ("khoa-hoc-hai", 1),
        ("khoa-hoc-mau", 6),
    ]
    classes = client.get("/api/v1/reports/completion/classes", headers=headers).json()
    assert [(x["code"], x["counts"]["completed"]) for x in classes["lines"]] == [("L1", 4), ("L2", 1)]
    categories = client.get("/api/v1/reports/completion/categories", headers=headers).json()
    assert [x["counts"]["enrolled"] for x in categories["lines"]] == [0, 6, 1, 0]
    assert client.get("/api/v1/reports/completion/units?from=2026-13-01", headers=headers).status_code == 422


def test_requirements_and_compliance_through_the_api(
    client: TestClient, session: Session, data: Data
) -> None:
    hr = bearer(session, data, data.a)
    assert (
        client.put(
            "/api/v1/training-requirements/2026/cong_chuc", json={"minutes": 180}, headers=hr
        ).status_code
        == 403
    )
    log_in(client, session, data.world.admin)
    csrf = token(client.get("/admin/requirements").text)
    saved = client.put(
        "/api/v1/training-requirements/2026/cong_chuc", json={"minutes": 180}, headers={"x-csrf-token": csrf}
    )
    assert (saved.status_code, saved.json()["minutes"]) == (200, 180)
    assert (
        client.put(
            "/api/v1/training-requirements/2026/khac", json={"minutes": 180}, headers={"x-csrf-token": csrf}
        ).status_code
        == 422
    )
    client.cookies.clear()
    assert [r["minutes"] for r in client.get("/api/v1/training-requirements", headers=hr).json()] == [180]
    summary = client.get("/api/v1/reports/hours/units?year=2026", headers=hr).json()
    assert (summary["required_minutes"], summary["total"]) == (
        {"cong_chuc": 180},
        {
            "officers": 7,
            "no_requirement": 1,
            "with_requirement": 6,
            "meeting": 1,
            "below": 5,
            "compliant_percent": 16.7,
        },
    )
    below = client.get(f"/api/v1/reports/hours/shortfalls?year=2026&unit_id={data.a2.id}", headers=hr).json()
    assert [(x["officer_code"], x["shortfall_minutes"]) for x in below["items"]] == [("MOV2", 60)]
