"""The site the journeys of tests/e2e/test_journeys.py walk: a short course of two modules (two
lessons and a quiz, then a lesson and a quiz), a department with three offices, a coordinator
and HR over it, and two learners in another department, all made through the app's own services.

The officers' office learned already (two finished, one began, one has not), a sixteen-hour
requirement leaves them short, and in each coordinator's office one officer began on their own.
Each size walks with people of its own, so a journey at one size never sees the other's work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from app import flows
from app.accounts.grants import actor_for
from app.accounts.models import User
from app.classrooms import service as classes
from app.courses import service as courses
from app.db import make_engine, utcnow
from app.i18n import today
from app.quizzes.grading import correct_view
from app.reports import requirements
from tests.factories import make_officer, make_unit, write_course

PASSWORD = "nang-som-tren-doi-che-xanh"
SLUG = "ho-so-dien-tu-co-ban"
TITLE = "Hồ sơ điện tử cơ bản"
LESSONS = ("kiem-tra-thanh-phan", "so-hoa", "dat-ten-tep")
QUIZZES = ("kiem-tra-tiep-nhan", "kiem-tra-luu-tru")
# The officer who walks at each size (they finish the course, so one each) and the office each
# size's coordinator assigns, with its officers.
LEARNERS = {"phone": "CB9000002", "desk": "CB9000003"}
ROOMS = {"phone": ("SNV-CC", "Phòng Công chức, Viên chức"), "desk": ("SNV-TC", "Phòng Tổ chức, Biên chế")}
ROOM_PEOPLE = {
    "SNV-CC": ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Ánh Tuyết"],
    "SNV-TC": ["Phạm Quốc Hưng", "Đỗ Thị Thuỳ Dương", "Vũ Đình Khải"],
}
OFFICE_PEOPLE = ["Hoàng Văn Thắng", "Bùi Thị Ngọc Ánh", "Đặng Minh Khôi", "Ngô Thị Phượng"]

COURSE_YAML = f"""\
id: {SLUG}
version: 1
language: vi
title: {{vi: "{TITLE}", en: "Electronic records basics"}}
summary: {{vi: Khoá học ngắn về tiếp nhận và lưu hồ sơ điện tử., en: A short course on electronic records.}}
training_hours: 4
modules:
  - id: tiep-nhan
    title: Tiếp nhận hồ sơ
    lessons: [m1/kiem-tra-thanh-phan.md, m1/so-hoa.md]
    quiz: m1/kiem-tra.yaml
  - id: luu-tru
    title: Lưu trữ hồ sơ
    lessons: [m2/dat-ten-tep.md]
    quiz: m2/kiem-tra.yaml
"""


def lesson(slug: str, title: str, body: str) -> str:
    return f"---\nid: {slug}\ntitle: {title}\nminutes: 5\n---\n\n{body}\n"


def quiz(slug: str, title: str, question: str) -> str:
    """Two questions; the right answers are "Đối chiếu với danh mục thành phần hồ sơ" and "Đúng"."""
    return f"""\
id: {slug}
title: "{title}"
max_attempts: 3
review: after_passing
questions:
  - id: {slug}-chon
    type: single_choice
    text: {question}
    choices:
      - {{id: a, text: Đối chiếu với danh mục thành phần hồ sơ, correct: true}}
      - {{id: b, text: Nhận trước rồi tính sau}}
    explanation: Thành phần hồ sơ được đối chiếu ngay khi tiếp nhận.
  - id: {slug}-dung-sai
    type: true_false
    text: Tệp quét phải đọc được rõ ràng.
    answer: true
    explanation: Tệp mờ buộc người dân nộp lại.
"""


COURSE_FILES: dict[str, str | bytes] = {
    "course.yaml": COURSE_YAML,
    "m1/kiem-tra-thanh-phan.md": lesson(
        LESSONS[0], "Kiểm tra thành phần hồ sơ", "Đối chiếu từng giấy tờ với danh mục."
    ),
    "m1/so-hoa.md": lesson(LESSONS[1], "Số hoá giấy tờ", "Quét rõ nét, đủ trang, đúng chiều."),
    "m1/kiem-tra.yaml": quiz(
        QUIZZES[0], "Kiểm tra: Tiếp nhận hồ sơ", "Khi tiếp nhận hồ sơ, việc đầu tiên là gì?"
    ),
    "m2/dat-ten-tep.md": lesson(LESSONS[2], "Đặt tên tệp", "Tên tệp có ngày, nội dung và đơn vị."),
    "m2/kiem-tra.yaml": quiz(QUIZZES[1], "Kiểm tra: Lưu trữ hồ sơ", "Trước khi lưu hồ sơ cần làm gì?"),
}


def seed(url: str, folder: Path) -> None:
    """Write the course under folder and fill the upgraded database at url."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            course = write_course(folder, slug=SLUG, files=COURSE_FILES)
            courses.import_course_dir(session, course, max_asset_bytes=1 << 20)
            _seed(session)
            session.commit()
    finally:
        engine.dispose()


