"""Script in everything people type: a course (title, summary, lessons, quiz), an officer's
name, a unit's name and a class's title carry script payloads; every page that shows them is
visited in Chromium, and no payload runs or even becomes an element. The pages are visited twice:
as served, and with the Content-Security-Policy switched off in the browser, so the test proves
the escaping and sanitising themselves, not only the CSP behind them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, FilePayload, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import flows
from app.accounts.grants import actor_for
from app.accounts.models import User
from app.certificates.models import Certificate
from app.classrooms import service as classes
from app.courses.content import CourseSpec, parse_course_dir
from app.db import make_engine, utcnow
from app.i18n import today
from app.orgs import service as orgs
from app.orgs.models import OrgUnit
from app.orgs.permissions import SYSTEM
from app.quizzes.grading import correct_view
from app.quizzes.models import QuizAttempt
from tests.e2e.conftest import RUN_ENV, hocso
from tests.e2e.test_learning import activate
from tests.factories import LESSON_TWO, QUIZ, write_course, zip_folder

SCRIPT = "<script>window.__xss=1;alert(1)</script>"
IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SVG = '"><svg onload="window.__xss=1;alert(1)">'
UNIT_NAME = f"{SVG} Phòng {SCRIPT}"
OFFICER_NAME = f"{IMG} Lê Văn {SCRIPT}"
CLASS_TITLE = f"{SCRIPT} Lớp {IMG}"
COURSE_TITLE = f"{SCRIPT} Khoá {IMG}"
MISSING_UNIT = f"{SVG} không có {SCRIPT}"
LESSON = f"""\
---
id: bai-mot
title: {json.dumps(SCRIPT + " Bài " + SVG)}
---

{SCRIPT}

{IMG} {SVG}

[bấm vào đây](javascript:window.__xss=1) <a href="javascript:window.__xss=1">liên kết</a>

[trang](  JaVaScRiPt:window.__xss=1 ) [dữ liệu](data:text/html,<script>window.__xss=1</script>)

<iframe srcdoc="<script>parent.__xss=1</script>"></iframe><style>body{{display:none}}</style>
"""
COURSE_YAML = f"""\
id: xss-thu
version: 1
language: vi
title:
  vi: {json.dumps(COURSE_TITLE)}
  en: {json.dumps(SVG + " course")}
summary:
  vi: {json.dumps(IMG + " tóm tắt " + SCRIPT)}
  en: Summary.
training_hours: 1
modules:
  - id: hoc-phan-mot
    title: {json.dumps(SVG + " học phần")}
    lessons:
      - m1/bai-mot.md
      - m1/bai-hai.md
    quiz: m1/kiem-tra.yaml
