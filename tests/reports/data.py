"""Fixtures shared by the export and job tests: enrolments in two departments, sessions bound to
the test's transaction for streaming and for workers, and a client that streams with them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.classrooms import service as classes
from app.classrooms.models import Classroom, Enrolment
from app.courses import service as courses
from app.courses.models import Quiz
from app.http.auth import SESSION_COOKIE
from app.http.downloads import export_sessions
from app.progress import service as progress
from app.quizzes.models import QuizAttempt
from app.rounds.models import ProgressCycle
from tests.factories import make_class, write_course
from tests.world import World

ENROLLED_AT = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
COMPLETED_AT = datetime(2026, 9, 20, 18, 30, tzinfo=UTC)  # 21/09/2026 in Ho Chi Minh City
TODAY = date(2026, 9, 15)


@dataclass
class Enrolled:
    class_a: Classroom
    class_b: Classroom
    course_id: int


@pytest.fixture
def enrolled(session: Session, world: World, tmp_path: Path) -> Enrolled:
    """Class LA (unit A, due 01/10/2026) with HRA (completed), DPA (withdrawn) and HVA (in
    progress, quiz scores 60 and 80); class LB (unit B) with DPB and HVB, not started."""
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    class_a = make_class(
        session,
        world.coord_a,
        world.dept_a,
        code="LA",
        title="Lớp kỹ năng số A",
        due_on=date(2026, 10, 1),
        assign_unit=world.dept_a,
    )
    class_b = make_class(
        session, world.coord_b, world.dept_b, code="LB", title="Lớp B", assign_unit=world.dept_b
    )
    session.execute(update(Enrolment).values(enrolled_at=ENROLLED_AT))
    for user in (world.officer_a, world.hr_a):
        progress.complete_lesson(
            session, world.actor(session, user), course_slug="khoa-hoc-mau", lesson_slug="bai-mot"
        )
    cycles = {c.user_id: c for c in session.scalars(select(ProgressCycle))}
    cycles[world.hr_a.id].completed_at = COMPLETED_AT
    quiz_id = session.scalar(select(Quiz.id))
    assert quiz_id is not None
    for number, score in ((1, 60.0), (2, 80.0)):
        session.add(
            QuizAttempt(
                quiz_id=quiz_id,
                user_id=world.officer_a.id,
                cycle_id=cycles[world.officer_a.id].id,
                classroom_id=class_a.id,
                number=number,
                status="graded",
                score_percent=score,
                passed=score >= 80,
                settings={},
                layout=[],
            )
        )
    classes.withdraw(
        session,
        world.actor(session, world.coord_a),
        classroom_id=class_a.id,
        user_ids=[world.coord_a.id],
        reason="chuyển công tác",
    )
    session.commit()
    return Enrolled(class_a, class_b, class_a.course_id)


def bound_sessions(session: Session) -> Callable[[], Session]:
    """New sessions on the test's connection, each in a savepoint of its own, as a fresh
    session from the pool would be."""

    def open_session() -> Session:
        return Session(
            bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return open_session


@pytest.fixture
def unit_of_work(session: Session) -> Callable[[], AbstractContextManager[Session]]:
    """As app.db.transaction, on the test's connection."""
    sessions = bound_sessions(session)

    @contextmanager
    def work() -> Iterator[Session]:
        inner = sessions()
        try:
            yield inner
            inner.commit()
        except BaseException:
            inner.rollback()
            raise
        finally:
            inner.close()

    return work


@pytest.fixture
def opened_sessions(client: TestClient, session: Session) -> list[Session]:
    """Streaming exports get their sessions from the test's connection; the list records them."""
    opened: list[Session] = []
    sessions = bound_sessions(session)

    def factory() -> Session:
        new = sessions()
        opened.append(new)
        return new

    app = client.app
    app.dependency_overrides[export_sessions] = lambda: factory  # type: ignore[attr-defined]
    return opened


def log_in(client: TestClient, session: Session, user: object) -> None:
    from app.accounts.auth import start_session

    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, start_session(session, user, ip="127.0.0.1", user_agent="t"))  # type: ignore[arg-type]
    session.commit()
