"""The learning path in the pages: after a module's last lesson comes its quiz, the course page
ticks what is done and says what to do next, and My learning counts the quizzes left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.courses import service as courses
from app.http.auth import SESSION_COOKIE
from tests.factories import make_class, write_course
from tests.world import World

COURSE = "/courses/khoa-hoc-mau"


@pytest.fixture
def learner(client: TestClient, session: Session, world: World, tmp_path: Path) -> TestClient:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    make_class(session, world.coord_a, world.dept_a, assign_unit=world.room_a)
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    return client


def _finish(client: TestClient, lesson: str) -> str:
    page = client.get(f"{COURSE}/lessons/{lesson}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    done = client.post(f"{COURSE}/lessons/{lesson}/complete", data={"csrf_token": csrf.group(1)})
    assert done.status_code == 303
    return str(done.headers["location"])


def test_marking_lessons_done_leads_through_the_lessons_to_the_quiz(learner: TestClient) -> None:
    start = learner.get(COURSE).text
    assert (
        f'href="{COURSE}/lessons/bai-mot">Bắt đầu từ bài đầu tiên' in start
        or "Bắt đầu từ bài đầu tiên" in start
    )
    assert _finish(learner, "bai-mot") == f"{COURSE}/lessons/bai-hai"
    assert _finish(learner, "bai-hai") == f"{COURSE}/quizzes/kiem-tra-mot"
    outline = learner.get(COURSE).text
    assert outline.count('class="tick"') == 2
    assert f'href="{COURSE}/quizzes/kiem-tra-mot">Học tiếp: Kiểm tra: học phần một' in outline
    assert "Còn 0 bài học và 1 bài kiểm tra" in outline
    mine = learner.get("/learning").text
    assert "Còn 0 bài học và 1 bài kiểm tra" in mine
    assert f'href="{COURSE}/quizzes/kiem-tra-mot">Học tiếp: Kiểm tra: học phần một' in mine


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_passing_the_last_quiz_says_the_course_is_complete_and_links_its_certificate(
    learner: TestClient,
) -> None:
    for lesson in ("bai-mot", "bai-hai"):
        _finish(learner, lesson)
    intro = learner.get(f"{COURSE}/quizzes/kiem-tra-mot").text
    started = learner.post(f"{COURSE}/quizzes/kiem-tra-mot/start", data={"csrf_token": _csrf(intro)})
    page = learner.get(started.headers["location"]).text
    ids = re.findall(r'name="shown" value="(\d+)"', page)
    form = {
        "csrf_token": _csrf(page),
        "shown": ids,
        f"q{ids[0]}": "a",
        f"q{ids[1]}": ["a", "b"],
        f"q{ids[2]}": "false",
        f"q{ids[3]}": "mot cua",
    }
    done = learner.post(f"{started.headers['location']}/submit", data=form)
    result = learner.get(done.headers["location"]).text
    assert "Bạn đã hoàn thành khoá học “Khoá học mẫu”." in result
    assert re.search(r'<a href="/certificates/\d+\.pdf">Giấy chứng nhận', result)
