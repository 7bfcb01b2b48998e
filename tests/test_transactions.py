"""The request owns the transaction: a commit that fails is an error response, never a success."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.api.deps import SessionDep
from app.courses.models import Course


def _duplicate_course(session: Session) -> None:
    for _ in range(2):
        session.add(
            Course(
                slug="trung",
                version=1,
                language="vi",
                title_vi="T",
                title_en="T",
                summary_vi="",
                summary_en="",
                training_minutes=60,
                pass_mark=50,
                completion_lessons="all",
                completion_quizzes="passed",
                content_hash="x",
                search_text="t",
            )
        )


@pytest.fixture
def failing_client(client: TestClient) -> Iterator[TestClient]:
    app = client.app
    assert isinstance(app, FastAPI)

    @app.post("/api/v1/_test/duplicate")
    def duplicate(session: SessionDep) -> dict[str, bool]:
        _duplicate_course(session)
        return {"ok": True}

    @app.post("/_test/duplicate")
    def duplicate_page(session: SessionDep) -> dict[str, bool]:
        _duplicate_course(session)
        return {"ok": True}

    yield client


def test_failed_commit_is_a_conflict_in_json(failing_client: TestClient) -> None:
    response = failing_client.post("/api/v1/_test/duplicate")
    assert response.status_code == 409
    assert response.json()["message"] == "The change conflicts with data saved at the same time; try again."


def test_failed_commit_is_an_error_page_in_html(failing_client: TestClient) -> None:
    response = failing_client.post("/_test/duplicate")
    assert response.status_code == 409
    assert "Thay đổi của bạn trùng với một thay đổi khác" in response.text
