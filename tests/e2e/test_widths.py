"""On a 360 px phone no page scrolls sideways, and the menu opens without JavaScript: the pages an
admin can reach (every staff page) and an officer's own pages, with JavaScript off."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import hocso
from tests.e2e.test_learning import activate

PASSWORD = "may-bay-giay-tren-san-truong"
PAGES = [
    "/",
    "/home",
    "/learning",
    "/me/certificates",
    "/me/transcript",
    "/notifications",
    "/account",
    "/classes",
    "/officers",
    "/officers/import",
    "/admin/units",
    "/admin/roles",
    "/admin/tokens",
    "/admin/audit",
    "/admin/courses",
    "/admin/requirements",
    "/reports",
    "/reports/units",
    "/reports/courses",
    "/reports/classes",
    "/reports/categories",
    "/reports/months",
    "/reports/hours",
    "/reports/hours/shortfalls",
    "/exports",
    "/exports/enrolments",
    "/courses/ky-nang-cntt-co-ban",
    "/password/forgot",
]


def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, live_server: str) -> None:
    codes = dict(re.findall(r"^(\S+)\t(\S+)\t", hocso("officers", "codes", "QT01"), re.M))
    context = browser.new_context(
        base_url=live_server,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        java_script_enabled=False,
    )
    page = context.new_page()
    activate(page, "QT01", codes["QT01"], PASSWORD)
    wide = []
    for url in PAGES:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append(f"{url}: {width} px")
    assert wide == []
    # The menu is one button on a phone, and opens without script.
    page.goto("/")
    assert page.locator("header.site").bounding_box()["height"] < 100  # type: ignore[index]
    menu = page.locator("details.menu-narrow")
    expect(menu.get_by_role("link", name="Đơn vị")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Đơn vị")).to_be_visible()
    context.close()
