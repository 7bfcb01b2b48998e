from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import flows
from app.accounts import auth
from app.accounts.roster_import import import_roster
from app.accounts.tokens import actor_for_token, create_token
from app.classrooms import service as classes
from app.db import utcnow
from app.errors import PermissionDenied
from app.http.auth import SESSION_COOKIE
from app.orgs.service import rename_unit
from app.reports import requirements
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


def test_audit_page_names_who_acted_without_an_account_in_vietnamese(
    client: TestClient, session: Session, world: World, course: str
) -> None:
    # The world's officers were added from the command line; then a mistyped login, and a
    # class opened by another system with its token.
    auth.log_in(session, account="HVB", password="sai", ip="10.1.1.1", user_agent=None)
    _, secret = create_token(
        session,
        world.actor(session, world.admin),
        name="Phần mềm đào tạo",
        role="coordinator",
        unit_id=world.dept_a.id,
    )
    system = actor_for_token(session, secret, ip="10.0.0.5")
    assert system is not None
    classes.create_class(
        session,
        system,
        classes.ClassForm(
            code="API1",
            title="Lớp qua API",
            course_slug=course,
            owner_unit_id=world.dept_a.id,
            opens_on=date(2026, 9, 1),
        ),
    )
    client.cookies.set(
        SESSION_COOKIE, auth.start_session(session, world.admin, ip="127.0.0.1", user_agent=None)
    )
    session.commit()
    page = client.get("/admin/audit").text
    assert "<td>hệ thống (dòng lệnh)</td>" in page
    assert "<td>đăng nhập bằng tài khoản hvb</td>" in page
    assert "<td>mã truy cập API Phần mềm đào tạo</td>" in page
    # A person's own label is shown as recorded: their code and name.
    assert "<td>ADMIN Quản Trị Viên</td>" in page
    assert "system (command line)" not in page and "login as" not in page and "API token " not in page


def test_audit_and_unit_history_details_read_in_vietnamese(
    client: TestClient, session: Session, world: World
) -> None:
    admin = world.actor(session, world.admin)
    auth.log_in(session, account="HVA", password="sai", ip="10.1.1.1", user_agent=None)
    import_roster(
        session,
        world.actor(session, world.hr_a),
        filename="ds.csv",
        data="Mã cán bộ;Họ và tên;Đơn vị\nMOI1;Đỗ Thị Mới;SA\n".encode(),
        on=date(2026, 7, 1),
    )
    requirements.set_requirement(session, admin, year=2026, category="cong_chuc", minutes=960)
    rename_unit(
        session,
        admin,
        unit_id=world.room_a.id,
        name="Phòng Công chức, Viên chức",
        effective_on=date(2026, 7, 1),
    )
    client.cookies.set(
        SESSION_COOKIE, auth.start_session(session, world.admin, ip="127.0.0.1", user_agent=None)
    )
    session.commit()
    log = client.get("/admin/audit").text
    assert "lý do: sai tài khoản hoặc mật khẩu" in log
    assert "chuyển đơn vị: 0; không đổi: 0; hoạt động trở lại: 0; ngừng hoạt động: 0" in log
    assert "số phút trước đó: —" in log
    assert "tên cũ: Phòng Công chức; tên mới: Phòng Công chức, Viên chức" in log
    history = client.get(f"/admin/units/{world.room_a.id}").text
    assert f"tên: Phòng Công chức; đơn vị cấp trên số: {world.dept_a.id}" in history
    assert "tên cũ: Phòng Công chức; tên mới: Phòng Công chức, Viên chức" in history
    for raw in ("credentials", "unchanged:", ": None", "old_name:", "parent_id:"):
        assert raw not in log and raw not in history