def _begin(session: Session, user: User) -> None:
    me = actor_for(session, user, ip="127.0.0.1")
    flows.complete_lesson(session, me, course_slug=SLUG, lesson_slug=LESSONS[0])


def _finish(session: Session, user: User) -> None:
    """Every lesson done and every quiz passed."""
    me = actor_for(session, user, ip="127.0.0.1")
    for slug in LESSONS:
        flows.complete_lesson(session, me, course_slug=SLUG, lesson_slug=slug)
    for quiz_slug in QUIZZES:
        attempt = flows.start_attempt(session, me, course_slug=SLUG, quiz_slug=quiz_slug, now=utcnow())
        right = {i["question_id"]: correct_view(i["kind"], i["spec"])["answer"] for i in attempt.layout}
        flows.submit_attempt(session, me, attempt_id=attempt.id, answers=right, now=utcnow())


def _class(session: Session, owner: User, code: str, title: str, unit_id: int, *, days_left: int) -> int:
    on = today("Asia/Ho_Chi_Minh")
    form = classes.ClassForm(
        code=code,
        title=title,
        course_slug=SLUG,
        owner_unit_id=unit_id,
        opens_on=on - timedelta(days=30),
        due_on=on + timedelta(days=days_left),
    )
    return classes.create_class(session, actor_for(session, owner, ip="127.0.0.1"), form).id


def _seed(session: Session) -> None:
    root = make_unit(session, "TP", name="Thành phố Mẫu")
    home_affairs = make_unit(session, "SNV", parent=root, name="Sở Nội vụ")
    justice = make_unit(session, "STP", parent=root, name="Sở Tư pháp")
    rooms = {code: make_unit(session, code, parent=home_affairs, name=name) for code, name in ROOMS.values()}
    office = make_unit(session, "SNV-VP", parent=home_affairs, name="Văn phòng Sở")
    admin = make_officer(session, root, role="admin", officer_code="QT0001", full_name="Quản Trị Viên")
    coordinator = make_officer(
        session,
        home_affairs,
        password=PASSWORD,
        role="coordinator",
        officer_code="DP0001",
        full_name="Lê Văn Điều",
    )
    make_officer(
        session, home_affairs, password=PASSWORD, role="hr", officer_code="NS0001", full_name="Phạm Thị Nhân"
    )
    their_coordinator = make_officer(
        session, justice, role="coordinator", officer_code="DP0002", full_name="Trần Văn Phối"
    )
    learners = [
        make_officer(session, justice, password=PASSWORD, officer_code=code, full_name=name)
        for code, name in zip(LEARNERS.values(), ("Nguyễn Thị Thu Hà", "Trịnh Văn Quang"), strict=True)
    ]
    for code, names in ROOM_PEOPLE.items():
        _begin(session, make_officer(session, rooms[code], full_name=names[0]))
        for name in names[1:]:
            make_officer(session, rooms[code], full_name=name)
    office_people = [make_officer(session, office, full_name=name) for name in OFFICE_PEOPLE]

    learning = _class(
        session, their_coordinator, "HSDT-01", "Lớp hồ sơ điện tử đợt 1", justice.id, days_left=30
    )
    flows.assign(
        session,
        actor_for(session, their_coordinator, ip="127.0.0.1"),
        classroom_id=learning,
        target=classes.Target(user_ids=tuple(u.id for u in learners)),
    )
    earlier = _class(
        session, coordinator, "HSDT-VP", "Lớp hồ sơ điện tử Văn phòng Sở", home_affairs.id, days_left=5
    )
    flows.assign(
        session,
        actor_for(session, coordinator, ip="127.0.0.1"),
        classroom_id=earlier,
        target=classes.Target(unit_id=office.id),
    )
    for person in office_people[:2]:
        _finish(session, person)
    _begin(session, office_people[2])
    requirements.set_requirement(
        session,
        actor_for(session, admin, ip="127.0.0.1"),
        year=today("Asia/Ho_Chi_Minh").year,
        category="cong_chuc",
        minutes=16 * 60,
    )
    session.flush()
