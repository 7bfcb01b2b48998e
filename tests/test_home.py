"""Each person starts their day at their own page: after logging in without a page to return
to, and whenever they open /home."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.world import PASSWORD, World


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("code", "home"),
    [("ADMIN", "/admin"), ("HRA", "/reports/units"), ("DPA", "/classes"), ("HVA", "/learning")],
)
def test_logging_in_lands_each_role_at_home(
    client: TestClient, session: Session, world: World, code: str, home: str
) -> None:
    session.commit()
    done = client.post("/login", data={"account": code, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert done.status_code == 303 and done.headers["location"] == "/home"
    assert client.get("/home", follow_redirects=False).headers["location"] == home
    assert client.get(home).status_code == 200


def test_a_page_asked_for_before_logging_in_comes_first(
    client: TestClient, session: Session, world: World
) -> None:
    session.commit()
    form = {"account": "HVA", "password": PASSWORD, "next": "/me/certificates", "csrf_token": _csrf(client)}
    assert client.post("/login", data=form).headers["location"] == "/me/certificates"


def test_a_visitor_is_sent_to_the_catalogue(client: TestClient) -> None:
    assert client.get("/home", follow_redirects=False).headers["location"] == "/"
