"""The crash test's direct database work: preparing the exam and reading back what a killed
server left. It runs in a spawned process of its own (`worker`), pointed at the server's
database, so the test process's settings and engine stay on the suite's database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import func, select

from bench.exam_check import Acknowledged, Verification


@dataclass(frozen=True)
class Exam:
    codes: list[str]
    # officer code → a login session's token, made here so the test spends no time on argon2
    sessions: dict[str, str]
    # an HR API token on the root unit, for roster imports
    hr_token: str


@dataclass(frozen=True)
class RosterState:
    users: int
    placements: int
    audited: int


def _use_database(url: str) -> None:
    os.environ["HOCSO_DATABASE_URL"] = url
    os.environ["HOCSO_ENVIRONMENT"] = "test"


@contextmanager
def worker(url: str) -> Iterator[ProcessPoolExecutor]:
    """One spawned process whose app settings point at `url`."""
    with ProcessPoolExecutor(
        1, mp_context=get_context("spawn"), initializer=_use_database, initargs=(url,)
    ) as pool:
        yield pool


def _dispose() -> None:
    from app.db import get_engine

    get_engine().dispose()


def prepare_exam(root: str, officers: int, questions: int) -> Exam:
    from app.accounts.auth import start_session
    from app.accounts.models import User
    from app.accounts.tokens import create_token
    from app.db import transaction
    from app.orgs.models import OrgUnit
    from app.orgs.permissions import SYSTEM
    from bench.exam_setup import prepare

    prepared = prepare(Path(root), officers, questions=questions, complete_on_pass=True)
    with transaction() as session:
        users = session.scalars(select(User).where(User.officer_code.in_(prepared.codes))).all()
        sessions = {
            u.officer_code: start_session(session, u, ip="127.0.0.1", user_agent="crash") for u in users
        }
        root_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "TP"))
        assert root_id is not None
        _, secret = create_token(session, SYSTEM, name="Roster feed", role="hr", unit_id=root_id)
    _dispose()
    return Exam(prepared.codes, sessions, secret)


def verify_exam(codes: list[str], acked: Acknowledged) -> Verification:
    from bench.exam_check import verify
    from bench.exam_setup import QUIZ

    try:
        return verify(codes, QUIZ, acked)
    finally:
        _dispose()


def completion_problems(codes: list[str]) -> list[str]:
    """A graded attempt and the course's completion are one transaction: the officer's round is
    completed, with exactly one certificate, exactly when their graded attempt passed."""
    from app.accounts.models import User
    from app.certificates.models import Certificate
    from app.db import transaction
    from app.quizzes.models import QuizAttempt
    from app.rounds.models import ProgressCycle

    problems = []
    with transaction() as session:
        rows = session.execute(
            select(
                User.officer_code,
                QuizAttempt.status,
                QuizAttempt.passed,
                ProgressCycle.completed_at,
                select(func.count(Certificate.id))
                .where(Certificate.cycle_id == ProgressCycle.id)
                .scalar_subquery(),
            )
            .join(QuizAttempt, QuizAttempt.user_id == User.id)
            .join(ProgressCycle, ProgressCycle.id == QuizAttempt.cycle_id)
            .where(User.officer_code.in_(codes))
        ).all()
    _dispose()
    for code, status, passed, completed_at, certificates in rows:
        should_complete = status == "graded" and bool(passed)
        if (completed_at is not None) != should_complete or certificates != int(should_complete):
            problems.append(
                f"{code}: {status}, passed {passed}, completed {completed_at}, {certificates} certificates"
            )
    return problems


def roster_states(files: dict[str, list[str]]) -> dict[str, RosterState]:
    """For each imported file: its officers, their placements and its audit entries."""
    from app.accounts.models import Placement, User
    from app.audit.models import AuditEvent
    from app.db import transaction

    states = {}
    with transaction() as session:
        for name, codes in files.items():
            users = select(User.id).where(User.officer_code.in_(codes))
            states[name] = RosterState(
                users=session.scalar(select(func.count()).select_from(users.subquery())) or 0,
                placements=session.scalar(
                    select(func.count(Placement.id)).where(Placement.user_id.in_(users))
                )
                or 0,
                audited=session.scalar(
                    select(func.count(AuditEvent.id)).where(
                        AuditEvent.action == "roster.import", AuditEvent.target_id == name
                    )
                )
                or 0,
            )
    _dispose()
    return states
