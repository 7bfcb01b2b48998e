"""Course management in the browser: the course list, an upload with its preview, import as
published or as a draft, and publishing and unpublishing."""

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.models import User
from app.courses import service as courses
from app.http.auth import SESSION_COOKIE
from app.progress import service as progress
from tests.factories import WITHOUT_LESSON_TWO, course_yaml, course_zip, write_course
from tests.world import World


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def log_in(client: TestClient, session: Session, user: User) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, start_session(session, user, ip=None, user_agent=None))
    session.commit()


def upload(client: TestClient, data: bytes, name: str = "khoa-hoc.zip") -> tuple[int, str]:
    page = client.get("/admin/courses")
    response = client.post(
        "/admin/courses/upload",
        data={"csrf_token": token(page.text)},
        files={"file": (name, data, "application/zip")},
        headers={"referer": "http://testserver/admin/courses"},
    )
    return response.status_code, response.text


def import_action(html: str) -> str:
    found = re.search(r'action="(/admin/courses/uploads/\d+/import)"', html)
    assert found is not None
    return found.group(1)


def test_a_coordinator_uploads_previews_and_publishes(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    log_in(client, session, world.coord_a)
    page = client.get("/admin/courses")
    assert page.status_code == 200
    assert '<a href="/admin/courses">Quản lý khoá học</a>' in page.text
    assert "Chưa có khoá học nào." in page.text

    status, preview = upload(client, course_zip(tmp_path, "v1"))
    assert status == 200
    assert "<h1>Xem trước khoá học: khoa-hoc.zip</h1>" in preview
    assert "Đây là khoá học mới." in preview
    assert "<dt>Bài học</dt><dd>2</dd>" in preview and "<dt>Bài kiểm tra</dt><dd>1</dd>" in preview
    assert "Nạp và công bố" in preview and "Nạp dưới dạng bản nháp" in preview
    done = client.post(import_action(preview), data={"csrf_token": token(preview), "publish": "true"})
    assert (done.status_code, done.headers["location"]) == (303, "/admin/courses")
    listed = client.get("/admin/courses").text
    assert "Đã nạp và công bố khoá học." in listed
    assert "Đã công bố" in listed and 'aria-label="Thôi công bố: Khoá học mẫu"' in listed
    assert "Khoá học mẫu" in client.get("/").text


def test_a_draft_is_out_of_the_catalogue_until_published(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    log_in(client, session, world.admin)
    _, preview = upload(client, course_zip(tmp_path, "v1"))
    client.post(import_action(preview), data={"csrf_token": token(preview), "publish": "false"})
    listed = client.get("/admin/courses").text
    assert "Đã nạp khoá học dưới dạng bản nháp" in listed and "Chưa công bố" in listed
    assert "Khoá học mẫu" not in client.get("/").text
    draft = client.get("/courses/khoa-hoc-mau")
    assert draft.status_code == 200 and "Khoá học này chưa được công bố" in draft.text
    published = client.post("/admin/courses/khoa-hoc-mau/publish", data={"csrf_token": token(listed)})
    assert published.status_code == 303
    assert "Khoá học mẫu" in client.get("/").text
    client.cookies.clear()
    assert client.get("/courses/khoa-hoc-mau").status_code == 200


def test_every_problem_is_shown_with_its_file_line_and_field(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    log_in(client, session, world.coord_a)
    broken = course_yaml(1).replace("training_hours: 1.5", "training_hours: -1")
    status, page = upload(
        client, course_zip(tmp_path, "bad", files={"course.yaml": broken, "m1/bai-hai.md": "x"})
    )
    assert status == 200
    assert "Các lỗi cần sửa trong tệp" in page
    assert "<td><code>course.yaml</code></td><td>10</td><td>training_hours</td>" in page
    assert "<td><code>m1/bai-hai.md</code></td><td>1</td><td></td>" in page
    assert "/import" not in page


def test_a_file_that_is_not_a_zip_goes_back_with_a_clear_message(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, session, world.coord_a)
    status, _ = upload(client, b"Ma can bo;Ho ten\n", name="ds.csv")
    assert status == 303
    page = client.get("/admin/courses")
    assert "Tệp không phải tệp nén .zip." in page.text


def test_a_new_version_lists_what_changes(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path / "v1"), max_asset_bytes=1 << 20)
    log_in(client, session, world.coord_b)
    _, preview = upload(
        client, course_zip(tmp_path, "v2", version=2, files={"course.yaml": WITHOUT_LESSON_TWO})
    )
    assert "Phiên bản 1 trên hệ thống sẽ được thay bằng phiên bản 2." in preview
    assert "Bài học gỡ bỏ (1)" in preview and "Bài hai <code>bai-hai</code>" in preview
    assert "Bài kiểm tra gỡ bỏ (1)" in preview
    assert "Tiến độ học và bài làm của cán bộ gắn với các mã ổn định" in preview
    assert "Công bố phiên bản 2" in preview and "bản nháp" not in preview
    assert (
        client.post(
            import_action(preview), data={"csrf_token": token(preview), "publish": "true"}
        ).status_code
        == 303
    )
    course = courses.find_course(session, "khoa-hoc-mau")
    assert course is not None and course.version == 2


def test_an_older_version_is_refused_on_the_preview(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path / "v3", version=3), max_asset_bytes=1 << 20)
    log_in(client, session, world.coord_a)
    _, preview = upload(client, course_zip(tmp_path, "v2", version=2))
    assert "Phiên bản 2 cũ hơn phiên bản 3 trên hệ thống nên không nạp được." in preview
    assert "/import" not in preview


def test_unpublishing_hides_the_course_but_not_from_an_officer_in_the_middle_of_it(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    progress.complete_lesson(
        session, world.actor(session, world.officer_a), course_slug="khoa-hoc-mau", lesson_slug="bai-mot"
    )
    log_in(client, session, world.coord_a)
    listed = client.get("/admin/courses").text
    done = client.post("/admin/courses/khoa-hoc-mau/unpublish", data={"csrf_token": token(listed)})
    assert done.status_code == 303
    assert "Khoá học đã thôi công bố." in client.get("/admin/courses").text
    client.cookies.clear()
    assert "Khoá học mẫu" not in client.get("/").text
    assert client.get("/courses/khoa-hoc-mau/lessons/bai-hai").status_code == 404
    assert client.get("/courses/khoa-hoc-mau/media/m1/hinh/so-do.png").status_code == 404
    log_in(client, session, world.officer_a)
    assert client.get("/courses/khoa-hoc-mau/lessons/bai-hai").status_code == 200
    image = client.get("/courses/khoa-hoc-mau/media/m1/hinh/so-do.png")
    assert (image.status_code, image.headers["cache-control"]) == (200, "private, max-age=300")


def test_hr_sees_no_course_management(client: TestClient, session: Session, world: World) -> None:
    log_in(client, session, world.hr_a)
    assert "/admin/courses" not in client.get("/").text
    assert client.get("/admin/courses").status_code == 403
