"""The JSON API fuzzed from its own OpenAPI schema: every operation, called by every kind of caller
with generated (valid and invalid) parameters and bodies, must never answer 5xx and must answer
what its schema documents.

Bounded and reproducible: a few derandomized examples per operation. Each example runs in a
savepoint of its own that is rolled back afterwards, so a DELETE or a merge in one example never
changes what the next one finds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.tokens import create_token
from app.certificates.issuing import issue_for_cycle
from app.classrooms import service as classes
from app.courses import service as courses
from app.courses.models import Course
from app.db import REFUSED, as_domain_error, commit_or_raise, end_after_error, utcnow
from app.http.auth import CSRF_COOKIE, SESSION_COOKIE, sign
from app.http.downloads import export_sessions
from app.http.session import request_session
from app.jobs.models import Job, JobChunk
from app.main import create_app
from app.orgs.models import RoleGrant
from app.orgs.permissions import SYSTEM
from app.quizzes import attempts as quiz_attempts
from app.reports import requirements
from app.rounds.models import ProgressCycle
from tests.factories import write_course
from tests.world import World

# People log in with a session cookie (and send the page's CSRF token with writes, as the
# pages' scripts do); integrations send an API token, which carries only these two roles.
PEOPLE = ("anonymous", "officer", "coordinator", "other_coordinator", "hr", "admin")
TOKENS = ("token_coordinator", "token_hr")
CALLERS = PEOPLE + TOKENS
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@dataclass
class FuzzEnv:
    connection: Connection
    app: FastAPI
    ids: dict[str, str]
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    current: Session | None = None

    @contextmanager
    def example(self) -> Iterator[None]:
        """One example's requests in a savepoint that is rolled back after it."""
        savepoint = self.connection.begin_nested()
        self.current = Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield
        finally:
            self.current.close()
            self.current = None
            savepoint.rollback()

    def request_session(self) -> Iterator[Session]:
        # As app.http.session.request_session, over this example's session.
        session = self.current
        assert session is not None
        try:
            yield session
            commit_or_raise(session)
        except REFUSED as exc:
            session.rollback()
            raise as_domain_error(exc) from exc
        except BaseException as exc:
            end_after_error(session, exc)
            raise

    def export_session(self) -> Session:
        assert self.current is not None
        return Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def _build_ids(session: Session, world: World, tmp_path: Path) -> dict[str, str]:
    """One of each thing the API addresses by id, in unit A, so generated calls can hit real rows."""
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == world.coord_a.id))
    assert grant is not None
    coord = world.actor(session, world.coord_a)
    classroom = classes.create_class(
        session,
        coord,
        classes.ClassForm(
            code="L1",
            title="Lớp 1",
            course_slug="khoa-hoc-mau",
            owner_unit_id=world.dept_a.id,
            opens_on=date(2026, 9, 1),
            self_enrol=True,
        ),
    )
    classes.assign(session, coord, classroom_id=classroom.id, target=classes.Target(unit_id=world.room_a.id))
    attempt = quiz_attempts.start(
        session,
        world.actor(session, world.officer_a),
        course_slug="khoa-hoc-mau",
        quiz_slug="kiem-tra-mot",
        now=utcnow(),
    )
    done = ProgressCycle(
        user_id=world.officer_a.id, course_id=classroom.course_id, number=0, completed_at=utcnow()
    )
    session.add(done)
    session.flush()
    course = session.get_one(Course, classroom.course_id)
    certificate = issue_for_cycle(session, SYSTEM, course=course, cycle=done, now=utcnow())
    requirements.set_requirement(
        session, world.actor(session, world.admin), year=2026, category="vien_chuc", minutes=60
    )
    job = Job(
        kind="reports.enrolments",
        requester_id=world.hr_a.id,
        params={"filter": {}, "format": "csv", "language": "vi"},
        status="done",
        rows_done=0,
        attempts=1,
        filename="ghi-danh-2026-11-28.csv",
        media_type="text/csv; charset=utf-8",
        size_bytes=3,
        expires_at=utcnow() + timedelta(hours=1),
    )
    session.add(job)
    session.flush()
    session.add(JobChunk(job_id=job.id, seq=0, data=b"abc"))
    return {
        "year": "2026",
        "category": "vien_chuc",
        "report": "courses",
        "job_id": str(job.id),
        "slug": "khoa-hoc-mau",
        "lesson": "bai-mot",
        "user_id": str(world.officer_a.id),
        "unit_id": str(world.room_a.id),
        "change": "rename",
        "grant_id": str(grant.id),
        "classroom_id": str(classroom.id),
        "quiz": "kiem-tra-mot",
        "quiz_id": str(attempt.quiz_id),
        "attempt_id": str(attempt.id),
        "certificate_id": str(certificate.id),
    }


@pytest.fixture
def fuzz_env(session: Session, world: World, tmp_path: Path) -> FuzzEnv:
    ids = _build_ids(session, world, tmp_path)
    env = FuzzEnv(connection=session.connection(), app=create_app(), ids=ids)
    people = {
        "officer": world.officer_a,
        "coordinator": world.coord_a,
        "other_coordinator": world.coord_b,
        "hr": world.hr_a,
        "admin": world.admin,
    }
    for who, user in people.items():
        csrf = f"csrf-{who}"
        env.cookies[who] = {
            SESSION_COOKIE: start_session(session, user, ip="127.0.0.1", user_agent="fuzz"),
            CSRF_COOKIE: csrf,
        }
        env.headers[who] = {"X-CSRF-Token": sign("csrf:" + csrf)}
    admin = world.actor(session, world.admin)
    for who in TOKENS:
        _, secret = create_token(
            session, admin, name=who, role=who.removeprefix("token_"), unit_id=world.dept_a.id
        )
        env.headers[who] = {"Authorization": f"Bearer {secret}"}
    session.flush()
    env.app.dependency_overrides[request_session] = env.request_session
    env.app.dependency_overrides[export_sessions] = lambda: env.export_session
    return env


schema = schemathesis.openapi.from_dict(create_app().openapi())


@settings(
    max_examples=int(os.environ.get("HOCSO_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=os.environ.get("HOCSO_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
@schema.given(caller=st.sampled_from(CALLERS), real_ids=st.booleans())
def test_api_answers_as_documented_for_any_input_and_caller(
    case: Any, caller: str, real_ids: bool, fuzz_env: FuzzEnv
) -> None:
    if real_ids and case.path_parameters:
        for name in case.path_parameters:
            if name in fuzz_env.ids:
                case.path_parameters[name] = fuzz_env.ids[name]
    with fuzz_env.example():
        case.call_and_validate(
            headers=fuzz_env.headers.get(caller, {}),
            cookies=fuzz_env.cookies.get(caller, {}),
            checks=CHECKS,
            app=fuzz_env.app,
        )
