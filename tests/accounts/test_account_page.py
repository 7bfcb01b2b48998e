"""My account says who I am, where my roles are, and which browsers I am logged in from, as a
person would say them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.http.auth import SESSION_COOKIE
from app.web.accounts import browser_name
from tests.world import World

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


def test_the_page_names_me_my_units_and_my_browsers(
    client: TestClient, session: Session, world: World
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.hr_a, ip=None, user_agent=PHONE))
    session.commit()
    page = client.get("/account").text
    assert "Phạm Thị Nhân (HRA)" in page
    assert "Sở Nội vụ" in page and "#" + str(world.dept_a.id) not in page
    assert "Chrome · Android" in page and "AppleWebKit" not in page


def test_browser_names() -> None:
    assert browser_name(PHONE) == "Chrome · Android"
    assert (
        browser_name(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131 Safari/537.36 Edg/131"
        )
        == "Edge · Windows"
    )
    assert (
        browser_name(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1"
        )
        == "Safari · iPhone"
    )
    assert browser_name(None) == ""
