from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.classrooms import service as classes
from app.courses import service as courses
from app.errors import Conflict, NotFound, PermissionDenied
from app.orgs.permissions import ANONYMOUS
from app.progress import mine
from app.progress import service as progress
from app.progress.models import LessonCompletion
from app.rounds.models import ProgressCycle
from tests.factories import write_course
from tests.world import World

NO_QUIZ_RULE = """\
id: khoa-hoc-mau
version: 1
language: vi
title: {vi: Khoá học mẫu, en: Sample}
summary: {vi: Mẫu., en: Sample.}
training_hours: 2
completion: {lessons: all, quizzes: none}
modules:
  - id: hoc-phan-mot
    title: Học phần một
    lessons: [m1/bai-mot.md, m1/bai-hai.md]
"""


@pytest.fixture
def course(session: Session, tmp_path: Path) -> str:
    courses.import_course_dir(
        session, write_course(tmp_path, files={"course.yaml": NO_QUIZ_RULE}), max_asset_bytes=1 << 20
    )
    return "khoa-hoc-mau"


def test_lessons_complete_the_course_by_its_rule(session: Session, world: World, course: str) -> None:
    me = world.actor(session, world.officer_a)
    first = progress.complete_lesson(session, me, course_slug=course, lesson_slug="bai-mot")
    assert (first.done, first.total, first.percent, first.next_lesson_slug, first.completed_at) == (
        1,
        2,
        50,
        "bai-hai",
        None,
    )
    again = progress.complete_lesson(session, me, course_slug=course, lesson_slug="bai-mot")
    assert again.done == 1
    done = progress.complete_lesson(session, me, course_slug=course, lesson_slug="bai-hai")
    assert done.completed_at is not None and done.percent == 100
    assert progress.lesson_done(session, me, course_slug=course, lesson_slug="bai-hai")


def test_a_retake_is_a_new_cycle_and_history_stays(session: Session, world: World, course: str) -> None:
    me = world.actor(session, world.officer_a)
    with pytest.raises(Conflict):
        progress.start_retake(session, me, course_slug=course)
    for lesson in ("bai-mot", "bai-hai"):
        progress.complete_lesson(session, me, course_slug=course, lesson_slug=lesson)
    cycle = progress.start_retake(session, me, course_slug=course)
    assert cycle.number == 2
    fresh = progress.complete_lesson(session, me, course_slug=course, lesson_slug="bai-mot")
    assert (fresh.done, fresh.completed_at) == (1, None)
    cycles = session.scalars(select(ProgressCycle.number).order_by(ProgressCycle.number)).all()
    assert cycles == [1, 2]
    assert len(session.scalars(select(LessonCompletion)).all()) == 3


def test_quiz_rule_waits_for_quizzes(session: Session, world: World, tmp_path: Path) -> None:
    courses.import_course_dir(session, write_course(tmp_path, slug="co-kiem-tra"), max_asset_bytes=1 << 20)
    me = world.actor(session, world.officer_a)
    for lesson in ("bai-mot", "bai-hai"):
        state = progress.complete_lesson(session, me, course_slug="co-kiem-tra", lesson_slug=lesson)
    assert state.percent == 100 and state.completed_at is None


def test_my_learning_lists_enrolments_with_progress_and_overdue(
    session: Session, world: World, course: str
) -> None:
    coord = world.actor(session, world.coord_a)
    classroom = classes.create_class(
        session,
        coord,
        classes.ClassForm(
            code="L1",
            title="Lớp 1",
            course_slug=course,
            owner_unit_id=world.dept_a.id,
            opens_on=date(2026, 9, 1),
            due_on=date(2026, 10, 1),
        ),
    )
    classes.assign(
        session, coord, classroom_id=classroom.id, target=classes.Target(user_ids=(world.officer_a.id,))
    )
    me = world.actor(session, world.officer_a)
    progress.complete_lesson(session, me, course_slug=course, lesson_slug="bai-mot")
    [item] = mine.my_learning(session, me, today=date(2026, 10, 2))
    assert item.classroom is not None
    assert (item.classroom.code, item.progress.percent, item.overdue) == ("L1", 50, True)
    assert mine.my_learning(session, world.actor(session, world.officer_b), today=date(2026, 10, 2)) == []


def test_anonymous_and_unknown(session: Session, world: World, course: str) -> None:
    with pytest.raises(PermissionDenied):
        progress.complete_lesson(session, ANONYMOUS, course_slug=course, lesson_slug="bai-mot")
    with pytest.raises(NotFound):
        progress.complete_lesson(
            session, world.actor(session, world.officer_a), course_slug=course, lesson_slug="khong-co"
        )