"""
INJECTED = (
    "script:not([src]), img[src='x'], svg[onload], iframe, style, a[href^='javascript' i], a[href^='data' i]"
)
PASSWORD = "ca-dao-tuc-ngu-xu-nghe-an"
OFFICER_PASSWORD = "trong-dong-dong-son-co-xua"


def write_hostile_course(root: Path, version: int = 1) -> Path:
    return write_course(
        root,
        slug="xss-thu",
        files={
            "course.yaml": COURSE_YAML.replace("version: 1", f"version: {version}"),
            "m1/bai-mot.md": LESSON,
            "m1/bai-hai.md": LESSON_TWO,
            "m1/kiem-tra.yaml": QUIZ.replace(
                'title: "Kiểm tra: học phần một"', f"title: {json.dumps(SCRIPT)}"
            )
            .replace("text: Chọn một?", f"text: {json.dumps(IMG)}")
            .replace("text: Đúng\n", f"text: {json.dumps(SVG)}\n"),
        },
    )


def seed(tmp_path: Path) -> dict[str, str]:
    """The hostile unit, officer, course and class, and a certificate: through the command line
    and the app's own services against the live server's database."""
    folder = write_hostile_course(tmp_path)
    hocso("courses", "import", str(folder))
    engine = make_engine(RUN_ENV["HOCSO_DATABASE_URL"])
    try:
        with Session(engine) as session:
            top = session.scalars(select(OrgUnit).where(OrgUnit.code == "TP")).one()
            unit = orgs.create_unit(
                session, SYSTEM, code="XSS", name=UNIT_NAME, parent_id=top.id, effective_on=today()
            )
            session.commit()
            unit_id = unit.id
        roster = tmp_path / "xss.csv"
        roster.write_text(
            f"Mã cán bộ;Họ và tên;Đơn vị\nXSS1;{csv_cell(OFFICER_NAME)};XSS\n", encoding="utf-8-sig"
        )
        hocso("officers", "import", str(roster))
        spec = parse_course_dir(folder)
        with Session(engine) as session:
            admin = session.scalars(select(User).where(User.officer_code == "QT01")).one()
            room = classes.create_class(
                session,
                actor_for(session, admin, ip=None),
                classes.ClassForm(
                    code="XSS-L",
                    title=CLASS_TITLE,
                    course_slug="xss-thu",
                    owner_unit_id=unit_id,
                    opens_on=today(),
                ),
            )
            classes.assign(
                session,
                actor_for(session, admin, ip=None),
                classroom_id=room.id,
                target=classes.Target(unit_id=unit_id),
            )
            session.commit()
            officer = session.scalars(select(User).where(User.officer_code == "XSS1")).one()
            complete(session, officer, spec)
            verify = session.scalars(
                select(Certificate.verify_code).where(Certificate.user_id == officer.id)
            ).one()
            attempt = session.scalars(select(QuizAttempt.id).where(QuizAttempt.user_id == officer.id)).one()
            return {
                "unit": str(unit_id),
                "class": str(room.id),
                "officer": str(officer.id),
                "verify": verify,
                "attempt": str(attempt),
            }
    finally:
        engine.dispose()


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def complete(session: Session, user: User, spec: CourseSpec) -> None:
    me = actor_for(session, user, ip="127.0.0.1")
    for module in spec.modules:
        for lesson in module.lessons:
            flows.complete_lesson(session, me, course_slug=spec.id, lesson_slug=lesson.id)
        if module.quiz is not None:
            attempt = flows.start_attempt(
                session, me, course_slug=spec.id, quiz_slug=module.quiz.id, now=utcnow()
            )
            right = {
                item["question_id"]: correct_view(item["kind"], item["spec"])["answer"]
                for item in attempt.layout
            }
            flows.submit_attempt(session, me, attempt_id=attempt.id, answers=right, now=utcnow())
    session.commit()


def visit_all(page: Page, paths: list[str], dialogs: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        assert page.evaluate("window.parent.__xss") is None, path
        assert page.locator(INJECTED).count() == 0, (
            path,
            page.locator(INJECTED).first.evaluate("e => e.outerHTML"),
        )
    assert dialogs == []


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "without-csp"])
def test_no_payload_runs_on_any_page(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory, bypass_csp: bool
) -> None:
    ids = SEEDED.get("ids") or SEEDED.setdefault("ids", seed(tmp_path_factory.mktemp("xss")))
    codes = dict(re.findall(r"^(\S+)\t(\S+)\t", hocso("officers", "codes", "QT01", "XSS1"), re.M))
    dialogs: list[str] = []

    def page_for(code: str, password: str) -> Page:
        context = browser.new_context(base_url=live_server, locale="vi-VN", bypass_csp=bypass_csp)
        page = context.new_page()

        def note(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", note)
        activate(page, code, codes[code], password)
        return page

    admin = page_for("QT01", PASSWORD)
    unit, room, officer = ids["unit"], ids["class"], ids["officer"]
    visit_all(
        admin,
        [
            "/",
            "/?q=" + SCRIPT,
            "/courses/xss-thu",
            "/courses/xss-thu/lessons/bai-mot",
            "/courses/xss-thu/quizzes/kiem-tra-mot",
            "/officers",
            "/officers?q=" + IMG,
            f"/officers/{officer}",
            f"/officers/{officer}/transcript",
            "/admin/units",
            f"/admin/units/{unit}",
            "/admin/audit",
            "/admin/courses",
            "/classes",
            f"/classes/{room}",
            f"/classes/{room}?q=" + SVG,
            f"/classes/{room}/find?q=le van",
            f"/classes/{room}/quizzes",
            "/reports/units",
            f"/reports/units/{unit}",
            f"/reports/units/{unit}/officers",
            "/reports/courses",
            "/reports/classes",
            "/reports/hours",
            f"/reports/hours/{unit}",
            "/reports/hours/shortfalls",
            f"/verify/{ids['verify']}",
        ],
        dialogs,
    )
    # The payloads did reach the pages, shown as the text they are.
    admin.goto(f"/officers/{officer}")
    expect(admin.locator("main")).to_contain_text(OFFICER_NAME)
    expect(admin.locator("main")).to_contain_text(UNIT_NAME)
    admin.goto(f"/verify/{ids['verify']}")
    expect(admin.locator("dl.verify")).to_contain_text(COURSE_TITLE)

    # The course again, as a new version in a zip whose name is a payload too: its preview.
    admin.goto("/admin/courses")
    folder = write_hostile_course(tmp_path_factory.mktemp("xss-zip"), version=2)
    admin.get_by_label("Tệp .zip của khoá học").set_input_files(
        FilePayload(name=f"{SVG}.zip", mimeType="application/zip", buffer=zip_folder(folder, top="xss-thu"))
    )
    admin.get_by_role("button", name="Kiểm tra tệp").click()
    # Browsers send the name's quotes as %22; the rest arrives as typed.
    expect(admin.get_by_role("heading", level=1)).to_contain_text(SVG.replace('"', "%22") + ".zip")
    expect(admin.locator("main")).to_contain_text(COURSE_TITLE)
    assert admin.evaluate("window.__xss") is None and admin.locator(INJECTED).count() == 0

    # A roster naming a unit that does not exist: the name comes back inside the problem.
    admin.goto("/officers/import")
    bad = f"Mã cán bộ;Họ và tên;Đơn vị\nXSS2;Ba;{csv_cell(MISSING_UNIT)}\n".encode()
    admin.get_by_label("Tệp danh sách").set_input_files(
        files=FilePayload(name=f"{SVG}.csv", mimeType="text/csv", buffer=bad)
    )
    admin.get_by_role("button", name="Kiểm tra tệp").click()
    expect(admin.locator("table.list tbody")).to_contain_text(MISSING_UNIT)
    assert admin.evaluate("window.__xss") is None and admin.locator(INJECTED).count() == 0

    learner = page_for("XSS1", OFFICER_PASSWORD)
    visit_all(
        learner,
        [
            "/learning",
            "/account",
            "/me/certificates",
            "/me/transcript",
            "/notifications",
            "/courses/xss-thu/lessons/bai-mot",
            "/courses/xss-thu/quizzes/kiem-tra-mot",
            f"/attempts/{ids['attempt']}",
        ],
        dialogs,
    )
    expect(learner.locator("main")).to_contain_text(SCRIPT)


SEEDED: dict[str, dict[str, str]] = {}
