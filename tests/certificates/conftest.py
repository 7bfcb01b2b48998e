"""Courses to complete (one without a quiz, one with two quizzes) and helpers that complete them
through the real services, so certificates are issued the way they are on a site."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import flows
from app.accounts.models import User
from app.certificates.models import Certificate
from app.courses import service as courses
from app.courses.models import Course
from app.orgs.permissions import Actor
from app.quizzes.models import QuizAttempt
from app.rounds.models import ProgressCycle
from tests.factories import QUIZ, write_course
from tests.world import World

PLAIN_SLUG = "mot-cua-so"
PLAIN_TITLE = "Kỹ năng số cho bộ phận một cửa"
PLAIN_YAML = """\
id: mot-cua-so
version: 1
language: vi
title: {vi: "Kỹ năng số cho bộ phận một cửa", en: "Digital skills for the one-stop desk"}
summary: {vi: Mẫu., en: Sample.}
training_hours: 4.5
completion: {lessons: all, quizzes: none}
modules:
  - id: hoc-phan-mot
    title: Học phần một
    lessons: [m1/bai-mot.md, m1/bai-hai.md]
"""

QUIZ_SLUG = "an-toan-thong-tin"
QUIZ_YAML = """\
id: an-toan-thong-tin
version: 1
language: vi
title: {vi: "An toàn thông tin cơ bản", en: "Basic information security"}
summary: {vi: Mẫu., en: Sample.}
training_hours: 1.5
modules:
  - id: hoc-phan-mot
    title: Học phần một
    lessons: [m1/bai-mot.md]
    quiz: m1/kiem-tra.yaml
  - id: hoc-phan-hai
    title: Học phần hai
    lessons: [m1/bai-hai.md]
    quiz: m2/kiem-tra-hai.yaml
"""
ALL_RIGHT = {
    "cau-chon-mot": "a",
    "cau-chon-nhieu": ["a", "b"],
    "cau-dung-sai": "false",
    "cau-tra-loi-ngan": "một cửa",
}
# 3.5 of 4: the multiple choice earns half its credit (partial scoring).
MOSTLY_RIGHT = {**ALL_RIGHT, "cau-chon-nhieu": ["a"]}
ALL_WRONG = {"cau-chon-mot": "b", "cau-chon-nhieu": ["c"], "cau-dung-sai": "true", "cau-tra-loi-ngan": "sai"}


@pytest.fixture
def plain_course(session: Session, tmp_path: Path) -> str:
    folder = write_course(tmp_path / "plain", slug=PLAIN_SLUG, files={"course.yaml": PLAIN_YAML})
    courses.import_course_dir(session, folder, max_asset_bytes=1 << 20)
    session.flush()
    return PLAIN_SLUG


@pytest.fixture
def quiz_course(session: Session, tmp_path: Path) -> str:
    second = QUIZ.replace("id: kiem-tra-mot", "id: kiem-tra-hai")
    folder = write_course(
        tmp_path / "quiz",
        slug=QUIZ_SLUG,
        files={"course.yaml": QUIZ_YAML, "m2/kiem-tra-hai.yaml": second},
    )
    courses.import_course_dir(session, folder, max_asset_bytes=1 << 20)
    session.flush()
    return QUIZ_SLUG


def finish_lessons(session: Session, actor: Actor, slug: str, lessons: tuple[str, ...]) -> None:
    for lesson in lessons:
        flows.complete_lesson(session, actor, course_slug=slug, lesson_slug=lesson)


def take_quiz(
    session: Session, actor: Actor, slug: str, quiz: str, answers: Mapping[str, object], now: datetime
) -> QuizAttempt:
    attempt = flows.start_attempt(session, actor, course_slug=slug, quiz_slug=quiz, now=now)
    ids = {item["slug"]: item["question_id"] for item in attempt.layout}
    given = {ids[s]: value for s, value in answers.items()}
    return flows.submit_attempt(session, actor, attempt_id=attempt.id, answers=given, now=now)


def complete_plain(session: Session, world: World, user: User | None = None) -> Certificate:
    """The officer (officer A by default) finishes both lessons of the plain course."""
    who = user or world.officer_a
    finish_lessons(session, world.actor(session, who), PLAIN_SLUG, ("bai-mot", "bai-hai"))
    return certificates_of(session, who)[-1]


def certificates_of(session: Session, user: User) -> list[Certificate]:
    return list(
        session.scalars(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id))
    )


def completed_cycle(
    session: Session, user: User, slug: str, completed_at: datetime, number: int = 1
) -> ProgressCycle:
    """A completed cycle written directly, as a site had them before certificates existed."""
    course = session.scalars(select(Course).where(Course.slug == slug)).one()
    cycle = ProgressCycle(
        user_id=user.id,
        course_id=course.id,
        number=number,
        started_at=completed_at,
        last_activity_at=completed_at,
        completed_at=completed_at,
    )
    session.add(cycle)
    session.flush()
    return cycle
