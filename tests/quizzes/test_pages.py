import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.db import utcnow
from app.http.auth import SESSION_COOKIE
from app.quizzes.models import QuizAttempt
from tests.classrooms.test_web import token
from tests.world import World


def log_in(client: TestClient, session: Session, world: World) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()


def question_ids(html: str) -> dict[str, str]:
    """Question number → id, from the hidden `shown` fields in page order."""
    ids = re.findall(r'name="shown" value="(\d+)"', html)
    return {str(n): i for n, i in enumerate(ids, start=1)}


def test_take_a_quiz_without_javascript(
    client: TestClient, session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("time_limit_minutes: 20\nreview: after_passing\n")
    session.commit()
    log_in(client, session, world)
    intro = client.get(f"/courses/{slug}/quizzes/kiem-tra-mot")
    assert "Bắt đầu làm bài" in intro.text and "20 phút" in intro.text
    started = client.post(
        f"/courses/{slug}/quizzes/kiem-tra-mot/start", data={"csrf_token": token(intro.text)}
    )
    page = client.get(started.headers["location"])
    assert page.status_code == 200 and "Câu 1" in page.text and 'data-seconds-left="' in page.text
    # Nothing that gives an answer away is in the page: no accepted text, no explanation.
    assert "một cửa" not in page.text.lower() and "Vì vậy" not in page.text
    ids = question_ids(page.text)
    form = {
        "csrf_token": token(page.text),
        "shown": list(ids.values()),
        f"q{ids['1']}": "a",
        f"q{ids['2']}": ["a", "b"],
        f"q{ids['3']}": "false",
        f"q{ids['4']}": "mot cua",
    }
    attempt_url = started.headers["location"]
    saved = client.post(f"{attempt_url}/save", data=form)
    again = client.get(saved.headers["location"]).text
    assert "Đã lưu câu trả lời của bạn." in again
    assert 'value="mot cua"' in again and again.count("checked") == 4
    # Unticking everything in a question clears its saved answer.
    form.pop(f"q{ids['2']}")
    client.post(f"{attempt_url}/save", data={**form, "csrf_token": token(again)})
    after = client.get(attempt_url).text
    assert after.count("checked") == 2
    result = client.post(f"{attempt_url}/submit", data={**form, "csrf_token": token(after)})
    shown = client.get(result.headers["location"]).text
    assert "75%" in shown and "đạt" in shown and "Đáp án đúng" in shown and "Vì vậy." in shown
    attempt = session.scalars(select(QuizAttempt)).one()
    assert (attempt.status, attempt.points) == ("graded", 3.0)
    late = client.post(f"{attempt_url}/save", data={**form, "csrf_token": token(shown)})
    assert "không thể thay đổi" in client.get(late.headers["location"]).text


def test_the_json_api_saves_each_answer_and_grades_once(
    client: TestClient, session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("review: never\n")
    session.commit()
    log_in(client, session, world)
    csrf = token(client.get("/learning").text)
    headers = {"X-CSRF-Token": csrf}
    started = client.post(f"/api/v1/courses/{slug}/quizzes/kiem-tra-mot/attempts", headers=headers)
    assert started.status_code == 200, started.text
    body = started.json()
    assert "correct" not in started.text and "một cửa" not in started.text
    ids = [q["question_id"] for q in body["questions"]]
    url = f"/api/v1/attempts/{body['id']}"
    saved = client.put(
        f"{url}/answers", headers=headers, json={"answers": {str(ids[0]): "a", str(ids[2]): False}}
    )
    assert saved.status_code == 200 and saved.json()["saved"] == 2
    resumed = client.post(f"/api/v1/courses/{slug}/quizzes/kiem-tra-mot/attempts", headers=headers).json()
    assert resumed["id"] == body["id"] and resumed["questions"][0]["answer"] == "a"
    first = client.post(f"{url}/submit", headers=headers).json()
    second = client.post(f"{url}/submit", headers=headers).json()
    assert first["score_percent"] == second["score_percent"] == 50.0
    assert (
        client.put(f"{url}/answers", headers=headers, json={"answers": {str(ids[0]): "b"}}).status_code == 409
    )
    assert client.get(f"{url}/review").status_code == 403
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_b, ip=None, user_agent=None))
    session.commit()
    assert client.get(url).status_code == 404


def test_a_late_answer_is_refused_and_the_automatic_submit_is_kept(
    client: TestClient, session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    slug = quiz_course("time_limit_minutes: 5\n")
    session.commit()
    log_in(client, session, world)
    headers = {"X-CSRF-Token": token(client.get("/learning").text)}
    body = client.post(f"/api/v1/courses/{slug}/quizzes/kiem-tra-mot/attempts", headers=headers).json()
    attempt = session.get_one(QuizAttempt, body["id"])
    assert attempt.deadline_at is not None
    attempt.deadline_at = utcnow() - timedelta(minutes=1)
    session.commit()
    first = body["questions"][0]["question_id"]
    late = client.put(
        f"/api/v1/attempts/{attempt.id}/answers", headers=headers, json={"answers": {str(first): "a"}}
    )
    assert late.status_code == 409, late.text
    session.expire_all()
    graded = session.get_one(QuizAttempt, attempt.id)
    assert (graded.status, graded.finished_by, graded.points) == ("graded", "deadline", 0.0)


def test_an_officer_whose_submit_answer_was_lost_lands_on_the_result(
    client: TestClient, session: Session, world: World, quiz_course: Callable[..., str]
) -> None:
    """The submit was graded but its answer never arrived (a dropped line, a server killed just
    after its commit). Reloading the attempt shows the result; the quiz page lists it and offers
    no start that could only be refused."""
    slug = quiz_course("max_attempts: 1\n")
    session.commit()
    log_in(client, session, world)
    intro = client.get(f"/courses/{slug}/quizzes/kiem-tra-mot")
    started = client.post(
        f"/courses/{slug}/quizzes/kiem-tra-mot/start", data={"csrf_token": token(intro.text)}
    )
    attempt_url = started.headers["location"]
    page = client.get(attempt_url).text
    client.post(f"{attempt_url}/submit", data={"csrf_token": token(page), "shown": []})

    reloaded = client.get(attempt_url)
    assert reloaded.status_code == 200 and "chưa đạt" in reloaded.text and "0%" in reloaded.text
    attempt_id = attempt_url.rsplit("/", 1)[1]
    read = client.get(f"/api/v1/attempts/{attempt_id}").json()
    assert (read["status"], read["score_percent"]) == ("graded", 0.0)
    quiz_page = client.get(f"/courses/{slug}/quizzes/kiem-tra-mot").text
    assert "Bạn đã dùng hết số lần làm bài được phép." in quiz_page
    assert "/start" not in quiz_page and f'href="/attempts/{attempt_id}"' in quiz_page
