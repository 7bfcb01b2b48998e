"""An officer takes the timed quiz of the first module of a shipped course in the browser: answers
half, reloads (autosave kept them), finishes, submits, and sees the result and the review that
the quiz's policy allows; and on a slow line, autosave sends one save at a time, in order, and
says "saved" only once every answer has been acknowledged. The right answers come from the
course files, read by the app's own parser, so the test follows the content when it changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from app.courses.content import parse_course_dir
from app.courses.quizfile import QuizSpec
from app.quizzes.grading import correct_view
from tests.e2e.conftest import import_officer
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


def first_quiz() -> QuizSpec:
    quiz = parse_course_dir(COURSE).modules[0].quiz
    assert quiz is not None
    return quiz


def open_quiz(browser: Browser, live_server: str, folder: Path, officer: str, name: str) -> Page:
    """A new officer, activated and logged in, on the first quiz's page."""
    code = import_officer(folder, officer, name)
    page = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(page, officer, code, PASSWORD)
    spec = parse_course_dir(COURSE)
    page.goto(f"/courses/{spec.id}")
    page.get_by_role("link", name=first_quiz().title).click()
    return page


def shown_order(page: Page, questions: dict[str, Any]) -> list[str]:
    """The questions' texts in the order the attempt shows them."""
    count = len(questions)
    shown = [page.locator("fieldset.question legend").nth(i).inner_text() for i in range(count)]
    return [next(t for t in questions if t in legend) for legend in shown]


def assert_kept(question: Locator, kind: str) -> None:
    if kind in ("single_choice", "true_false", "multiple_choice"):
        expect(question.locator("input:checked")).not_to_have_count(0)
    elif kind == "short_answer":
        expect(question.get_by_role("textbox")).not_to_have_value("")
    else:
        expect(question.locator("select").first).not_to_have_value("")


def test_take_a_timed_quiz_reload_finish_and_review(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    quiz = first_quiz()
    questions = {q.text: q for q in quiz.questions}
    page = open_quiz(browser, live_server, tmp_path_factory.mktemp("quiz"), "HV88", "Đoàn Thị Thi")
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz.title)
    assert_accessible(page)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page.locator("fieldset.question")).to_have_count(len(questions))
    if quiz.time_limit_minutes:
        expect(page.locator(".timer")).to_contain_text(re.compile(r"\d+:\d\d"))
    assert_accessible(page)

    texts = shown_order(page, questions)
    half = len(texts) // 2
    for text in texts[:half]:
        answer(fieldset(page, text), questions[text].kind, questions[text].spec)
    # Autosave acknowledged: the server has the answers, so a reload keeps them.
    expect(page.locator(".autosave")).to_contain_text("Đã lưu lúc", timeout=10_000)
    page.reload()
    for text in texts[:half]:
        assert_kept(fieldset(page, text), questions[text].kind)
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


LEAVING = """() => {
  const event = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_autosave_on_a_slow_line_sends_in_order_and_says_saved_only_when_all_are(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    quiz = first_quiz()
    questions = {q.text: q for q in quiz.questions}
    page = open_quiz(browser, live_server, tmp_path_factory.mktemp("slow"), "HV89", "Lò Văn Chậm")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    texts = shown_order(page, questions)[:3]

    # The line is slow: each save waits until the test lets it through.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/api/v1/attempts/*/answers", hold)

    def wait_for(count: int) -> None:
        for _ in range(100):
            if len(held) >= count:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"{count} saves were expected, {len(held)} were sent")

    status = page.locator(".autosave")
    answer(fieldset(page, texts[0]), questions[texts[0]].kind, questions[texts[0]].spec)
    wait_for(1)
    for text in texts[1:]:
        answer(fieldset(page, text), questions[text].kind, questions[text].spec)
    page.wait_for_timeout(1000)
    assert len(held) == 1, "a second save was sent while the first was on its way"
    expect(status).to_have_text("Đang lưu…")
    assert page.evaluate(LEAVING), "leaving with unsaved answers must ask the officer to stay"

    held[0].continue_()
    wait_for(2)
    second = held[1].request.post_data_json
    assert second is not None and len(second["answers"]) == len(texts) - 1
    page.wait_for_timeout(500)
    expect(status).to_have_text("Đang lưu…")
    held[1].continue_()
    expect(status).to_contain_text("Đã lưu lúc")
    assert not page.evaluate(LEAVING)

    page.unroute("**/api/v1/attempts/*/answers", hold)
    page.reload()
    for text in texts:
        assert_kept(fieldset(page, text), questions[text].kind)
