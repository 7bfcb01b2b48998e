"""Walking the site like people do: as each role (and as a visitor who has not logged in), start
at /home and follow every link on every page reached (tests/e2e/crawl.py). Every link must lead
somewhere (no 4xx or 5xx), every download must be the file it says it is, and no page, error
page or message speaks English to a Vietnamese reader (tests/e2e/english.py).

The walkers share tests/e2e/walk.py's seeded site; each role walks once per module and both
checks read the walk."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest

from tests.e2e.crawl import Walk, read_page, walk
from tests.e2e.english import english_on
from tests.e2e.walk import WALKERS, Site, csrf, log_in

# How many pages each walk reaches at least: the seeded world's pages, not only the front door.
MIN_PAGES = {"anonymous": 10, "officer": 15, "coordinator": 60, "hr": 40, "admin": 70}


@pytest.fixture(scope="module")
def walks(walk_site: Site) -> dict[str, Walk]:
    """Each role's walk, taken by the first test that asks for it."""
    return {}


def walked(walks: dict[str, Walk], site: Site, role: str) -> Walk:
    if role not in walks:
        walks[role] = walk(site, role)
    return walks[role]


@pytest.mark.parametrize("role", list(WALKERS))
def test_every_link_leads_somewhere(role: str, walks: dict[str, Walk], walk_site: Site) -> None:
    found = walked(walks, walk_site, role)
    assert found.failures == []
    assert len(found.texts) >= MIN_PAGES[role], sorted(found.texts)


@pytest.mark.parametrize("role", list(WALKERS))
def test_no_page_speaks_english_in_vietnamese(role: str, walks: dict[str, Walk], walk_site: Site) -> None:
    assert english_on(walked(walks, walk_site, role).texts) == []


FLASH = re.compile(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', re.S)


def test_error_pages_and_messages_speak_vietnamese(walk_site: Site) -> None:
    seen: dict[str, list[str]] = {}

    def note(name: str, client: httpx.Client, response: httpx.Response, status: int) -> None:
        """The page a person lands on (a form's redirect followed), and its flash when it has one."""
        assert response.status_code == status, name
        page = client.get(response.headers["location"]) if response.is_redirect else response
        seen[name] = read_page(page.text).texts
        flash = FLASH.search(page.text)
        if response.is_redirect:
            assert flash is not None, name
            seen[f"{name}: the message"] = [" ".join(read_page(flash.group(1)).texts)]

    with (
        httpx.Client(base_url=walk_site.url, timeout=30) as officer,
        httpx.Client(base_url=walk_site.url, timeout=30) as coordinator,
        httpx.Client(base_url=walk_site.url, timeout=30) as visitor,
    ):
        log_in(officer, str(WALKERS["officer"]))
        log_in(coordinator, str(WALKERS["coordinator"]))
        note("404 as staff", coordinator, coordinator.get("/classes/999999"), 404)
        note("404 as an officer", officer, officer.get("/attempts/999999"), 404)
        note("404 of no route", officer, officer.get("/khong-co-trang-nay"), 404)
        note("403", officer, officer.get("/classes"), 403)
        note("422 on a query parameter", coordinator, coordinator.get("/officers?page=abc"), 422)
        new_class = {
            "csrf_token": csrf(coordinator),
            "code": "KNS-2026-SNV-DOT-01",
            "title": "Lớp trùng mã",
            "course": "ky-nang-cntt-co-ban",
            "owner_unit_id": walk_site.params["owner_unit_id"],
            "opens_on": "01/12/2026",
        }
        for name, form, status in (
            # A code already used in the unit is the service's refusal; 30/02 the form's.
            ("a domain error", new_class, 303),
            ("a form error", {**new_class, "code": "KNS-MOI", "opens_on": "30/02/2026"}, 303),
            ("a form no browser sends", {**new_class, "owner_unit_id": "abc"}, 422),
        ):
            sent = coordinator.post("/classes", data=form, headers={"referer": f"{walk_site.url}/classes"})
            note(name, coordinator, sent, status)
        wrong = {"csrf_token": csrf(visitor), "account": "KHONG-CO", "password": "sai-roi"}
        note("a mistyped password", visitor, visitor.post("/login", data=wrong), 401)
        typo = {"officer_code": "KHONG-CO", "code": "AAAA-BBBB-CCCC", "password": "x", "password_again": "x"}
        note(
            "a mistyped code",
            visitor,
            visitor.post("/activate", data={"csrf_token": csrf(visitor), **typo}),
            303,
        )
    assert english_on(seen) == []


def test_the_english_check_sees_english(walk_site: Site) -> None:
    """The checks above are not vacuous: the same page in English is full of the catalogue's
    msgids."""
    with httpx.Client(base_url=walk_site.url, cookies={"hocso_lang": "en"}, timeout=30) as client:
        log_in(client, "DPA")
        texts = read_page(client.get("/classes").text).texts
    assert len(english_on({"/classes": texts})) > 20
