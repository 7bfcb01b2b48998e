"""Journeys of the three people who use the site every day, walked in the browser at a phone's
size and at a desk's, in Vietnamese, with only the buttons and links the pages offer: an officer
goes through a short course to its certificate, a coordinator opens a class, assigns an office
and follows it, HR reads, drills into and exports the reports of their units.

Every page on the way must fit the screen's width (a wide table scrolls in its own box; the page
never scrolls sideways). With HOCSO_JOURNEY_SHOTS set to a folder, each page is also saved there
as a full-page screenshot for a person to look over. The site (tests/e2e/journey_site.py) is
seeded once for the module on a database and server of its own, so the journeys never meet the
other browser tests' data."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.i18n import today
from tests.e2e.conftest import BIN, serving
from tests.e2e.journey_site import LEARNERS, OFFICE_PEOPLE, PASSWORD, ROOM_PEOPLE, ROOMS, TITLE, seed


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int


SIZES = [Size("phone", 390, 844), Size("desk", 1366, 768)]


@pytest.fixture(scope="module")
def site(
    new_database: Callable[[], AbstractContextManager[str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with new_database() as url:
        env = {**os.environ, "HOCSO_DATABASE_URL": url, "HOCSO_ENVIRONMENT": "test"}
        subprocess.run([BIN / "hocso", "db", "upgrade"], env=env, check=True, capture_output=True)
        seed(url, tmp_path_factory.mktemp("course"))
        with serving(env, tmp_path_factory.mktemp("journeys")) as address:
            yield address


SHOTS = os.environ.get("HOCSO_JOURNEY_SHOTS")


@dataclass
class Walker:
    """One person's browser at one size, who takes a screenshot of each page worth a look."""

    page: Page
    size: Size
    journey: str
    step: int = 0

    def look(self, what: str) -> None:
        """The page fits the screen's width (a table may scroll in its own box, the page may not)."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.size.width, (
            f"{what}: the page is {width} px wide on a {self.size.width} px screen"
        )
        if SHOTS:
            self.step += 1
            name = f"{self.journey}-{self.size.name}-{self.step:02d}-{what}.png"
            self.page.screenshot(path=str(Path(SHOTS) / name), full_page=True)

    def menu(self, name: str | re.Pattern[str]) -> None:
        """Follow a link of the main menu, opened first where it folds away (on a phone)."""
        folded = self.page.locator("details.menu-narrow")
        if folded.is_visible():
            folded.locator("summary").click()
            folded.get_by_role("link", name=name).click()
        else:
            self.page.locator("nav.menu.wide").get_by_role("link", name=name).click()

    def log_in(self, account: str) -> None:
        self.page.goto("/login")
        self.page.get_by_label("Mã cán bộ hoặc thư điện tử").fill(account)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture(params=SIZES, ids=[s.name for s in SIZES])
def size(request: pytest.FixtureRequest) -> Size:
    chosen: Size = request.param
    return chosen


@pytest.fixture
def walker(browser: Browser, site: str, size: Size, request: pytest.FixtureRequest) -> Iterator[Walker]:
    context = browser.new_context(
        base_url=site,
        locale="vi-VN",
        viewport={"width": size.width, "height": size.height},
        accept_downloads=True,
    )
    # A machine busy with other tests can take more than the usual 5 s to answer a page.
    context.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    yield Walker(context.new_page(), size, request.node.originalname.removeprefix("test_"))
    expect.set_options(timeout=5_000)
    context.close()


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


RIGHT_EDGE_OF_TEXT = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return range.getBoundingClientRect().right;
}"""


def in_sight(walker: Walker, thing: Locator) -> None:
    """Its text ends before the screen's right edge, not in a table's box scrolled out of sight."""
    right = thing.evaluate(RIGHT_EDGE_OF_TEXT)
    assert right <= walker.size.width, f"{thing} ends at {right} px on a {walker.size.width} px screen"


def take_quiz(walker: Walker, title: str) -> None:
    page = walker.page
    expect(heading(page)).to_have_text(title)
    walker.look("quiz")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page.locator("fieldset.question")).to_have_count(2)
    page.get_by_label("Đối chiếu với danh mục thành phần hồ sơ", exact=True).check()
    page.get_by_label("Đúng", exact=True).check()
    walker.look("attempt")
    page.get_by_role("button", name="Nộp bài").click()
    expect(heading(page)).to_have_text("Kết quả lần làm thứ 1")
    expect(page.locator(".facts")).to_contain_text("100%")


