"""A small world for reports: units A (SA) with A1 (SA-P1) and A2 (SA-P2) below it, and B (SB);
two courses, two classes, officers who moved between units, and progress cycles with exact
completion times.

Class L1 (course X, 2 hours, due 30/06/2026) and class L2 (course Y, 1.5 hours, no due date):

| officer | unit now | L1 | L2 | counts in |
| HVA  (Đức)   | A1 | completed 10/02 | completed 15/04 | A1 |
| P1   (Bình)  | A1 | in progress      |                 | A1 |
| P2   (Cường) | A1 | not started      | withdrawn       | A1 |
| MOV  (Anh)   | B, was A1 until 01/04 | completed 10/03 | | A1 (where it was completed) |
| MOV2 (Em)    | A2, was B until 01/04 | completed 01/04 00:30 local (31/03 UTC) | | A2 |
| MOV3 (Giang) | B, was A1 until 01/04 | in progress | | B (not completed: current unit) |
| Q1   (Hạnh, viên chức) | A2 | completed 20/03 | | A2 |
| HVB  (An)    | B | not started | | B |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.service import move_officer
from app.classrooms.models import Classroom, Enrolment
from app.courses import service as courses
from app.courses.models import Course
from app.orgs.models import OrgUnit
from app.orgs.permissions import SYSTEM
from app.rounds.models import ProgressCycle
from tests.factories import make_class, make_officer, make_unit, write_course
from tests.reports.data import enrolled, opened_sessions, unit_of_work
from tests.world import World

COURSE_X = """\
id: khoa-hoc-mau
version: 1
language: vi
title: {vi: Khoá học mẫu, en: Sample course}
summary: {vi: Mẫu., en: Sample.}
training_hours: 2
completion: {lessons: all, quizzes: none}
modules:
  - id: hoc-phan-mot
    title: Học phần một
    lessons: [m1/bai-mot.md, m1/bai-hai.md]
"""
COURSE_Y = COURSE_X.replace("khoa-hoc-mau", "khoa-hoc-hai").replace(
    "training_hours: 2", "training_hours: 1.5"
)
COURSE_Y = COURSE_Y.replace("Khoá học mẫu", "Khoá học hai").replace("Sample course", "Second course")
ENROLLED = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
TODAY = date(2026, 5, 1)


@dataclass
class Data:
    world: World
    a: OrgUnit
    a1: OrgUnit
    a2: OrgUnit
    b: OrgUnit
    l1: Classroom
    l2: Classroom
    x: Course
    y: Course
    p1: User
    p2: User
    mov: User
    mov2: User
    mov3: User
    q1: User
    inactive: User


def at(year: int, month: int, day: int, hour: int = 3, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def cycle(
    session: Session, user: User, course: Course, *, number: int = 1, completed: datetime | None = None
) -> None:
    started = at(2026, 1, 6) if completed is None or completed > at(2026, 1, 6) else completed
    session.add(
        ProgressCycle(
            user_id=user.id,
            course_id=course.id,
            number=number,
            started_at=started,
            last_activity_at=completed or started,
            completed_at=completed,
        )
    )


def enrol(
    session: Session, classroom: Classroom, user: User, *, when: datetime = ENROLLED, status: str = "active"
) -> None:
    session.add(
        Enrolment(
            classroom_id=classroom.id, user_id=user.id, status=status, source="people", enrolled_at=when
        )
    )


@pytest.fixture
def data(session: Session, world: World, tmp_path: Path) -> Data:
    for folder, yaml in (("x", COURSE_X), ("y", COURSE_Y)):
        slug = "khoa-hoc-mau" if folder == "x" else "khoa-hoc-hai"
        courses.import_course_dir(
            session,
            write_course(tmp_path / folder, slug=slug, files={"course.yaml": yaml}),
            max_asset_bytes=1 << 20,
        )
    x = session.scalars(select(Course).where(Course.slug == "khoa-hoc-mau")).one()
    y = session.scalars(select(Course).where(Course.slug == "khoa-hoc-hai")).one()
    a, a1, b = world.dept_a, world.room_a, world.dept_b
    a2 = make_unit(session, "SA-P2", parent=a, name="Phòng Đào tạo")
    p1 = make_officer(session, a1, officer_code="P1", full_name="Trần Thị Bình")
    p2 = make_officer(session, a1, officer_code="P2", full_name="Lê Văn Cường")
    mov = make_officer(session, a1, officer_code="MOV", full_name="Phạm Minh Anh")
    mov2 = make_officer(session, b, officer_code="MOV2", full_name="Võ Thị Em")
    mov3 = make_officer(session, a1, officer_code="MOV3", full_name="Đặng Văn Giang")
    q1 = make_officer(session, a2, officer_code="Q1", full_name="Hồ Thị Hạnh", category="vien_chuc")
    inactive = make_officer(session, a1, officer_code="NGHI", full_name="Mai Văn Nghỉ")
    inactive.active = False
    for user, target in ((mov, b), (mov2, a2), (mov3, b)):
        move_officer(session, SYSTEM, user_id=user.id, unit_id=target.id, effective_on=date(2026, 4, 1))
    l1 = make_class(
        session,
        world.coord_a,
        a,
        "khoa-hoc-mau",
        code="L1",
        title="Lớp một",
        opens_on=date(2026, 1, 1),
        due_on=date(2026, 6, 30),
    )
    l2 = make_class(
        session, world.coord_a, a, "khoa-hoc-hai", code="L2", title="Lớp hai", opens_on=date(2026, 1, 1)
    )
    for user in (world.officer_a, p1, p2, mov, mov2, mov3, q1, world.officer_b):
        enrol(session, l1, user)
    enrol(session, l2, world.officer_a, when=at(2026, 4, 2))
    enrol(session, l2, p2, status="withdrawn")
    cycle(session, world.officer_a, x, completed=at(2026, 2, 10))
    cycle(session, p1, x)
    cycle(session, mov, x, completed=at(2026, 3, 10))
    # 00:30 on 1 April in Hà Nội, the day MOV2 joined A2: it counts there, not in B.
    cycle(session, mov2, x, completed=at(2026, 3, 31, 17, 30))
    cycle(session, mov3, x)
    cycle(session, q1, x, completed=at(2026, 3, 20))
    # Course Y three times: twice in 2025 (one course, counted once that year), then in 2026.
    cycle(session, world.officer_a, y, number=1, completed=at(2025, 5, 1))
    cycle(session, world.officer_a, y, number=2, completed=at(2025, 9, 1))
    cycle(session, world.officer_a, y, number=3, completed=at(2026, 4, 15))
    session.commit()
    return Data(world, a, a1, a2, b, l1, l2, x, y, p1, p2, mov, mov2, mov3, q1, inactive)


__all__ = ["enrolled", "opened_sessions", "unit_of_work"]
