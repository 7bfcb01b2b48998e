"""The admin's overview counts what needs doing in their units and links the page that does it;
the officer list narrows to accounts not yet activated, which is where the first tile leads."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import auth
from app.db import utcnow
from app.overview import admin_overview
from tests.factories import make_class, make_officer
from tests.progress.test_service import course as course
from tests.reports.data import log_in
from tests.world import World


def test_the_overview_counts_what_needs_doing(session: Session, world: World, course: str) -> None:
    admin = world.actor(session, world.admin)
    before = admin_overview(session, admin, now=utcnow(), today=date(2026, 10, 2))
    make_officer(session, world.dept_a, full_name="Trần Chưa Kích Hoạt")
    make_class(
        session,
        world.coord_a,
        world.dept_a,
        course,
        code="QH1",
        due_on=date(2026, 10, 1),
        assign_unit=world.dept_a,
    )
    auth.log_in(session, account="HVA", password="sai-mat-khau", ip="10.0.0.9", user_agent=None)
    after = admin_overview(session, admin, now=utcnow(), today=date(2026, 10, 2))
    assert after.not_activated == before.not_activated + 1
    assert after.officers == before.officers + 1
    assert (after.open_classes, after.overdue_classes) == (
        before.open_classes + 1,
        before.overdue_classes + 1,
    )
    assert after.failed_logins == (before.failed_logins or 0) + 1
    # Before its due date the class is open but not overdue.
    assert (
        admin_overview(session, admin, now=utcnow(), today=date(2026, 9, 30)).overdue_classes
        == before.overdue_classes
    )


def test_the_overview_page_is_the_admins_own(client: TestClient, session: Session, world: World) -> None:
    make_officer(session, world.dept_a, full_name="Trần Chưa Kích Hoạt")
    log_in(client, session, world.admin)
    page = client.get("/admin").text
    assert "cán bộ chưa kích hoạt tài khoản" in page and 'href="/officers?account=not_activated"' in page
    listed = client.get("/officers", params={"account": "not_activated"}).text
    assert "Trần Chưa Kích Hoạt" in listed and world.officer_a.full_name not in listed
    assert 'aria-current="true">chưa kích hoạt<' in listed
    activated = client.get("/officers", params={"account": "activated", "q": "Kích Hoạt"}).text
    assert "Trần Chưa Kích Hoạt" not in activated
    assert client.get("/officers", params={"account": "ai-cung-duoc"}).status_code == 422
    # The search form and the chips keep the narrowing.
    assert re.search(r'href="/officers\?[^"]*account=not_activated', listed)
    log_in(client, session, world.hr_a)
    assert client.get("/admin").status_code == 403
