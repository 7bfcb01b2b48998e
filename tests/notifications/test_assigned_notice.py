"""An officer assigned to a class is told so in the app, with the course, the class and its
due date."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.courses import service as courses
from app.http.auth import SESSION_COOKIE
from tests.factories import make_class, write_course
from tests.world import World


def test_assigning_leaves_each_officer_a_notice(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    classroom = make_class(session, world.coord_a, world.dept_a, code="K-12", due_on=date(2027, 1, 31))
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()
    page = client.get(f"/classes/{classroom.id}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    done = client.post(
        f"/classes/{classroom.id}/assign",
        data={"unit_id": str(world.room_a.id), "csrf_token": csrf.group(1)},
    )
    assert done.status_code == 303
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    notices = client.get("/notifications").text
    assert (
        "Bạn đã được ghi danh vào khoá học “Khoá học mẫu” (lớp K-12), hạn hoàn thành 31/01/2027." in notices
    )