def finish_lesson(walker: Walker, title: str) -> None:
    expect(heading(walker.page)).to_have_text(title)
    walker.look("lesson")
    walker.page.get_by_role("button", name="Tôi đã học xong bài này").click()


def test_officer(walker: Walker, size: Size) -> None:
    page = walker.page
    walker.log_in(LEARNERS[size.name].lower())
    expect(page).to_have_url(re.compile(r"/learning$"))
    card = page.locator(".card", has_text=TITLE)
    walker.look("learning")
    card.get_by_role("link", name=re.compile(r"^(Bắt đầu|Học tiếp): ")).click()

    finish_lesson(walker, "Kiểm tra thành phần hồ sơ")
    expect(page.locator(".flash")).to_contain_text("Đã ghi nhận bạn học xong bài")
    finish_lesson(walker, "Số hoá giấy tờ")
    take_quiz(walker, "Kiểm tra: Tiếp nhận hồ sơ")
    walker.look("result")
    page.get_by_role("link", name="Học tiếp: Đặt tên tệp").click()
    finish_lesson(walker, "Đặt tên tệp")
    take_quiz(walker, "Kiểm tra: Lưu trữ hồ sơ")

    done = page.locator(".flash", has_text=f"Bạn đã hoàn thành khoá học “{TITLE}”")
    expect(done).to_be_visible()
    walker.look("completed")
    certificate = done.get_by_role("link", name=re.compile(r"^Giấy chứng nhận .+ \(PDF\)$"))
    href = certificate.get_attribute("href")
    assert href is not None
    # The browser would show the PDF in its viewer: the file is fetched as it would fetch it.
    pdf = page.request.get(href)
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body().startswith(b"%PDF-") and len(pdf.body()) > 5_000

    # The assignment's notice and the completion's, waiting; on a phone too, the menu folded.
    expect(page.locator("header.site .badge:visible")).to_have_text("2")
    walker.menu(re.compile(r"^Thông báo"))
    expect(heading(page)).to_have_text("Thông báo")
    notice = page.locator(".notices li", has_text=TITLE).filter(has_text="hoàn thành")
    expect(notice.get_by_role("link", name="Tải giấy chứng nhận (PDF)")).to_be_visible()
    walker.look("notices")

    walker.menu("Việc học của tôi")
    expect(card).to_contain_text("Hoàn thành ngày")
    expect(card.get_by_role("link", name=re.compile(r"^Giấy chứng nhận .+ \(PDF\)$"))).to_be_visible()
    walker.look("learning-done")


