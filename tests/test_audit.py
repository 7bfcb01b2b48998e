from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import flows
from app.accounts import auth
from app.classrooms import service as classes
from app.db import utcnow
from app.errors import PermissionDenied
from app.http.auth import SESSION_COOKIE
from app.reports.audit_log import list_events
from tests.factories import make_class
from tests.progress.test_service import course as course
from tests.world import PASSWORD, World


def test_admin_filters_the_log_and_others_may_not_read_it(session: Session, world: World) -> None:
    auth.log_in(session, account="HVA", password=PASSWORD, ip="10.1.1.1", user_agent=None)
    auth.log_in(session, account="HVA", password="sai", ip="10.1.1.1", user_agent=None)
    admin = world.actor(session, world.admin)
    failures = list_events(session, admin, action="login.failure")
    assert [(e.action, e.ip, e.target_id) for e in failures] == [
        ("login.failure", "10.1.1.1", str(world.officer_a.id))
    ]
    mine = list_events(session, admin, actor_id=world.officer_a.id)
    assert [e.action for e in mine] == ["login.success"]
    now = utcnow()
    assert list_events(session, admin, since=now + timedelta(minutes=1)) == []
    newest = list_events(session, admin, until=now + timedelta(minutes=1))
    older = list_events(session, admin, before_id=newest[0].id)
    assert older == newest[1:]
    with pytest.raises(PermissionDenied):
        list_events(session, world.actor(session, world.hr_a))


def test_audit_page_filters_by_officer_and_local_dates(
    client: TestClient, session: Session, world: World
) -> None:
    auth.log_in(session, account="HVA", password=PASSWORD, ip="10.1.1.1", user_agent=None)
    auth.log_in(session, account="DPA", password=PASSWORD, ip="10.1.1.2", user_agent=None)
    session.commit()
    client.cookies.set(
        SESSION_COOKIE, auth.start_session(session, world.admin, ip="127.0.0.1", user_agent=None)
    )
    session.commit()
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    page = client.get(
        "/admin/audit", params={"who": "HVA", "since": today.isoformat(), "until": today.isoformat()}
    )
    assert page.status_code == 200
    # Each action by its name in Vietnamese, its key beside it for searching.
    assert page.text.count('<td>Đăng nhập <code class="meta">login.success</code></td>') == 1
    assert "10.1.1.1" in page.text and "10.1.1.2" not in page.text
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert "login.success</code>" not in client.get("/admin/audit", params={"since": tomorrow}).text


def test_audit_details_read_in_vietnamese(
    client: TestClient, session: Session, world: World, course: str
) -> None:
    classroom = make_class(session, world.coord_a, world.dept_a, course, code="NK1")
    flows.assign(
        session,
        world.actor(session, world.coord_a),
        classroom_id=classroom.id,
        target=classes.Target(unit_id=world.dept_a.id),
    )
    client.cookies.set(
        SESSION_COOKIE, auth.start_session(session, world.admin, ip="127.0.0.1", user_agent=None)
    )
    session.commit()
    page = client.get("/admin/audit", params={"action": "enrolment.assign"}).text
    # The target and each detail by its Vietnamese name, the assignment's kind translated too.
    assert f"<td>lớp {classroom.id}</td>" in page
    assert "đợt giao số: " in page and "cách: đơn vị; số lượng: " in page
    assert "batch:" not in page and "kind:" not in page
