"""Two tenants for access-control tests: unit A (dept_a and room_a) and unit B (dept_b), each with
a class, enrolments, a quiz attempt, a certificate, an export job, uploads, a notification and an
API token, so a person of one unit can be pointed at every id of the other.

`snapshot` reads every table that a refused request must leave alone, to compare before and after."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.models import User
from app.accounts.roster_uploads import stage_upload
from app.accounts.tokens import create_token
from app.certificates.issuing import issue_for_cycle
from app.certificates.models import Certificate
from app.classrooms import service as classes
from app.classrooms.models import Classroom
from app.courses import service as courses
from app.courses.models import Course
from app.courses.uploads import stage_upload as stage_course_upload
from app.db import utcnow
from app.http.auth import SESSION_COOKIE
from app.jobs.models import Job, JobChunk
from app.models import Base
from app.notifications.models import Notification
from app.orgs.models import OrgUnit, RoleGrant
from app.orgs.permissions import SYSTEM
from app.quizzes import attempts as quiz_attempts
from app.quizzes.models import QuizAttempt
from app.rounds.models import ProgressCycle
from tests.factories import make_officer, write_course, zip_folder
from tests.world import World

# Tables a refused request may touch: the caller's own session and login bookkeeping.
BOOKKEEPING = {"auth_sessions", "login_attempts", "api_tokens"}
MISSING_ID = "2000000000"


@dataclass
class Tenant:
    """What one unit owns, by id."""

    unit: OrgUnit
    coordinator: User
    hr: User
    officer: User
    classroom: Classroom
    batch_id: int
    attempt: QuizAttempt
    certificate: Certificate
    job: Job
    upload_id: int
    course_upload_id: str
    grant_id: int
    token_id: int
    notification_id: int
    secrets: dict[str, str] = field(default_factory=dict)

    def path_values(self) -> dict[str, str]:
        """The value of each path parameter naming this tenant's things."""
        return {
            "user_id": str(self.officer.id),
            "unit_id": str(self.unit.id),
            "classroom_id": str(self.classroom.id),
            "batch_id": str(self.batch_id),
            "quiz_id": str(self.attempt.quiz_id),
            "attempt_id": str(self.attempt.id),
            "certificate_id": str(self.certificate.id),
            "job_id": str(self.job.id),
            "upload_id": str(self.upload_id),
            "course_upload_id": self.course_upload_id,
            "grant_id": str(self.grant_id),
            "token_id": str(self.token_id),
        }


@dataclass
class Tenants:
    world: World
    a: Tenant
    b: Tenant
    # An admin of unit A only: the whole admin role, but over unit A's subtree.
    admin_a: User


def _grant_of(session: Session, user: User) -> int:
    grant = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == user.id))
    assert grant is not None
    return grant


