"""A course whose one quiz has the settings a test asks for, imported in the test's transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.courses import service as courses
from tests.factories import QUIZ, write_course

NO_RULE = "completion: {lessons: all, quizzes: passed}\n"


@pytest.fixture
def quiz_course(session: Session, tmp_path: Path) -> Callable[..., str]:
    """Import the sample course with extra quiz settings (YAML lines); returns the course slug."""

    def make(settings: str = "", *, version: int = 1) -> str:
        quiz = QUIZ.replace(
            'title: "Kiểm tra: học phần một"\n', 'title: "Kiểm tra: học phần một"\n' + settings
        )
        folder = write_course(tmp_path / f"v{version}", version=version, files={"m1/kiem-tra.yaml": quiz})
        courses.import_course_dir(session, folder, max_asset_bytes=1 << 20)
        session.flush()
        return "khoa-hoc-mau"

    return make


# Every answer right except the multiple choice, where one of two right choices is ticked.
ANSWERS = {
    "cau-chon-mot": "a",
    "cau-chon-nhieu": ["a"],
    "cau-dung-sai": "false",
    "cau-tra-loi-ngan": "Mot cua",
}
