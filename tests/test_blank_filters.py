"""GET filter forms submitted as they stand: an empty select ("all my units") or an empty date
field is no filter, not a 422; and the links pages print answer too."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.models import User
from app.http.auth import SESSION_COOKIE
from tests.factories import make_class, write_course
from tests.world import World


def log_in(client: TestClient, session: Session, user: User) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, user, ip=None, user_agent=None))
    session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/reports/units?unit_id=&from=&to=&basis=enrolled",
        "/reports/courses?unit_id=&from=&to=&basis=enrolled",
        "/reports/classes?unit_id=&from=&to=&basis=enrolled",
        "/reports/categories?unit_id=&from=&to=&basis=enrolled",
        "/reports/months?unit_id=&from=&to=&basis=enrolled",
        "/reports/hours/shortfalls?unit_id=&year=",
        "/admin/audit?action=&who=&since=&until=",
        "/admin/audit?action=&who=&since=&until=&before=",
        # A blank page is the first, as a pager's link to it might say.
        "/officers?q=&page=",
        "/reports/hours/shortfalls?year=&page=",
        "/reports/units/{unit}/officers?page=",
    ],
)
def test_a_filter_form_sent_with_its_blank_fields_shows_the_page(
    client: TestClient, session: Session, world: World, url: str
) -> None:
    log_in(client, session, world.admin)
    assert client.get(url.format(unit=world.dept_a.id)).status_code == 200


def test_a_filter_form_with_a_blank_and_a_real_date_applies_the_real_one(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, session, world.admin)
    assert client.get("/admin/audit?since=2026-01-01&until=").status_code == 200
    assert client.get("/admin/audit?since=ngay").status_code == 422
    assert client.get("/reports/hours/shortfalls?year=1999").status_code == 422
    assert client.get("/reports/hours/shortfalls?year=2026&unit_id=").status_code == 200


def test_every_link_of_the_class_page_answers(
    client: TestClient, session: Session, world: World, tmp_path: pytest.TempPathFactory
) -> None:
    from app.courses.service import import_course_dir

    import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)  # type: ignore[arg-type]
    classroom = make_class(session, world.coord_a, world.dept_a, assign_unit=world.dept_a)
    log_in(client, session, world.coord_a)
    page = client.get(f"/classes/{classroom.id}").text
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="(/classes/[^"]+)"', page)}
    assert any("roster.csv" in link for link in links)
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
    # The same links by hand, with the order left blank: ascending, as when it is left out.
    for path in (f"/classes/{classroom.id}", f"/classes/{classroom.id}/roster.csv"):
        assert client.get(f"{path}?sort=name&desc=").status_code == 200, path
    assert client.get(f"/classes/{classroom.id}?sort=name&page=").status_code == 200
