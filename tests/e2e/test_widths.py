"""On a 360 px phone no page scrolls sideways, and the menu opens without JavaScript: every HTML
page of the route table, as each kind of person who may see it, with JavaScript off. A wide table
may scroll inside its own box; the page itself may not.

The path parameters come from tests/e2e/walk.py's seeded site, so each page shows real rows."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.walk import WALKERS, Site, routes
from tests.world import PASSWORD

WIDTH = 360
# Not pages: the API, files, the documentation's script-driven viewer, health checks, and the
# GETs that only redirect (a language switch, the way home).
NOT_PAGES = re.compile(
    r"^/(api/|docs|openapi\.json|healthz|readyz|lang/|home$|static|docs-assets)"
    r"|\.(csv|xlsx|pdf)$|/media/|/download$"
)


def page_templates() -> list[str]:
    return sorted({path for _, path, methods in routes() if "GET" in methods and not NOT_PAGES.search(path)})


def fill(template: str, params: dict[str, str]) -> str | None:
    """The template with the seeded site's values, or None when the seed has no value for one."""
    names = re.findall(r"\{([^}:]+)(?::[^}]*)?\}", template)
    if any(name not in params for name in names):
        return None
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: params[m.group(1)], template)


@pytest.fixture(scope="module")
def phones(browser: Browser, walk_site: Site) -> Iterator[dict[str, BrowserContext]]:
    """A 360 px browser with JavaScript off for each walker, logged in through the login form."""
    contexts = {}
    for role, officer_code in WALKERS.items():
        context = browser.new_context(
            base_url=walk_site.url,
            locale="vi-VN",
            viewport={"width": WIDTH, "height": 740},
            java_script_enabled=False,
        )
        if officer_code is not None:
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Mã cán bộ hoặc thư điện tử").fill(officer_code)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page).not_to_have_url(re.compile(r".*/login"))
            page.close()
        contexts[role] = context
    yield contexts
    for context in contexts.values():
        context.close()


def test_no_page_scrolls_sideways_on_a_phone(phones: dict[str, BrowserContext], walk_site: Site) -> None:
    wide = []
    seen: set[str] = set()
    for role, context in phones.items():
        page = context.new_page()
        for template in page_templates():
            url = fill(template, {**walk_site.params, **walk_site.by_page.get(template, {})})
            if url is None:
                continue
            # A page this person may not see (403, 404, the login page for a visitor) is not theirs;
            # asked without the browser first, since most pages are not everyone's.
            if context.request.get(url, max_redirects=0).status != 200:
                continue
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            seen.add(template)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                wide.append(f"{template} as {role}: {width} px")
        page.close()
    assert wide == []
    # Every page was measured by someone: a page nobody could open would pass unseen.
    assert sorted(set(page_templates()) - seen) == []


def test_the_phone_menu_opens_without_script(phones: dict[str, BrowserContext]) -> None:
    page = phones["admin"].new_page()
    page.goto("/")
    assert page.locator("header.site").bounding_box()["height"] < 100  # type: ignore[index]
    menu = page.locator("details.menu-narrow")
    expect(menu.get_by_role("link", name="Đơn vị")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Đơn vị")).to_be_visible()
    page.close()
