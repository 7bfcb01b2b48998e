"""An officer takes the timed quiz of the first module of a shipped course in the browser: answers
half, reloads (autosave kept them), finishes, submits, and sees the result and the review that
the quiz's policy allows. The right answers come from the course files, read by the app's own
parser, so the test follows the content when it changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.courses.content import parse_course_dir
from app.quizzes.grading import correct_view
from tests.e2e.conftest import hocso
from tests.e2e.test_browse import assert_accessible
from tests.e2e.test_learning import activate

COURSE = Path(__file__).resolve().parents[2] / "courses" / "ky-nang-cntt-co-ban"
PASSWORD = "hoa-sen-no-giua-dam-lay"


def answer(question: Locator, kind: str, spec: dict[str, Any]) -> None:
    right = correct_view(kind, spec)
    if kind in ("single_choice", "multiple_choice"):
        for choice in right["choices"]:
            if choice["correct"]:
                question.get_by_label(choice["text"], exact=True).check()
    elif kind == "true_false":
        question.get_by_label("Đúng" if right["answer"] else "Sai", exact=True).check()
    elif kind == "short_answer":
        question.get_by_role("textbox").fill(right["answer"])
    elif kind == "matching":
        for pair in right["pairs"]:
            question.get_by_label(pair["left"], exact=True).select_option(label=pair["right"])


def fieldset(page: Page, text: str) -> Locator:
    return page.locator("fieldset.question").filter(has=page.locator("legend", has_text=text))


def test_take_a_timed_quiz_reload_finish_and_review(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec = parse_course_dir(COURSE)
    quiz = spec.modules[0].quiz
    assert quiz is not None
    questions = {q.text: q for q in quiz.questions}
    roster = tmp_path_factory.mktemp("quiz") / "hv.csv"
    roster.write_text("Mã cán bộ;Họ và tên;Đơn vị\nHV88;Đoàn Thị Thi;TP\n", encoding="utf-8-sig")
    hocso("officers", "import", str(roster))
    code = re.findall(r"^HV88\t(\S+)\t", hocso("officers", "codes", "HV88"), re.M)[0]

    page = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(page, "HV88", code, PASSWORD)
    page.goto(f"/courses/{spec.id}")
    page.get_by_role("link", name=quiz.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz.title)
    assert_accessible(page)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page.locator("fieldset.question")).to_have_count(len(questions))
    if quiz.time_limit_minutes:
        expect(page.locator(".timer")).to_contain_text(re.compile(r"\d+:\d\d"))
    assert_accessible(page)

    shown = [page.locator("fieldset.question legend").nth(i).inner_text() for i in range(len(questions))]
    texts = [next(t for t in questions if t in legend) for legend in shown]
    half = len(texts) // 2
    for text in texts[:half]:
        answer(fieldset(page, text), questions[text].kind, questions[text].spec)
    # Autosave acknowledged: the server has the answers, so a reload keeps them.
    expect(page.locator(".autosave")).to_contain_text("Đã lưu lúc", timeout=10_000)
    page.reload()
    for text in texts[:half]:
        kept = fieldset(page, text)
        kind = questions[text].kind
        if kind in ("single_choice", "true_false", "multiple_choice"):
            expect(kept.locator("input:checked")).not_to_have_count(0)
        elif kind == "short_answer":
            expect(kept.get_by_role("textbox")).not_to_have_value("")
        else:
            expect(kept.locator("select").first).not_to_have_value("")
    for text in texts[half:]:
        answer(fieldset(page, text), questions[text].kind, questions[text].spec)
    page.get_by_role("button", name="Nộp bài").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả lần làm thứ 1")
    expect(page.locator(".facts")).to_contain_text("100%")
    expect(page.locator(".facts")).to_contain_text("đạt")
    if quiz.review != "never":
        expect(page.get_by_role("heading", name="Xem lại bài")).to_be_visible()
        expect(page.locator(".review")).to_have_count(len(questions))
    assert_accessible(page)
