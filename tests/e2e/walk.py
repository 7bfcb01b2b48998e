"""A seeded site for the tests that walk every page as each kind of person: the small org of
tests/world.py with the real courses, a hundred more officers, long names, a closed unit, classes
open, closed and open to join, enrolments and a withdrawal, lessons done, quiz attempts (open,
failed and passed), certificates (valid, reissued, revoked), notices, a training-hours
requirement and a finished export, all made through the app's own services and then served by a
real uvicorn (tests/e2e/conftest.py, walk_site).

Every page the walkers reach is read-only for them, so one site serves the whole package."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import flows
from app.accounts.grants import actor_for
from app.accounts.models import User
from app.accounts.reorg import close_unit
from app.accounts.tokens import actor_for_token, create_token
from app.certificates.models import Certificate
from app.certificates.service import reissue, revoke
from app.classrooms import service as classes
from app.classrooms.models import Classroom
from app.config import get_settings
from app.courses.content import parse_course_dir
from app.db import make_engine, utcnow
from app.demo import officers, org_tree
from app.i18n import today
from app.jobs import service as jobs
from app.main import create_app
from app.notifications.reminders import remind
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor
from app.orgs.service import rename_unit
from app.quizzes.grading import correct_view
from app.reports import requirements
from tests.factories import make_officer, make_unit
from tests.world import PASSWORD, World, build_world

COURSES = Path(__file__).resolve().parents[2] / "courses"
LEARNING = "ky-nang-cntt-co-ban"
FINISHED = "giao-tiep-tren-moi-truong-mang"
OPEN_TO_JOIN = "xu-ly-ho-so-truc-tuyen-mot-cua"
PAGED_OFFICERS = 110
# Who walks the site as each role: officer code, or None for an anonymous visitor.
WALKERS = {"anonymous": None, "officer": "HVA", "coordinator": "DPA", "hr": "HRA", "admin": "ADMIN"}


@dataclass
class Site:
    """The running site and the values that fill the route table's path parameters."""

    url: str
    params: dict[str, str] = field(default_factory=dict)
    # Values for one page only, where its state differs from its neighbours'.
    by_page: dict[str, dict[str, str]] = field(default_factory=dict)


def _finish_course(session: Session, user: User, slug: str, *, wrong_first: bool) -> None:
    """Every lesson done and every quiz passed (after a failed try at the first, when asked)."""
    spec = parse_course_dir(COURSES / slug)
    me = actor_for(session, user, ip="127.0.0.1")
    for number, module in enumerate(spec.modules):
        for lesson in module.lessons:
            flows.complete_lesson(session, me, course_slug=slug, lesson_slug=lesson.id)
        if module.quiz is None:
            continue
        if wrong_first and number == 0:
            failed = flows.start_attempt(
                session, me, course_slug=slug, quiz_slug=module.quiz.id, now=utcnow()
            )
            flows.submit_attempt(session, me, attempt_id=failed.id, answers={}, now=utcnow())
        attempt = flows.start_attempt(session, me, course_slug=slug, quiz_slug=module.quiz.id, now=utcnow())
        right = {
            item["question_id"]: correct_view(item["kind"], item["spec"])["answer"] for item in attempt.layout
        }
        flows.submit_attempt(session, me, attempt_id=attempt.id, answers=right, now=utcnow())


def seed(url: str) -> dict[str, str]:
    """Fill an upgraded database that holds the real courses; return the path parameters."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            world = build_world(session)
            _more_people(session, world)
            params = _classes_and_learning(session, world)
            _records(session, world)
            session.commit()
            return params
    finally:
        engine.dispose()


def _more_people(session: Session, world: World) -> None:
    """More officers than a page of the lists, the class dashboard and the audit log holds, so
    their "next page" links are there to follow; and the long names, units and addresses that
    widen a phone's page when a rule forgets them."""
    for person in officers(PAGED_OFFICERS, org_tree(wards=0)):
        make_officer(
            session,
            world.room_a,
            officer_code=person.code,
            full_name=person.full_name,
            email=person.email,
            category=person.category,
            position=person.position,
        )
    centre = make_unit(
        session,
        "SA-TTPVHCC",
        parent=world.dept_a,
        name="Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính",
    )
    make_officer(
        session,
        centre,
        officer_code="HV-TTPVHCC-0001",
        full_name="Công Tằng Tôn Nữ Thị Thanh Hương",
        email="congtangtonnuthithanhhuong.tiepnhanhoso@trungtamphucvuhanhchinhcong.thanhphomau.gov.vn",
        position="Chuyên viên tiếp nhận và trả kết quả giải quyết thủ tục hành chính",
    )
    closed = make_unit(session, "SA-P9", parent=world.dept_a, name="Tổ Một cửa liên thông")
    close_unit(session, world.actor(session, world.admin), unit_id=closed.id, effective_on=today())


