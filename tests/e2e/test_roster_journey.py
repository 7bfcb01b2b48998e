"""An admin's roster journey, in the browser at a phone's size and at a desk's, in Vietnamese: log
in, import an Excel roster whose officer-code column has a header the importer does not know,
say which column it is on the mapping step, read the names on the preview, confirm, issue the
new officers' activation codes from the page that follows and read one off the sheet; then that
officer activates their account with it and lands on their own learning.

The mapping page and the preview must fit the screen's width. With HOCSO_JOURNEY_SHOTS set to a
folder, those pages are also saved there as screenshots for a person to look over."""

from __future__ import annotations

import os
import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.e2e.conftest import hocso
from tests.e2e.test_browse import assert_accessible

ADMIN_PASSWORD = "trang-tron-dem-ram-thang-tam"
OFFICER_PASSWORD = "hoa-sua-nong-nan-cuoi-thu"
SHOTS = os.environ.get("HOCSO_JOURNEY_SHOTS")
SIZES = {"phone": (390, 844), "desk": (1366, 768)}
# Each size imports officers of its own, so the two journeys never meet.
FIRST_CODE = {"phone": 390_001, "desk": 136_601}
NAMES = ("Nguyễn Thị Thanh Hương", "Trần Quốc Bảo")


def roster(first: int) -> bytes:
    """The file as HR keeps it: a row number, codes stored as numbers shown with leading zeros."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["STT", "Mã nhân sự", "Họ và tên", "Đơn vị", "Ngày sinh"])
    for number, name in enumerate(NAMES):
        sheet.append([number + 1, first + number, name, "TP", date(1988, 4, 12 + number)])
        sheet.cell(row=number + 2, column=2).number_format = "00000000"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def log_out(page: Page) -> None:
    """The log-out button of the header, inside the menu where it folds away (on a phone)."""
    folded = page.locator("details.menu-narrow")
    if folded.is_visible():
        folded.locator("summary").click()
        folded.get_by_role("button", name="Đăng xuất").click()
    else:
        page.locator("nav.menu.wide.own").get_by_role("button", name="Đăng xuất").click()
    expect(page.locator('a[href="/login"]').first).to_be_attached()


def fits(page: Page, width: int, what: str, size: str) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{what}: the page is {scrolled} px wide on a {width} px screen"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"roster-{size}-{what}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_admin_imports_a_roster_and_a_new_officer_activates(
    browser: Browser, live_server: str, size: str
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=live_server, locale="vi-VN", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    heading = page.get_by_role("heading", level=1)

    # The admin's password is set with a fresh code from the command line, then they log in.
    code = re.findall(r"^QT01\t(\S+)\t", hocso("officers", "codes", "QT01"), re.M)[0]
    page.goto("/activate")
    page.get_by_label("Mã cán bộ").fill("QT01")
    page.get_by_label("Mã kích hoạt").fill(code)
    page.get_by_label("Mật khẩu mới", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng nhập")
    log_out(page)
    page.goto("/login")
    page.get_by_label("Mã cán bộ hoặc thư điện tử").fill("QT01")
    page.get_by_label("Mật khẩu").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    page.goto("/officers")
    page.get_by_role("link", name="Nhập danh sách cán bộ").click()
    expect(heading).to_have_text("Nhập danh sách cán bộ")
    page.get_by_label("Tệp danh sách").set_input_files(
        files=FilePayload(
            name="danh-sach.xlsx",
            mimeType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            buffer=roster(FIRST_CODE[size]),
        )
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()

    # The mapping step: the unknown header is named, the known ones are filled in already.
    expect(heading).to_have_text("Chọn cột: danh-sach.xlsx")
    expect(page.get_by_role("alert")).to_contain_text("không có cột Mã cán bộ")
    code_column = page.get_by_label("Cột B: “Mã nhân sự”")
    expect(page.locator("#sample-1")).to_contain_text(f"“{FIRST_CODE[size]:08d}”")
    expect(page.get_by_label("Cột C: “Họ và tên”")).to_have_value("full_name")
    expect(page.get_by_label("Cột A: “STT”")).to_have_value("")
    fits(page, width, "mapping", size)
    assert_accessible(page)
    code_column.select_option(label="Mã cán bộ (bắt buộc)")
    page.get_by_role("button", name="Dùng cách chọn cột này").click()

    # The preview names the new officers, with their codes as the sheet shows them.
    expect(heading).to_have_text("Xem trước danh sách: danh-sach.xlsx")
    codes = [f"{FIRST_CODE[size] + n:08d}" for n in range(len(NAMES))]
    new = page.locator("ul.changes").first
    for officer_code, name in zip(codes, NAMES, strict=True):
        expect(new).to_contain_text(f"{officer_code} · {name}")
    fits(page, width, "preview", size)
    assert_accessible(page)
    page.get_by_role("button", name="Xác nhận nhập danh sách").click()

    # What was done, and the codes for exactly the new officers.
    expect(heading).to_have_text("Đã nhập danh sách cán bộ: danh-sach.xlsx")
    expect(page.locator(".facts")).to_contain_text("Mới2")
    expect(page.locator('input[name="user_ids"]:checked')).to_have_count(len(NAMES))
    fits(page, width, "imported", size)
    assert_accessible(page)
    page.get_by_role("button", name=f"Cấp mã kích hoạt cho {len(NAMES)} cán bộ mới").click()
    expect(heading).to_have_text("Mã kích hoạt")
    expect(page.locator("table.sheet tbody tr")).to_have_count(len(NAMES))
    row = page.locator("table.sheet tbody tr", has_text=codes[0])
    expect(row).to_contain_text(NAMES[0])
    activation = row.locator("code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", activation)
    log_out(page)

    # The officer activates with the code off the sheet and lands on their own learning.
    page.goto("/login")
    page.get_by_role("link", name="kích hoạt tài khoản").click()
    page.get_by_label("Mã cán bộ").fill(codes[0])
    page.get_by_label("Mã kích hoạt").fill(activation)
    page.get_by_label("Mật khẩu mới", exact=True).fill(OFFICER_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/learning$"))
    expect(heading).to_have_text("Việc học của tôi")
    context.close()