def _tenant(
    session: Session,
    world: World,
    tmp: Path,
    *,
    unit: OrgUnit,
    assign: OrgUnit,
    coordinator: User,
    hr: User,
    officer: User,
    code: str,
) -> Tenant:
    coord = world.actor(session, coordinator)
    classroom = classes.create_class(
        session,
        coord,
        classes.ClassForm(
            code=code,
            title=f"Lớp {code}",
            course_slug="khoa-hoc-mau",
            owner_unit_id=unit.id,
            opens_on=date(2026, 9, 1),
            self_enrol=True,
        ),
    )
    batch = classes.assign(
        session, coord, classroom_id=classroom.id, target=classes.Target(unit_id=assign.id)
    )
    attempt = quiz_attempts.start(
        session,
        world.actor(session, officer),
        course_slug="khoa-hoc-mau",
        quiz_slug="kiem-tra-mot",
        now=utcnow(),
    )
    cycle = ProgressCycle(user_id=officer.id, course_id=classroom.course_id, number=0, completed_at=utcnow())
    session.add(cycle)
    session.flush()
    course = session.get_one(Course, classroom.course_id)
    certificate = issue_for_cycle(session, SYSTEM, course=course, cycle=cycle, now=utcnow())
    job = Job(
        kind="reports.enrolments",
        requester_id=hr.id,
        params={"filter": {"unit_id": unit.id}, "format": "csv", "language": "vi"},
        status="done",
        rows_done=1,
        attempts=1,
        filename=f"ghi-danh-{code}.csv",
        media_type="text/csv; charset=utf-8",
        size_bytes=len(code),
        expires_at=utcnow() + timedelta(hours=1),
    )
    session.add(job)
    session.flush()
    session.add(JobChunk(job_id=job.id, seq=0, data=code.encode()))
    course_upload = stage_course_upload(
        session,
        coord,
        filename="moi.zip",
        data=zip_folder(write_course(tmp / code, slug="khoa-hoc-moi"), top="khoa-hoc-moi"),
    )
    roster = f"Mã cán bộ;Họ và tên;Đơn vị\nMOI{code};Đỗ Thị Mới;{unit.code}\n".encode()
    upload = stage_upload(
        session, world.actor(session, hr), filename="ds.csv", data=roster, deactivate_missing=False
    )
    token, secret = create_token(
        session, world.actor(session, world.admin), name=f"Hệ thống {code}", role="hr", unit_id=unit.id
    )
    _coord_token, coord_secret = create_token(
        session,
        world.actor(session, world.admin),
        name=f"Điều phối {code}",
        role="coordinator",
        unit_id=unit.id,
    )
    notification = Notification(
        dedupe_key=f"test-{code}", user_id=officer.id, kind="manual", classroom_id=classroom.id, params={}
    )
    session.add(notification)
    session.flush()
    return Tenant(
        unit=unit,
        coordinator=coordinator,
        hr=hr,
        officer=officer,
        classroom=classroom,
        batch_id=batch.id,
        attempt=attempt,
        certificate=certificate,
        job=job,
        upload_id=upload.id,
        course_upload_id=str(course_upload.upload_id),
        grant_id=_grant_of(session, coordinator),
        token_id=token.id,
        notification_id=notification.id,
        secrets={"hr_token": secret, "coordinator_token": coord_secret},
    )


def build_tenants(session: Session, world: World, tmp: Path) -> Tenants:
    courses.import_course_dir(session, write_course(tmp / "course"), max_asset_bytes=1 << 20)
    hr_b = make_officer(session, world.dept_b, role="hr", officer_code="HRB", full_name="Vũ Thị Nhân")
    a = _tenant(
        session,
        world,
        tmp,
        unit=world.dept_a,
        assign=world.room_a,
        coordinator=world.coord_a,
        hr=world.hr_a,
        officer=world.officer_a,
        code="A1",
    )
    b = _tenant(
        session,
        world,
        tmp,
        unit=world.dept_b,
        assign=world.dept_b,
        coordinator=world.coord_b,
        hr=hr_b,
        officer=world.officer_b,
        code="B1",
    )
    admin_a = make_officer(session, world.dept_a, role="admin", officer_code="QTA", full_name="Đỗ Văn Quản")
    session.commit()
    return Tenants(world=world, a=a, b=b, admin_a=admin_a)


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the caller's own bookkeeping, in a stable order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        found = session.execute(select(table)).all()
        rows[table.name] = sorted((tuple(row) for row in found), key=repr)
    return rows


class As:
    """Requests as one person of unit A: a login session for pages and the API, or an API token."""

    def __init__(self, client: TestClient, session: Session, tenants: Tenants) -> None:
        self.client = client
        self.session = session
        self.tenants = tenants

    def login(self, user: User) -> str:
        """Logs the user in and returns a CSRF token for forms."""
        self.client.cookies.clear()
        self.client.cookies.set(
            SESSION_COOKIE, start_session(self.session, user, ip="127.0.0.1", user_agent="t")
        )
        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        return token.group(1)

    def send(
        self, who: str, method: str, url: str, *, form: dict[str, Any] | None = None, body: Any = None
    ) -> Any:
        """One request as `who`: coordinator, hr, officer or admin of unit A by session, or hr_token /
        coordinator_token of unit A by API token."""
        a = self.tenants.a
        headers: dict[str, str] = {}
        if who.endswith("_token"):
            self.client.cookies.clear()
            headers["authorization"] = f"Bearer {a.secrets[who]}"
        else:
            user = {
                "coordinator": a.coordinator,
                "hr": a.hr,
                "officer": a.officer,
                "admin": self.tenants.admin_a,
            }[who]
            csrf = self.login(user)
            headers["x-csrf-token"] = csrf
            if form is not None:
                form = {**form, "csrf_token": csrf}
        if form is not None and not url.startswith("/api/"):
            return self.client.request(method, url, data=form, headers=headers)
        return self.client.request(method, url, json=body if body is not None else {}, headers=headers)
