import csv
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.audit.models import AuditEvent
from app.classrooms.models import Classroom
from app.courses.models import Quiz
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.http.auth import SESSION_COOKIE
from app.quizzes import analysis, attempts, overrides
from tests.classrooms.test_web import token
from tests.factories import make_class, make_officer
from tests.quizzes.conftest import ANSWERS
from tests.quizzes.test_attempts import by_slug
from tests.world import World


@pytest.fixture
def taken(session: Session, world: World, quiz_course: Callable[..., str]) -> Classroom:
    """A class of eight officers who took the quiz: four got everything right, four answered the
    single choice wrong ("b") and nothing else."""
    slug = quiz_course()
    for n in range(8):
        make_officer(session, world.room_a, officer_code=f"PT{n}", full_name=f"Phan Thị Thi {n}")
    classroom = make_class(session, world.coord_a, world.dept_a, slug, assign_unit=world.room_a)
    now = utcnow()
    for n in range(8):
        user = session.scalars(
            select(world.officer_a.__class__).where(world.officer_a.__class__.officer_code == f"PT{n}")
        ).one()
        actor = world.actor(session, user)
        attempt = attempts.start(session, actor, course_slug=slug, quiz_slug="kiem-tra-mot", now=now)
        given = ANSWERS if n < 4 else {"cau-chon-mot": "b"}
        attempts.submit(session, actor, attempt_id=attempt.id, answers=by_slug(attempt, given), now=now)
    session.commit()
    return classroom


def test_items_show_right_answers_discrimination_and_common_mistakes(
    session: Session, world: World, taken: Classroom
) -> None:
    quiz_id = session.scalars(select(Quiz.id)).one()
    result = analysis.analyse(session, quiz_id=quiz_id, classroom_id=taken.id, language="vi")
    assert (result.attempts, result.officers, result.mean_percent, result.pass_rate) == (8, 8, 43.8, 50.0)
    first = result.items[0]
    assert (first.slug, first.answered, first.right, first.discrimination) == ("cau-chon-mot", 8, 4, 1.0)
    assert (first.common_wrong, first.common_wrong_count) == ("Sai", 4)
    short = result.items[3]
    assert (short.answered, short.right, short.mean_credit) == (4, 4, 1.0)
    text = "".join(analysis.analysis_csv(result, language="vi"))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert (
        rows[0][:3] == ["Câu hỏi", "Loại", "Số lượt trả lời"] and rows[0][4] == "Điểm trung bình (phần trăm)"
    )
    assert rows[1][:2] == ["Chọn một?", "một lựa chọn"] and rows[1][5] == "1"


def test_overrides_are_checked_audited_and_scoped(session: Session, world: World, taken: Classroom) -> None:
    coord = world.actor(session, world.coord_a)
    quiz_id = session.scalars(select(Quiz.id)).one()
    item = overrides.set_override(
        session, coord, classroom_id=taken.id, quiz_id=quiz_id, values={"pass_mark": 80, "review": "never"}
    )
    assert (item.settings.pass_mark, item.settings.review, item.settings.time_limit_minutes) == (
        80,
        "never",
        None,
    )
    assert (item.attempts, item.officers, item.passed_officers) == (8, 8, 4)
    with pytest.raises(InvalidInput):
        overrides.set_override(
            session, coord, classroom_id=taken.id, quiz_id=quiz_id, values={"draw_count": 9}
        )
    with pytest.raises(InvalidInput):
        overrides.set_override(session, coord, classroom_id=taken.id, quiz_id=quiz_id, values={"color": "x"})
    with pytest.raises(NotFound):
        overrides.class_quizzes(session, world.actor(session, world.coord_b), classroom_id=taken.id)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "quiz.override")).one()
    assert event.details["pass_mark"] == [None, 80]


def test_coordinator_pages_and_api(
    client: TestClient, session: Session, world: World, taken: Classroom
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()
    page = client.get(f"/classes/{taken.id}/quizzes").text
    assert "8 cán bộ đã làm, 4 người đạt" in page
    quiz_id = session.scalars(select(Quiz.id)).one()
    saved = client.post(
        f"/classes/{taken.id}/quizzes/{quiz_id}/settings",
        data={
            "csrf_token": token(page),
            "time_limit_minutes": "15",
            "opens_at": "2026-12-01T08:00",
            "shuffle_choices": "yes",
        },
    )
    after = client.get(saved.headers["location"]).text
    assert "Đã lưu thiết lập bài kiểm tra của lớp." in after and 'value="2026-12-01T08:00"' in after
    bad = client.post(
        f"/classes/{taken.id}/quizzes/{quiz_id}/settings",
        data={"csrf_token": token(after), "max_attempts": "ba"},
    )
    assert "chữ số" in client.get(bad.headers["location"]).text
    table = client.get(f"/classes/{taken.id}/quizzes/{quiz_id}/analysis").text
    assert "Phân tích câu hỏi" in table and re.search(
        r"<td>Sai <span class=\"meta\">\(4\)</span></td>", table
    )
    exported = client.get(f"/classes/{taken.id}/quizzes/{quiz_id}/analysis.csv")
    assert exported.content.startswith("\ufeff".encode()) and "Chọn một?" in exported.text
    listed = client.get(f"/api/v1/classes/{taken.id}/quizzes").json()
    assert (
        listed[0]["settings"]["time_limit_minutes"] == 15
        and listed[0]["overrides"]["shuffle_choices"] is True
    )
    headers = {"X-CSRF-Token": token(after)}
    put = client.put(
        f"/api/v1/classes/{taken.id}/quizzes/{quiz_id}/settings", headers=headers, json={"pass_mark": 101}
    )
    assert put.status_code == 422
    items = client.get(f"/api/v1/classes/{taken.id}/quizzes/{quiz_id}/analysis").json()["items"]
    assert items[0]["right"] == 4


def test_the_class_dashboard_shows_best_quiz_scores(session: Session, world: World, taken: Classroom) -> None:
    from app.progress.dashboard import RosterFilter, roster_page, roster_rows

    day = utcnow().date()
    rows = {
        r.officer_code: r for r in roster_page(session, taken, today=day, flt=RosterFilter(query="PT")).rows
    }
    assert (rows["PT0"].quiz_best, rows["PT0"].quizzes_passed) == ((87.5,), 1)
    assert (rows["PT5"].quiz_best, rows["PT5"].quizzes_passed) == ((0.0,), 0)
    everyone = {r.officer_code: r for r in roster_rows(session, taken, today=day, flt=RosterFilter())}
    assert everyone["HVA"].quiz_best == (None,) and everyone["PT1"].quiz_best == (87.5,)
