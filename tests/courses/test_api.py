from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import service
from tests.factories import write_course


@pytest.fixture
def sample(session: Session, tmp_path: Path) -> None:
    service.import_course_dir(session, write_course(tmp_path), max_asset_bytes=2 * 1024 * 1024)


@pytest.mark.usefixtures("sample")
class TestCoursesApi:
    def test_list_courses(self, client: TestClient) -> None:
        response = client.get("/api/v1/courses")
        assert response.status_code == 200
        assert response.json() == [
            {
                "id": "khoa-hoc-mau",
                "version": 1,
                "language": "vi",
                "title": {"vi": "Khoá học mẫu", "en": "Records handling for testers"},
                "summary": {
                    "vi": "Khoá học mẫu dùng cho kiểm thử.",
                    "en": "A sample course used by the tests.",
                },
                "training_hours": 1.5,
                "module_count": 1,
                "lesson_count": 2,
            }
        ]

    def test_search_is_accent_insensitive(self, client: TestClient) -> None:
        assert [c["id"] for c in client.get("/api/v1/courses", params={"q": "khoa hoc"}).json()] == [
            "khoa-hoc-mau"
        ]
        assert client.get("/api/v1/courses", params={"q": "khoá hộc"}).json() != []
        assert client.get("/api/v1/courses", params={"q": "khong co"}).json() == []

    def test_course_outline_without_answers(self, client: TestClient) -> None:
        body = client.get("/api/v1/courses/khoa-hoc-mau").json()
        assert body["completion"] == {"lessons": "all", "quizzes": "passed"}
        assert body["modules"] == [
            {
                "id": "hoc-phan-mot",
                "title": "Học phần một",
                "lessons": [
                    {"id": "bai-mot", "title": "Bài một", "minutes": 5},
                    {
                        "id": "bai-hai",
                        "title": "Bài hai",
                        "minutes": 1,
                    },  # no minutes in the file: estimated from its words
                ],
                "quizzes": [
                    {
                        "id": "kiem-tra-mot",
                        "title": "Kiểm tra: học phần một",
                        "question_count": 4,
                        "pass_mark": 50,
                    }
                ],
            }
        ]
        assert "correct" not in client.get("/api/v1/courses/khoa-hoc-mau").text

    def test_lesson(self, client: TestClient) -> None:
        body = client.get("/api/v1/courses/khoa-hoc-mau/lessons/bai-hai").json()
        assert body["body_html"] == "<h2>Phần nhỏ</h2>\n<ul>\n<li>một ý</li>\n</ul>\n"
        assert (body["position"], body["total"], body["previous_id"], body["next_id"]) == (
            2,
            2,
            "bai-mot",
            None,
        )

    def test_errors_are_json(self, client: TestClient) -> None:
        response = client.get("/api/v1/courses/khong-co")
        assert response.status_code == 404
        assert response.json() == {"error": "Page not found", "message": "No course with this address."}
        bad = client.get("/api/v1/courses", params={"q": "x" * 201})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == "query.q"

    def test_openapi_lists_the_endpoints_and_docs_are_local(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert {p for p in paths if p.startswith("/api/v1/courses")} == {
            "/api/v1/courses",
            "/api/v1/courses/{slug}",
            "/api/v1/courses/{slug}/lessons/{lesson}",
            "/api/v1/courses/{slug}/quizzes/{quiz}/attempts",
        }
        docs = client.get("/docs").text
        assert "cdn" not in docs and "//" not in docs.replace("<!doctype", "")
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
