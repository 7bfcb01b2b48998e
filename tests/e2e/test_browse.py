"""An officer browses the catalogue, searches without accents, reads a lesson and switches
language, in a real browser; every page passes axe-core with no serious or critical issue."""

from __future__ import annotations

from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request, expect

axe = Axe()


def assert_accessible(page: Page) -> None:
    results = axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], page.url


def test_browse_search_read_and_switch_language(page: Page, live_server: str) -> None:
    foreign: list[str] = []

    def note(request: Request) -> None:
        if urlparse(request.url).netloc != urlparse(live_server).netloc:
            foreign.append(request.url)

    page.on("request", note)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh mục khoá học")
    expect(page.locator(".card")).to_have_count(3)
    assert_accessible(page)

    page.get_by_label("Tìm khoá học").fill("hồ sơ")
    page.get_by_role("button", name="Tìm").click()
    accented = page.locator(".card h2").all_inner_texts()
    page.get_by_label("Tìm khoá học").fill("ho so")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator(".card h2")).to_have_text(accented)
    # The course whose title holds the words comes first.
    expect(page.locator(".card h2").first).to_have_text("Xử lý hồ sơ trực tuyến tại bộ phận một cửa")
    assert_accessible(page)

    page.locator(".card h2 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xử lý hồ sơ trực tuyến tại bộ phận một cửa")
    assert_accessible(page)

    page.get_by_role("link", name="Bắt đầu từ bài đầu tiên").click()
    expect(page.locator("article.lesson h1")).to_be_visible()
    expect(page.locator(".meta").first).to_contain_text("Bài 1 trên 17")
    first_title = page.locator("article.lesson h1").inner_text()
    assert_accessible(page)

    page.locator("a[rel=next]").click()
    expect(page.locator(".meta").first).to_contain_text("Bài 2 trên 17")
    page.locator("a[rel=prev]").click()
    expect(page.locator("article.lesson h1")).to_have_text(first_title)

    lesson_url = page.url
    page.get_by_role("link", name="English").click()
    assert page.url == lesson_url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".meta").first).to_contain_text("Lesson 1 of 17")
    # The lesson itself stays in Vietnamese.
    expect(page.locator("article.lesson h1")).to_have_text(first_title)
    assert_accessible(page)

    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert foreign == []


def test_pages_work_without_javascript(browser_no_js: Page) -> None:
    browser_no_js.goto("/?q=cntt")
    expect(browser_no_js.locator(".card")).to_have_count(1)
    browser_no_js.get_by_label("Tìm khoá học").fill("giao tiep")
    browser_no_js.get_by_role("button", name="Tìm").click()
    expect(browser_no_js.locator(".card h2")).to_have_text("Giao tiếp trên môi trường mạng")


def test_missing_page_is_styled_and_accessible(page: Page) -> None:
    response = page.goto("/courses/khong-co")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    assert_accessible(page)
