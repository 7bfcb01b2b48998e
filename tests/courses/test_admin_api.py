"""Course management through the JSON API, with an API token as a script would use it."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.accounts.auth import start_session
from app.courses import service as courses
from app.http.auth import SESSION_COOKIE
from app.progress import service as progress
from tests.factories import WITHOUT_LESSON_TWO, course_yaml, course_zip, write_course
from tests.world import World

URL = "/api/v1/admin/courses"


def coordinator_token(session: Session, world: World) -> dict[str, str]:
    _, secret = tokens.create_token(
        session, world.actor(session, world.admin), name="LMS", role="coordinator", unit_id=world.dept_a.id
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def post_zip(client: TestClient, headers: dict[str, str], data: bytes, **params: str) -> dict[str, object]:
    response = client.post(
        URL, params=params, headers=headers, files={"file": ("k.zip", data, "application/zip")}
    )
    body: dict[str, object] = response.json()
    body["http_status"] = response.status_code
    return body


def test_dry_run_then_import_as_draft_then_publish(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    headers = coordinator_token(session, world)
    data = course_zip(tmp_path, "v1")
    dry = post_zip(client, headers, data, dry_run="true")
    assert {
        k: dry[k] for k in ("http_status", "status", "written", "course_id", "version", "lesson_count")
    } == {
        "http_status": 200,
        "status": "new",
        "written": False,
        "course_id": "khoa-hoc-mau",
        "version": 1,
        "lesson_count": 2,
    }
    assert courses.find_course(session, "khoa-hoc-mau") is None

    done = post_zip(client, headers, data)
    assert (done["http_status"], done["written"], done["published"]) == (200, True, False)
    listed = client.get(URL, headers=headers).json()
    assert [(c["id"], c["version"], c["published"], c["quiz_count"]) for c in listed] == [
        ("khoa-hoc-mau", 1, False, 1)
    ]
    assert client.get("/api/v1/courses").json() == []

    published = client.post(f"{URL}/khoa-hoc-mau/publish", headers=headers)
    assert published.json() == {"id": "khoa-hoc-mau", "version": 1, "published": True}
    assert [c["id"] for c in client.get("/api/v1/courses").json()] == ["khoa-hoc-mau"]
    again = post_zip(client, headers, data)
    assert (again["status"], again["written"], again["published"]) == ("unchanged", False, True)


def test_problems_are_422_and_an_older_version_409(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    headers = coordinator_token(session, world)
    broken = course_yaml(1).replace("training_hours: 1.5", "training_hours: many")
    bad = post_zip(client, headers, course_zip(tmp_path, "bad", files={"course.yaml": broken}))
    assert (bad["http_status"], bad["status"], bad["written"], bad["course_id"]) == (
        422,
        "invalid",
        False,
        None,
    )
    assert bad["problems"] == [
        {
            "file": "course.yaml",
            "line": 10,
            "field": "training_hours",
            "message": "must be a number of hours above 0, e.g. 8 or 1.5",
        }
    ]
    courses.import_course_dir(session, write_course(tmp_path / "v3", version=3), max_asset_bytes=1 << 20)
    session.commit()
    older = post_zip(client, headers, course_zip(tmp_path, "v2", version=2))
    assert (older["http_status"], older["status"], older["current_version"], older["written"]) == (
        409,
        "older",
        3,
        False,
    )
    not_zip = client.post(URL, headers=headers, files={"file": ("k.zip", b"hello", "application/zip")})
    assert not_zip.status_code == 422
    assert not_zip.json()["message"] == "The file is not a zip archive. Compress the course folder as .zip."


def test_a_new_version_reports_retired_lessons_and_keeps_progress(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path / "v1"), max_asset_bytes=1 << 20)
    officer = world.actor(session, world.officer_a)
    progress.complete_lesson(session, officer, course_slug="khoa-hoc-mau", lesson_slug="bai-mot")
    session.commit()
    headers = coordinator_token(session, world)
    done = post_zip(
        client, headers, course_zip(tmp_path, "v2", version=2, files={"course.yaml": WITHOUT_LESSON_TWO})
    )
    assert (done["status"], done["written"], done["published"]) == ("updated", True, True)
    assert done["lessons"] == {"added": [], "changed": [], "retired": [{"id": "bai-hai", "title": "Bài hai"}]}
    assert progress.lesson_done(session, officer, course_slug="khoa-hoc-mau", lesson_slug="bai-mot")


def test_a_browser_session_must_send_the_csrf_header(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()
    assert client.get(URL).status_code == 200
    assert client.post(f"{URL}/khoa-hoc-mau/unpublish").status_code == 403


def test_an_unpublished_course_stays_readable_through_the_api_for_an_officer_who_started(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    progress.complete_lesson(
        session, world.actor(session, world.officer_a), course_slug="khoa-hoc-mau", lesson_slug="bai-mot"
    )
    headers = coordinator_token(session, world)
    client.post(f"{URL}/khoa-hoc-mau/unpublish", headers=headers)
    assert client.get("/api/v1/courses/khoa-hoc-mau").status_code == 404
    assert (
        client.get("/api/v1/courses/khoa-hoc-mau", headers={"Authorization": "Bearer hs_wrong"}).status_code
        == 404
    )
    _, secret = tokens.create_token(
        session, world.actor(session, world.admin), name="HR", role="hr", unit_id=world.dept_a.id
    )
    session.commit()
    assert (
        client.get("/api/v1/courses/khoa-hoc-mau", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 404
    )
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    lesson = client.get("/api/v1/courses/khoa-hoc-mau/lessons/bai-hai")
    assert (lesson.status_code, lesson.json()["id"]) == (200, "bai-hai")
