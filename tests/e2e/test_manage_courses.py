"""The admin makes an officer a coordinator; the coordinator uploads a course zip, reads the
preview, publishes the course and finds it in the catalogue, then unpublishes it again."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, FilePayload, expect

from tests.e2e.conftest import hocso
from tests.e2e.test_browse import assert_accessible
from tests.e2e.test_learning import activate
from tests.factories import write_course, zip_folder

ADMIN_PASSWORD = "trang-ram-thang-tam-tron-nhu-guong"
COORDINATOR_PASSWORD = "con-co-bay-la-bay-lang-bay-xa"
TITLE = "Khoá học tải lên thử"


def test_coordinator_uploads_previews_publishes_and_unpublishes(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    roster = tmp_path / "dp.csv"
    roster.write_text("Mã cán bộ;Họ và tên;Đơn vị\nDP88;Lý Văn Điều;TP\n", encoding="utf-8-sig")
    hocso("officers", "import", str(roster))
    codes = dict(re.findall(r"^(\S+)\t(\S+)\t", hocso("officers", "codes", "QT01", "DP88"), re.M))

    admin = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(admin, "QT01", codes["QT01"], ADMIN_PASSWORD)
    admin.goto("/admin/roles")
    admin.get_by_label("Mã cán bộ").fill("DP88")
    admin.get_by_label("Vai trò").select_option("coordinator")
    admin.get_by_role("button", name="Cấp quyền", exact=True).click()
    expect(admin.locator("table.list")).to_contain_text("Lý Văn Điều")

    page = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    activate(page, "DP88", codes["DP88"], COORDINATOR_PASSWORD)
    page.get_by_role("link", name="Quản lý khoá học").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quản lý khoá học")
    expect(page.locator("table.list tbody tr")).to_have_count(3)
    assert_accessible(page)

    folder = write_course(tmp_path / "src", slug="tai-len-thu", title=TITLE)
    page.get_by_label("Tệp .zip của khoá học").set_input_files(
        FilePayload(
            name="tai-len-thu.zip", mimeType="application/zip", buffer=zip_folder(folder, top="tai-len-thu")
        )
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem trước khoá học: tai-len-thu.zip")
    expect(page.locator(".facts")).to_contain_text(TITLE)
    expect(page.get_by_text("Đây là khoá học mới.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Nạp và công bố").click()
    expect(page.locator(".flash")).to_contain_text("Đã nạp và công bố khoá học.")
    expect(page.locator("tr", has_text=TITLE)).to_contain_text("Đã công bố")

    page.get_by_role("link", name="Khoá học", exact=True).click()
    expect(page.locator(".card")).to_have_count(4)
    page.locator(".card h2 a", has_text=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # Back to the three real courses, which the other browser tests count on.
    page.goto("/admin/courses")
    page.get_by_role("button", name=f"Thôi công bố: {TITLE}").click()
    expect(page.locator(".flash")).to_contain_text("Khoá học đã thôi công bố.")
    page.goto("/")
    expect(page.locator(".card")).to_have_count(3)