def _classes_and_learning(session: Session, world: World) -> dict[str, str]:
    """Classes open, closed, open to join and of another unit; officer A has finished one course
    (after failing a quiz once), is half-way through another with an open attempt, and has been
    reminded."""
    on = today()
    coordinator = world.actor(session, world.coord_a)
    # Unit A's officers (the coordinator and HR among them) learn in one class.
    learning = _class(
        session,
        coordinator,
        "KNS-2026-SNV-DOT-01",
        "Lớp kỹ năng số đợt 1 năm 2026 của Sở Nội vụ",
        LEARNING,
        world.dept_a,
        on - timedelta(days=20),
        due_on=on + timedelta(days=10),
        capacity=500,
    )
    batch = flows.assign(
        session, coordinator, classroom_id=learning.id, target=classes.Target(unit_id=world.dept_a.id)
    )
    withdrawn = session.scalar(select(User.id).where(User.officer_code == "CB0000001"))
    assert withdrawn is not None
    classes.withdraw(
        session, coordinator, classroom_id=learning.id, user_ids=[withdrawn], reason="Chuyển công tác"
    )
    finished = _class(
        session,
        coordinator,
        "GT-01",
        "Lớp giao tiếp trên môi trường mạng",
        FINISHED,
        world.dept_a,
        on - timedelta(days=60),
        due_on=on - timedelta(days=5),
    )
    flows.assign(
        session, coordinator, classroom_id=finished.id, target=classes.Target(unit_id=world.room_a.id)
    )
    _class(
        session,
        coordinator,
        "MC-TU-DK",
        "Lớp một cửa tự đăng ký",
        OPEN_TO_JOIN,
        world.dept_a,
        on,
        due_on=on + timedelta(days=30),
        self_enrol=True,
    )
    _class(
        session,
        world.actor(session, world.coord_b),
        "KNS-01",
        "Lớp kỹ năng số Sở Tư pháp",
        LEARNING,
        world.dept_b,
        on,
    )
    _finish_course(session, world.officer_a, FINISHED, wrong_first=True)
    _finish_course(session, world.coord_a, FINISHED, wrong_first=False)
    classes.set_class_status(session, coordinator, classroom_id=finished.id, status="closed")
    officer = world.actor(session, world.officer_a)
    first = parse_course_dir(COURSES / LEARNING).modules[0]
    for lesson in first.lessons[:2]:
        flows.complete_lesson(session, officer, course_slug=LEARNING, lesson_slug=lesson.id)
    assert first.quiz is not None
    failed = flows.start_attempt(
        session, officer, course_slug=LEARNING, quiz_slug=first.quiz.id, now=utcnow()
    )
    flows.submit_attempt(session, officer, attempt_id=failed.id, answers={}, now=utcnow())
    open_attempt = flows.start_attempt(
        session, officer, course_slug=LEARNING, quiz_slug=first.quiz.id, now=utcnow()
    )
    remind(session, coordinator, get_settings(), classroom_id=learning.id, target="not_started", today=on)
    session.flush()
    certificate = session.scalars(select(Certificate).where(Certificate.user_id == world.officer_a.id)).one()
    return {
        "slug": LEARNING,
        "lesson": first.lessons[0].id,
        "quiz": first.quiz.id,
        "classroom_id": str(learning.id),
        "batch_id": str(batch.id),
        "quiz_id": str(open_attempt.quiz_id),
        "attempt_id": str(open_attempt.id),
        "user_id": str(world.officer_a.id),
        "unit_id": str(world.room_a.id),
        # Not a path parameter: the unit that owns the classes, for forms that open one.
        "owner_unit_id": str(world.dept_a.id),
        "certificate_id": str(certificate.id),
        "verify_code": certificate.verify_code,
        "report": "courses",
        "year": str(on.year),
    }