def test_coordinator(walker: Walker, size: Size) -> None:
    page = walker.page
    code, room = ROOMS[size.name]
    walker.log_in("DP0001")
    expect(page).to_have_url(re.compile(r"/classes$"))
    expect(heading(page)).to_have_text("Lớp bồi dưỡng")
    walker.look("classes")

    title = f"Lớp hồ sơ điện tử {room}"
    page.get_by_label("Khoá học").select_option(label=TITLE)
    page.get_by_label("Mã", exact=True).fill(f"HSDT-{code}")
    page.get_by_label("Lớp", exact=True).fill(title)
    expect(page.get_by_label("Đơn vị tổ chức").locator("option").first).to_have_text("Sở Nội vụ (SNV)")
    page.get_by_label("Khai giảng").fill(today("Asia/Ho_Chi_Minh").isoformat())
    page.get_by_label("Hạn hoàn thành").fill((today("Asia/Ho_Chi_Minh") + timedelta(days=30)).isoformat())
    walker.look("new-class")
    page.get_by_role("button", name="Mở lớp").click()
    expect(heading(page)).to_have_text(title)
    expect(page.locator(".flash")).to_have_text("Đã mở lớp.")
    walker.look("class-empty")

    page.get_by_label("Một đơn vị và các đơn vị trực thuộc").select_option(label=f"— {room} ({code})")
    page.get_by_role("button", name="Xem trước").first.click()
    expect(heading(page)).to_have_text("Kiểm tra trước khi ghi danh")
    walker.look("preview")
    page.get_by_role("button", name="Ghi danh 3 cán bộ").click()
    expect(page.locator(".flash")).to_have_text("Đã ghi danh cán bộ vào lớp.")
    roster = page.locator("table.list").first.locator("tbody tr")
    expect(roster).to_have_count(3)
    for name in ROOM_PEOPLE[code]:
        expect(roster.filter(has_text=name)).to_have_count(1)
    begun = ROOM_PEOPLE[code][0]
    expect(roster.filter(has_text=begun)).to_contain_text("đang học")
    in_sight(walker, roster.filter(has_text=begun).get_by_text(begun))
    walker.look("class")

    page.get_by_role("link", name="đang học (1)").click()
    expect(roster).to_have_count(1)
    page.get_by_label("Chọn tất cả trên trang này").check()
    expect(page.get_by_label(f"Chọn {begun}")).to_be_checked()
    page.get_by_role("button", name="Nhắc các cán bộ đã chọn").click()
    expect(page.locator(".flash")).to_have_text(
        "Đã gửi lời nhắc tới 1 cán bộ. Họ sẽ thấy lời nhắc trong mục Thông báo; "
        "1 người trong số đó nhận thêm qua thư điện tử."
    )
    walker.look("reminded")

    link = page.get_by_role("link", name="Xuất tệp CSV")
    with page.expect_download() as download:
        link.click()
    # A download shows no status or type in the browser: the same address, asked again, does.
    answer = page.request.get(str(link.get_attribute("href")))
    assert (answer.status, answer.headers["content-type"]) == (200, "text/csv; charset=utf-8")
    export = download.value.path().read_text(encoding="utf-8-sig")
    lines = export.splitlines()
    assert lines[0].startswith("Mã cán bộ,Họ và tên,")
    assert {name for name in ROOM_PEOPLE[code] if name in export} == set(ROOM_PEOPLE[code])

    undo = page.get_by_role("button", name="Hoàn tác lần ghi danh này")
    in_sight(walker, undo)
    undo.click()
    expect(page.locator(".flash")).to_have_text("Đã hoàn tác lần ghi danh.")
    # "All" counts the rows it lists, the withdrawn among them.
    expect(page.get_by_role("link", name="tất cả (3)")).to_be_visible()
    expect(page.get_by_role("link", name="đã rút (3)")).to_be_visible()
    expect(roster.filter(has_text="đã rút: lần ghi danh đã được hoàn tác")).to_have_count(3)
    walker.look("undone")


def test_hr(walker: Walker, tmp_path: Path) -> None:
    page = walker.page
    walker.log_in("NS0001")
    expect(page).to_have_url(re.compile(r"/reports/units$"))
    expect(heading(page)).to_have_text("Hoàn thành theo đơn vị")
    walker.look("units")

    page.locator("table.report").get_by_role("link", name="Sở Nội vụ", exact=True).click()
    expect(heading(page)).to_have_text("Hoàn thành theo đơn vị: Sở Nội vụ")
    office = page.locator("table.report tbody tr", has_text="Văn phòng Sở")
    # Four enrolled: two completed, one in progress, one not started, none overdue, 50%.
    expect(office.locator("td")).to_have_text(["4", "2", "1", "1", "0", "50%"])
    # An office nobody is enrolled from has no completion rate, rather than a rate of 0%.
    nobody = page.locator("table.report tbody tr", has_text="Phòng Công chức, Viên chức")
    expect(nobody.locator("td.rate")).to_have_text("—")
    walker.look("department")

    office.get_by_role("link", name="Văn phòng Sở").click()
    expect(heading(page)).to_have_text("Cán bộ của Văn phòng Sở")
    rows = page.locator("table.report tbody tr")
    expect(rows).to_have_count(len(OFFICE_PEOPLE))
    expect(rows.filter(has_text=OFFICE_PEOPLE[0])).to_contain_text("đã hoàn thành")
    walker.look("officers")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tệp Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    names = {str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(OFFICE_PEOPLE) <= names

    walker.menu("Báo cáo")
    page.get_by_role("link", name="Số giờ bồi dưỡng theo đơn vị").click()
    expect(heading(page)).to_have_text("Số giờ bồi dưỡng theo đơn vị")
    walker.look("hours")
    page.get_by_role("link", name="Cán bộ chưa đạt yêu cầu số giờ bồi dưỡng").last.click()
    expect(heading(page)).to_have_text("Cán bộ chưa đạt yêu cầu số giờ bồi dưỡng")
    short = page.locator("table.report tbody tr", has_text=OFFICE_PEOPLE[0])
    # Four hours earned of sixteen required: twelve short.
    expect(short.locator("td.num")).to_have_text(["4", "16", "12"])
    walker.look("shortfalls")
