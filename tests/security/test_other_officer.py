"""An officer and a colleague of the same room: neither reads nor changes the other's quiz attempts,
certificates, transcript, notifications or export jobs by putting the other's ids in an address,
through pages or the JSON API, and their own lists hold only their own things."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.certificates.issuing import issue_for_cycle
from app.certificates.models import Certificate
from app.courses.models import Course
from app.db import utcnow
from app.notifications.models import Notification
from app.orgs.permissions import SYSTEM
from app.rounds.models import ProgressCycle
from tests.factories import make_officer
from tests.security.tenants import As, Tenants, snapshot

# The officer of unit A's things, as seen by a colleague of the same room who has no role.
OTHER_OFFICERS_THINGS = [
    ("GET", "/attempts/{attempt_id}"),
    ("POST", "/attempts/{attempt_id}/save"),
    ("POST", "/attempts/{attempt_id}/submit"),
    ("GET", "/api/v1/attempts/{attempt_id}"),
    ("PUT", "/api/v1/attempts/{attempt_id}/answers"),
    ("POST", "/api/v1/attempts/{attempt_id}/submit"),
    ("GET", "/api/v1/attempts/{attempt_id}/review"),
    ("GET", "/certificates/{certificate_id}.pdf"),
    ("GET", "/api/v1/certificates/{certificate_id}.pdf"),
    ("POST", "/certificates/{certificate_id}/revoke"),
    ("POST", "/api/v1/certificates/{certificate_id}/revoke"),
    ("POST", "/certificates/{certificate_id}/reissue"),
    ("GET", "/officers/{user_id}"),
    ("GET", "/api/v1/officers/{user_id}"),
    ("GET", "/officers/{user_id}/transcript"),
    ("GET", "/officers/{user_id}/transcript.pdf"),
    ("GET", "/api/v1/officers/{user_id}/transcript"),
    ("GET", "/exports/{job_id}/download"),
    ("GET", "/api/v1/exports/{job_id}"),
    ("GET", "/api/v1/exports/{job_id}/download"),
]


@pytest.fixture
def colleague(session: Session, tenants: Tenants) -> User:
    """A second officer in officer A's room, with a completed course and a notification of their own."""
    user = make_officer(session, tenants.world.room_a, officer_code="HVA2", full_name="Trần Thị Bình")
    cycle = ProgressCycle(
        user_id=user.id, course_id=tenants.a.classroom.course_id, number=0, completed_at=utcnow()
    )
    session.add(cycle)
    session.flush()
    course = session.get_one(Course, tenants.a.classroom.course_id)
    issue_for_cycle(session, SYSTEM, course=course, cycle=cycle, now=utcnow() - timedelta(minutes=1))
    session.add(Notification(dedupe_key="test-HVA2", user_id=user.id, kind="manual", params={}))
    session.commit()
    return user


def _send(client: TestClient, csrf: str, method: str, url: str) -> int:
    headers = {"x-csrf-token": csrf}
    if url.startswith("/api/"):
        body: dict[str, object] = {"answers": {}} if url.endswith("/answers") else {"reason": "thử"}
        return client.request(method, url, json=body, headers=headers).status_code
    if method == "GET":
        return client.get(url).status_code
    return client.post(url, data={"csrf_token": csrf, "reason": "thử"}).status_code


def test_a_colleague_reaches_none_of_an_officers_things_by_id_and_changes_nothing(
    as_a: As, session: Session, tenants: Tenants, colleague: User
) -> None:
    values = {**tenants.a.path_values(), "user_id": str(tenants.a.officer.id)}
    before = snapshot(session)
    csrf = as_a.login(colleague)
    got = {}
    for method, path in OTHER_OFFICERS_THINGS:
        url = path.format(**values)
        got[(method, path)] = _send(as_a.client, csrf, method, url)
    assert got == dict.fromkeys(OTHER_OFFICERS_THINGS, 404)
    assert snapshot(session) == before


def test_an_officers_own_lists_hold_only_their_own_things(
    as_a: As, session: Session, tenants: Tenants, colleague: User
) -> None:
    own = session.scalars(select(Certificate).where(Certificate.user_id == colleague.id)).one()
    other = tenants.a.certificate
    csrf = as_a.login(colleague)
    client = as_a.client
    assert [c["serial"] for c in client.get("/api/v1/me/certificates").json()] == [own.serial]
    assert client.get("/api/v1/me/transcript").json()["officer_code"] == "HVA2"
    page = client.get("/me/certificates").text
    assert own.serial in page and other.serial not in page
    transcript = client.get("/me/transcript").text
    assert "Trần Thị Bình" in transcript and "Nguyễn Văn Đức" not in transcript
    notices = client.get("/api/v1/me/notifications").json()
    mine = session.scalars(select(Notification.id).where(Notification.user_id == colleague.id)).all()
    assert [n["id"] for n in notices] == list(mine)
    assert client.get("/api/v1/me/learning").status_code == 200
    assert "HVA" not in client.get("/api/v1/me").text.replace("HVA2", "")
    assert client.post("/api/v1/me/notifications/read", headers={"x-csrf-token": csrf}).json() == {
        "marked_read": 1
    }
    others_notice = session.get_one(Notification, tenants.a.notification_id)
    session.refresh(others_notice)
    assert others_notice.read_at is None
    assert "ghi-danh-A1.csv" not in client.get("/exports").text
    as_a.login(tenants.a.hr)
    assert "ghi-danh-A1.csv" in client.get("/exports").text