def _class(
    session: Session,
    actor: Actor,
    code: str,
    title: str,
    course: str,
    unit: OrgUnit,
    opens_on: date,
    **more: Any,
) -> Classroom:
    form = classes.ClassForm(
        code=code, title=title, course_slug=course, owner_unit_id=unit.id, opens_on=opens_on, **more
    )
    return classes.create_class(session, actor, form)


def _records(session: Session, world: World) -> None:
    """What staff keep: a training-hours requirement, a renamed unit, a reissued and a revoked
    certificate, a class opened with an API token, and HR's export of enrolments (written by the
    job runner before serving)."""
    on = today()
    admin = world.actor(session, world.admin)
    hr = world.actor(session, world.hr_a)
    requirements.set_requirement(session, admin, year=on.year, category="cong_chuc", minutes=16 * 60)
    rename_unit(session, admin, unit_id=world.room_a.id, name="Phòng Công chức, Viên chức", effective_on=on)
    mine = session.scalars(select(Certificate).where(Certificate.user_id == world.officer_a.id)).one()
    reissue(session, hr, certificate_id=mine.id, now=utcnow())
    wrong = session.scalars(select(Certificate).where(Certificate.user_id == world.coord_a.id)).one()
    revoke(session, hr, certificate_id=wrong.id, reason="Cấp nhầm người", now=utcnow())
    # A coordinator's system opens a class through the API, as its token.
    _token, secret = create_token(
        session, admin, name="Phần mềm quản lý đào tạo", role="coordinator", unit_id=world.dept_a.id
    )
    system = actor_for_token(session, secret, ip="10.0.0.5")
    assert system is not None
    _class(session, system, "API-01", "Lớp mở qua phần mềm", LEARNING, world.dept_a, on)
    jobs.create_export(
        session,
        hr,
        kind="reports.enrolments",
        params={"unit_id": world.dept_a.id},
        fmt="csv",
        language="vi",
        now=utcnow(),
        timezone="Asia/Ho_Chi_Minh",
        keep_hours=24,
    )


def routes() -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
    """(pattern, path template, methods) of every endpoint of the app, included routers' too."""
    found = []
    for route in create_app().routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            regex = getattr(context, "path_regex", None)
            if regex is not None:
                methods = frozenset(getattr(context, "methods", None) or ())
                found.append((regex, str(getattr(context, "path", "")), methods))
    return found


def stage(site: Site) -> None:
    """What people do on the pages before the walk: a mistyped password and activation code
    (which the audit log shows), and HR's roster files, one waiting at its preview and one
    imported. The roster pages share a path parameter, so the imported file fills the page that
    says what an import did."""
    roster = "Mã cán bộ;Họ và tên;Đơn vị\n{code};{name};SA-P1\n"
    with httpx.Client(base_url=site.url, timeout=30) as client:
        wrong = client.post(
            "/login", data={"csrf_token": csrf(client), "account": "HVB", "password": "sai-roi"}
        )
        assert wrong.status_code == 401, wrong.text
        typo = {
            "officer_code": "HVB",
            "code": "AAAA-BBBB-CCCC",
            "password": PASSWORD,
            "password_again": PASSWORD,
        }
        wrong = client.post("/activate", data={"csrf_token": csrf(client), **typo})
        assert wrong.status_code == 303, wrong.text
        log_in(client, "HRA")
        ids = []
        for code, name in (("MOI-0001", "Đỗ Thị Mới"), ("MOI-0002", "Vi Văn Nhập")):
            sent = client.post(
                "/officers/import",
                data={"csrf_token": csrf(client)},
                files={"file": ("danh-sach.csv", roster.format(code=code, name=name).encode(), "text/csv")},
            )
            assert sent.status_code == 303, sent.text
            ids.append(sent.headers["location"].rsplit("/", 1)[-1])
        applied = client.post(f"/officers/import/{ids[1]}/apply", data={"csrf_token": csrf(client)})
        assert applied.status_code == 303, applied.text
    site.params["upload_id"] = ids[0]
    site.by_page["/officers/import/{upload_id}/done"] = {"upload_id": ids[1]}


def csrf(client: httpx.Client) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    return token.group(1)


def log_in(client: httpx.Client, officer_code: str) -> None:
    """Log in through the login form, as a person would."""
    done = client.post(
        "/login", data={"csrf_token": csrf(client), "account": officer_code, "password": PASSWORD}
    )
    assert done.status_code == 303, done.text
