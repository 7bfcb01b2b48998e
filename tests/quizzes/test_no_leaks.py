"""No correct answer and no explanation is in any page or JSON an officer gets before the review
policy allows it: checked on every quiz of the shipped courses, which between them use every
question type."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.courses.models import Course, Question, Quiz
from app.http.auth import SESSION_COOKIE
from tests.classrooms.test_web import token
from tests.world import World


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_question_type_keeps_its_answers_until_review(
    client: TestClient, session: Session, world: World, catalogue: None
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    headers = {"X-CSRF-Token": token(client.get("/learning").text)}
    kinds_seen: set[str] = set()
    for quiz, course in session.execute(select(Quiz, Course).join(Course, Course.id == Quiz.course_id)).all():
        url = f"/api/v1/courses/{course.slug}/quizzes/{quiz.slug}/attempts"
        started = client.post(url, headers=headers)
        assert started.status_code == 200, started.text
        attempt = started.json()
        page = client.get(f"/attempts/{attempt['id']}").text
        shown_json = json.dumps(attempt, ensure_ascii=False)
        assert '"correct"' not in shown_json and '"answers"' not in shown_json and '"pairs"' not in shown_json
        questions = {q.id: q for q in session.scalars(select(Question).where(Question.quiz_id == quiz.id))}
        page_text = visible_text(page)
        for item in attempt["questions"]:
            question = questions[item["question_id"]]
            kinds_seen.add(question.kind)
            assert question.explanation not in page_text and question.explanation not in shown_json
            assert item["answer"] is None
            if question.kind == "short_answer":
                view = json.dumps(item["view"], ensure_ascii=False)
                for accepted in question.spec["answers"]:
                    assert accepted not in view, (quiz.slug, accepted)
                    assert f'value="{html.escape(accepted)}"' not in page
            if question.kind == "matching":
                # Every item offers the same options and none is chosen: the page pairs nothing.
                options = item["view"]["options"]
                assert sorted(options) == sorted(
                    [p["right"] for p in question.spec["pairs"]] + question.spec.get("distractors", [])
                )
                assert " selected" not in page
        assert "checked" not in page
        # The answers are not in the review either while the policy keeps them closed.
        client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
        review = client.get(f"/api/v1/attempts/{attempt['id']}/review")
        if quiz.review in ("after_passing", "after_close", "never"):
            assert review.status_code == 403
            result = client.get(f"/attempts/{attempt['id']}").text
            assert "Đáp án đúng" not in result
            for question in questions.values():
                assert question.explanation not in visible_text(result)
    assert kinds_seen == {"single_choice", "multiple_choice", "true_false", "short_answer", "matching"}
