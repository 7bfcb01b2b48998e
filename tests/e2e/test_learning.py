"""A coordinator (here the site admin) opens a class and assigns a unit; an officer activates,
reads and finishes a lesson; both see the progress. Accounts get fresh codes from the command
line, as HR would for a lost password, so this test does not depend on the others' order."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import hocso
from tests.e2e.test_browse import assert_accessible

ADMIN_PASSWORD = "ca-phe-sua-da-sang-thu-hai"
OFFICER_PASSWORD = "mua-thu-ha-noi-la-vang-roi"


def activate(page: Page, officer_code: str, code: str, password: str) -> None:
    page.goto("/activate")
    page.get_by_label("Mã cán bộ").fill(officer_code)
    page.get_by_label("Mã kích hoạt").fill(code)
    page.get_by_label("Mật khẩu mới", exact=True).fill(password)
    page.get_by_label("Nhập lại mật khẩu mới").fill(password)
    page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
    # Each person lands on their home: an admin on the units, an officer on their learning.
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng nhập")
    expect(page).not_to_have_url(re.compile(r".*/activate$"))


def test_assign_learn_and_see_progress(browser: Browser, live_server: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path_factory.mktemp("roster") / "hv.csv"
    roster.write_text("Mã cán bộ;Họ và tên;Đơn vị\nHV77;Phan Thị Học;TP\n", encoding="utf-8-sig")
    hocso("officers", "import", str(roster))
    codes = dict(re.findall(r"^(\S+)\t(\S+)\t", hocso("officers", "codes", "QT01", "HV77"), re.M))

    admin = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(admin, "QT01", codes["QT01"], ADMIN_PASSWORD)
    admin.goto("/classes")
    assert_accessible(admin)
    admin.get_by_label("Mã", exact=True).fill("L-E2E")
    admin.get_by_label("Lớp", exact=True).fill("Lớp kỹ năng số tháng 12")
    admin.get_by_label("Khoá học").select_option("ky-nang-cntt-co-ban")
    admin.get_by_label("Khai giảng").fill("2026-12-01")
    admin.get_by_label("Hạn hoàn thành").fill("2030-12-31")
    admin.get_by_role("button", name="Mở lớp").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Lớp kỹ năng số tháng 12")
    assert_accessible(admin)
    admin.get_by_label("Một đơn vị và các đơn vị trực thuộc").select_option(label="Thành phố Mẫu (TP)")
    admin.get_by_role("button", name="Xem trước").first.click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Kiểm tra trước khi ghi danh")
    assert_accessible(admin)
    admin.get_by_role("button", name=re.compile(r"^Ghi danh \d+ cán bộ$")).click()
    expect(admin.locator("table.list").first).to_contain_text("Phan Thị Học")

    officer = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(officer, "HV77", codes["HV77"], OFFICER_PASSWORD)
    officer.get_by_role("link", name="Việc học của tôi").click()
    expect(officer.locator(".card h2")).to_contain_text("Kỹ năng CNTT cơ bản và an toàn thông tin")
    assert_accessible(officer)
    officer.get_by_role("link", name=re.compile(r"^Bắt đầu: ")).click()
    officer.get_by_role("button", name="Tôi đã học xong bài này").click()
    expect(officer.locator(".flash")).to_contain_text("Đã ghi nhận bạn học xong bài")
    expect(officer.locator(".meta").first).to_contain_text("Bài 2 trên 24")
    officer.goto("/learning")
    expect(officer.locator(".card")).to_contain_text("Đã học 1 trên 24 bài")

    admin.reload()
    row = admin.locator("tr", has_text="Phan Thị Học")
    expect(row).to_contain_text("4%")
    expect(row).to_contain_text("đang học")

    # The coordinator finds the officer on the dashboard and reminds them; the officer sees it.
    admin.get_by_role("link", name=re.compile(r"^đang học \(\d+\)$")).click()
    admin.get_by_label("Họ tên hoặc mã cán bộ").fill("phan thi hoc")
    admin.get_by_role("button", name="Tìm").click()
    expect(admin.locator("table.list").first.locator("tbody tr")).to_have_count(1)
    assert_accessible(admin)
    admin.get_by_label("Chọn Phan Thị Học").check()
    admin.get_by_role("button", name="Nhắc các cán bộ đã chọn").click()
    expect(admin.locator(".flash")).to_contain_text("Đã gửi lời nhắc tới 1 cán bộ")
    officer.reload()
    # The notice of the assignment, then the reminder.
    expect(officer.locator("nav.menu.wide .badge")).to_have_text("2")
    officer.get_by_role("link", name=re.compile("^Thông báo")).click()
    expect(officer.locator(".notices")).to_contain_text(
        "Cán bộ điều phối đào tạo nhắc bạn hoàn thành khoá học"
    )
    expect(officer.locator(".notices")).to_contain_text("Bạn đã được ghi danh vào khoá học")
    assert_accessible(officer)
    officer.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    expect(officer.locator(".badge")).to_have_count(0)
