"""An officer who completed a course opens My certificates, downloads the certificate, follows
its verification link and sees the public check with their name and "valid". The course is
completed through the app's own services against the live server's database (every lesson
finished, every quiz answered right), which issues the certificate as on a real site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import flows
from app.accounts.grants import actor_for
from app.accounts.models import User
from app.courses.content import parse_course_dir
from app.db import make_engine, utcnow
from app.quizzes.grading import correct_view
from tests.e2e.conftest import RUN_ENV, import_officer
from tests.e2e.test_browse import assert_accessible
from tests.e2e.test_learning import activate

COURSE = Path(__file__).resolve().parents[2] / "courses" / "ky-nang-cntt-co-ban"
PASSWORD = "tra-sen-ho-tay-thom-ngat"


def complete_course(officer_code: str) -> None:
    spec = parse_course_dir(COURSE)
    engine = make_engine(RUN_ENV["HOCSO_DATABASE_URL"])
    try:
        with Session(engine) as session:
            user = session.scalars(select(User).where(User.officer_code == officer_code)).one()
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
    finally:
        engine.dispose()


def test_follow_the_certificate_to_its_public_check(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec = parse_course_dir(COURSE)
    code = import_officer(tmp_path_factory.mktemp("certificates"), "HV99", "Trương Thị Chứng")
    page = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(page, "HV99", code, PASSWORD)
    complete_course("HV99")

    page.get_by_role("link", name="Giấy chứng nhận của tôi").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy chứng nhận của tôi")
    row = page.locator("table.list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(spec.title["vi"])
    expect(row).to_contain_text("còn hiệu lực")
    assert_accessible(page)
    pdf_href = row.get_by_role("link", name=re.compile("^Tải tệp PDF")).get_attribute("href")
    assert pdf_href is not None
    pdf = page.request.get(pdf_href)
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body().startswith(b"%PDF-")

    link = row.locator("a.verify-link")
    address = re.compile(rf"^{re.escape(live_server)}/verify/[A-Za-z0-9_-]{{16}}$")
    expect(link).to_have_attribute("href", address)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra giấy chứng nhận")
    facts = page.locator("dl.verify")
    expect(facts).to_contain_text("Trương Thị Chứng")
    expect(facts).to_contain_text(spec.title["vi"])
    expect(facts.locator("dd.status")).to_have_text("còn hiệu lực")
    assert_accessible(page)
