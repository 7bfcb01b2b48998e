import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.courses import service as courses
from app.http.auth import SESSION_COOKIE
from tests.factories import write_course
from tests.world import World


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_coordinator_creates_previews_assigns_and_undoes(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()
    page = client.get("/classes")
    assert "Mở lớp mới" in page.text
    created = client.post(
        "/classes",
        data={
            "csrf_token": token(page.text),
            "code": "L-01",
            "title": "Lớp kỹ năng số",
            "course": "khoa-hoc-mau",
            "owner_unit_id": world.dept_a.id,
            "opens_on": "2026-09-01",
            "due_on": "2030-10-15",
            "capacity": "30",
        },
    )
    assert created.status_code == 303
    class_url = created.headers["location"]
    detail = client.get(class_url)
    assert "<h1>Lớp kỹ năng số</h1>" in detail.text and "15/10/2030" in detail.text
    preview = client.post(
        f"{class_url}/preview",
        data={"csrf_token": token(detail.text), "unit_id": world.dept_a.id, "category": "cong_chuc"},
    )
    assert "<dd>3</dd>" in preview.text and "Ghi danh 3 cán bộ" in preview.text
    assigned = client.post(
        f"{class_url}/assign",
        data={"csrf_token": token(preview.text), "unit_id": world.dept_a.id, "category": "cong_chuc"},
    )
    assert assigned.status_code == 303
    roster = client.get(class_url).text
    assert roster.count("<td>chưa bắt đầu</td>") == 3
    assert "Đã ghi danh cán bộ vào lớp." in roster
    undo = re.search(r'action="(/classes/\d+/batches/\d+/undo)"', roster)
    assert undo is not None
    client.post(undo.group(1), data={"csrf_token": token(roster)})
    after = client.get(class_url).text
    assert after.count("đã rút: lần ghi danh đã được hoàn tác") == 3 and "đã hoàn tác" in after
