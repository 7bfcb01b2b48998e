"""HR of one department exports enrolments: the file downloaded at once and the one prepared in
the background both hold the officers of their department only. The admin sets up two
departments, an HR grant and a class for the whole city first; accounts get fresh codes from the
command line, so this test does not depend on the others' order."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import hocso
from tests.e2e.test_browse import assert_accessible
from tests.e2e.test_learning import activate

ADMIN_PASSWORD = "ca-phe-sua-da-sang-thu-hai"
HR_PASSWORD = "sen-no-trong-dam-thang-sau"


def _create_unit(admin: Page, code: str, name: str) -> None:
    admin.goto("/admin/units")
    admin.locator("#code").fill(code)
    admin.locator("#name").fill(name)
    admin.locator("#parent_id").select_option(label="Thành phố Mẫu (TP)")
    admin.locator("#effective_on").fill("2026-01-01")
    admin.locator("form", has=admin.locator("#code")).locator("button[type=submit]").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(name)


def _officer_codes(csv_file: Path) -> list[str]:
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Mã cán bộ,Họ và tên,Đơn vị,")
    return sorted(line.split(",")[0] for line in lines[1:])


def test_hr_exports_only_their_units_now_and_in_the_background(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    codes = dict(re.findall(r"^(\S+)\t(\S+)\t", hocso("officers", "codes", "QT01"), re.M))
    admin = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(admin, "QT01", codes["QT01"], ADMIN_PASSWORD)
    _create_unit(admin, "XA", "Sở Xuất A")
    _create_unit(admin, "XB", "Sở Xuất B")
    roster = tmp_path / "xuat.csv"
    roster.write_text(
        "Mã cán bộ;Họ và tên;Đơn vị\nXA01;Đỗ Thị Xuân;XA\nXA02;Ngô Văn Xuất;XA\nXB01;Lý Thị Bình;XB\n"
        "XAHR;Trịnh Thị Nhân Sự;XA\n",
        encoding="utf-8-sig",
    )
    hocso("officers", "import", str(roster))
    admin.goto("/admin/roles")
    admin.locator("#officer_code").fill("XAHR")
    admin.locator("#role").select_option("hr")
    admin.locator("#unit_id").select_option(label="— Sở Xuất A (XA)")
    admin.locator("form", has=admin.locator("#officer_code")).locator("button[type=submit]").click()
    admin.goto("/classes")
    admin.get_by_label("Mã", exact=True).fill("L-XUAT")
    admin.get_by_label("Lớp", exact=True).fill("Lớp xuất dữ liệu")
    admin.get_by_label("Khoá học").select_option("ky-nang-cntt-co-ban")
    admin.get_by_label("Khai giảng").fill("2026-12-01")
    admin.get_by_role("button", name="Mở lớp").click()
    admin.get_by_label("Một đơn vị và các đơn vị trực thuộc").select_option(label="Thành phố Mẫu (TP)")
    admin.get_by_role("button", name="Xem trước").first.click()
    admin.get_by_role("button", name=re.compile(r"^Ghi danh \d+ cán bộ$")).click()
    expect(admin.locator("table.list").first).to_contain_text("Lý Thị Bình")

    hr_code = dict(re.findall(r"^(\S+)\t(\S+)\t", hocso("officers", "codes", "XAHR"), re.M))["XAHR"]
    hr = browser.new_context(base_url=live_server, locale="vi-VN", accept_downloads=True).new_page()
    activate(hr, "XAHR", hr_code, HR_PASSWORD)
    hr.get_by_role("link", name="Xuất dữ liệu").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Xuất danh sách ghi danh")
    assert_accessible(hr)
    with hr.expect_download() as now:
        hr.get_by_role("button", name="Tải về ngay").click()
    direct = tmp_path / now.value.suggested_filename
    now.value.save_as(direct)
    assert re.fullmatch(r"ghi-danh-\d{4}-\d{2}-\d{2}\.csv", direct.name)
    assert _officer_codes(direct) == ["XA01", "XA02", "XAHR"]

    hr.get_by_label("Tệp Excel (.xlsx)").check()
    hr.get_by_role("button", name="Chuẩn bị trong nền").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Tệp xuất của tôi")
    expect(hr.locator(".flash")).to_contain_text("Tệp đang được chuẩn bị")
    assert_accessible(hr)
    # The page reloads itself while the export runs; the worker thread of the server runs it.
    link = hr.get_by_role("link", name=re.compile(r"^Tải về ghi-danh-.*\.xlsx$"))
    expect(link).to_be_visible(timeout=30_000)
    expect(hr.locator("tbody tr").first).to_contain_text("3 / 3 dòng")
    with hr.expect_download() as later:
        link.click()
    prepared = tmp_path / later.value.suggested_filename
    later.value.save_as(prepared)

    import openpyxl

    sheet = openpyxl.load_workbook(prepared).active
    assert sheet is not None
    assert sorted(str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)) == ["XA01", "XA02", "XAHR"]
