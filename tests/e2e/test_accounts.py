"""The first admin activates with the code the command line printed, sets a password, logs out,
logs back in, and issues activation codes; a wrong password gets the generic message."""

from __future__ import annotations

from playwright.sync_api import FilePayload, Page, expect

from tests.e2e.conftest import SITE
from tests.e2e.test_browse import assert_accessible

PASSWORD = "nang-vang-tren-canh-dong-lua"


def test_activate_log_out_log_in_and_issue_codes(page: Page) -> None:
    page.goto("/login")
    assert_accessible(page)
    page.get_by_role("link", name="kích hoạt tài khoản").click()
    assert_accessible(page)
    page.get_by_label("Mã cán bộ").fill("QT01")
    page.get_by_label("Mã kích hoạt").fill(SITE["admin_code"].lower())
    page.get_by_label("Mật khẩu mới", exact=True).fill("matkhau123")
    page.get_by_label("Nhập lại mật khẩu mới").fill("matkhau123")
    page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
    expect(page.locator(".flash.error")).to_contain_text("quá dễ đoán")

    page.get_by_label("Mã cán bộ").fill("QT01")
    page.get_by_label("Mã kích hoạt").fill(SITE["admin_code"])
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
    # An admin's day starts on the overview of what needs doing.
    expect(page).to_have_url("/admin")
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng nhập")
    assert_accessible(page)

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()

    page.goto("/officers")
    expect(page).to_have_url("/login?next=/officers")
    page.get_by_label("Mã cán bộ hoặc thư điện tử").fill("QT01")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau-roi")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("không đúng, hoặc đã thử quá nhiều lần")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cán bộ")
    assert_accessible(page)

    page.get_by_label("Chọn Nguyễn Thị Quản Trị").check()
    page.get_by_role("button", name="Cấp mã kích hoạt cho cán bộ đã chọn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mã kích hoạt")
    expect(page.locator("td code")).to_have_count(1)
    assert_accessible(page)

    page.goto("/officers/import")
    assert_accessible(page)
    roster = "\ufeffMã cán bộ;Họ và tên;Đơn vị\nCB9001;Đặng Thị Thuỷ;TP\nCB9002;Vũ Văn Đạt;KHONG-CO\n"
    chooser = page.get_by_label("Tệp danh sách")
    chooser.set_input_files(files=FilePayload(name="ds.csv", mimeType="text/csv", buffer=roster.encode()))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text(
        "không có đơn vị đang hoạt động nào có mã hoặc tên 'KHONG-CO'"
    )
    assert_accessible(page)
    page.goto("/officers/import")
    fixed = roster.replace("KHONG-CO", "Thành phố Mẫu")
    chooser.set_input_files(files=FilePayload(name="ds.csv", mimeType="text/csv", buffer=fixed.encode()))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_role("button", name="Xác nhận nhập danh sách").click()
    expect(page.locator(".flash")).to_contain_text("Đã nhập danh sách cán bộ")
    page.goto("/officers")
    page.get_by_label("Tìm theo tên, mã cán bộ hoặc thư điện tử").fill("dang thi thuy")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text("Đặng Thị Thuỷ")

    for path, heading in [
        ("/admin/units", "Đơn vị"),
        ("/admin/roles", "Phân quyền"),
        ("/admin/audit", "Nhật ký"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
