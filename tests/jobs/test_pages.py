import re
from collections.abc import Callable
from contextlib import AbstractContextManager

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.tokens import create_token
from app.config import get_settings
from app.jobs.models import Job
from app.jobs.worker import work
from tests.reports.data import Enrolled, log_in
from tests.world import World

UnitOfWork = Callable[[], AbstractContextManager[Session]]


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_hr_prepares_an_export_in_the_background_and_only_they_download_it(
    client: TestClient,
    session: Session,
    world: World,
    enrolled: Enrolled,
    opened_sessions: list[Session],
    unit_of_work: UnitOfWork,
) -> None:
    log_in(client, session, world.hr_a)
    page = client.get("/exports/enrolments")
    assert "Chuẩn bị trong nền" in page.text
    asked = client.post(
        "/exports/enrolments",
        data={
            "csrf_token": _token(page.text),
            "action": "background",
            "format": "xlsx",
            "unit_id": str(world.room_a.id),
        },
    )
    assert (asked.status_code, asked.headers["location"]) == (303, "/exports")
    job = session.scalar(select(Job))
    assert job is not None
    assert (job.requester_id, job.status, job.params["format"]) == (world.hr_a.id, "queued", "xlsx")
    waiting = client.get("/exports")
    assert "đang chờ" in waiting.text and "data-job-pending" in waiting.text
    assert f"/exports/{job.id}/download" not in waiting.text
    assert client.get(f"/exports/{job.id}/download").status_code == 409

    assert work(unit_of_work, get_settings()) == 1
    done = client.get("/exports")
    assert "1 / 1 dòng" in done.text and "data-job-pending" not in done.text
    download = client.get(f"/exports/{job.id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert download.content[:2] == b"PK"
    session.refresh(job)
    assert len(download.content) == job.size_bytes

    for other in (world.admin, world.coord_a):
        log_in(client, session, other)
        assert client.get(f"/exports/{job.id}/download").status_code == 404
        assert client.get(f"/api/v1/exports/{job.id}").status_code == 404


def test_a_filter_outside_the_units_is_refused_before_anything_is_queued(
    client: TestClient, session: Session, world: World, enrolled: Enrolled
) -> None:
    log_in(client, session, world.hr_a)
    page = client.get("/exports/enrolments")
    refused = client.post(
        "/exports/enrolments",
        data={"csrf_token": _token(page.text), "action": "background", "unit_id": str(world.dept_b.id)},
    )
    assert refused.status_code == 404
    assert session.scalar(select(Job)) is None


def test_the_api_queues_reports_progress_and_streams_the_file(
    client: TestClient,
    session: Session,
    world: World,
    enrolled: Enrolled,
    opened_sessions: list[Session],
    unit_of_work: UnitOfWork,
) -> None:
    log_in(client, session, world.hr_a)
    headers = {"X-CSRF-Token": _token(client.get("/exports/enrolments").text)}
    body = {"kind": "reports.enrolments", "format": "csv", "params": {"course_id": enrolled.course_id}}
    created = client.post("/api/v1/exports", json=body, headers=headers)
    assert created.status_code == 201
    job_id = created.json()["id"]
    assert created.json()["status"] == "queued" and created.json()["download_url"] is None
    assert client.get(f"/api/v1/exports/{job_id}/download").status_code == 409
    work(unit_of_work, get_settings())
    read = client.get(f"/api/v1/exports/{job_id}").json()
    assert (read["status"], read["rows_done"], read["rows_total"]) == ("done", 3, 3)
    assert read["download_url"] == f"/api/v1/exports/{job_id}/download"
    file = client.get(read["download_url"])
    assert file.status_code == 200
    assert sorted(line.split(",")[0] for line in file.content.decode("utf-8-sig").splitlines()[1:]) == [
        "DPA",
        "HRA",
        "HVA",
    ]
    bad_body = {**body, "params": {"enrolled_from": "hôm qua"}}
    bad = client.post("/api/v1/exports", json=bad_body, headers=headers)
    assert bad.status_code == 422


def test_api_tokens_stream_directly_but_cannot_queue_jobs(
    client: TestClient, session: Session, world: World, enrolled: Enrolled
) -> None:
    _token_row, secret = create_token(
        session, world.actor(session, world.admin), name="HRM", role="hr", unit_id=world.dept_a.id
    )
    session.commit()
    refused = client.post(
        "/api/v1/exports",
        json={"kind": "reports.enrolments", "params": {}},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert refused.status_code == 403
