"""A forgotten password, through the pages and a real SMTP server: the link arrives, works once
and only for a while; asking answers the same for every name typed, and is throttled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import auth, recovery
from app.accounts.auth import start_session
from app.config import get_settings
from app.db import utcnow
from app.errors import InvalidInput
from app.http.downloads import export_sessions
from tests.notifications.conftest import SmtpServer
from tests.reports.data import bound_sessions
from tests.world import PASSWORD, World

NEW = "mot-cau-moi-rat-dai-de-nho"


@pytest.fixture
def mail_on(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    monkeypatch.setenv("HOCSO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HOCSO_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("HOCSO_SMTP_SECURITY", "none")
    get_settings.cache_clear()
    yield smtp
    monkeypatch.undo()
    get_settings.cache_clear()


def _csrf(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found is not None
    return found.group(1)


def _ask(client: TestClient, account: str) -> str:
    csrf = _csrf(client, "/password/forgot")
    answer = client.post("/password/forgot", data={"account": account, "csrf_token": csrf})
    assert answer.status_code == 200
    return answer.text


def test_the_link_arrives_works_once_and_ends_every_session(
    client: TestClient, session: Session, world: World, mail_on: SmtpServer
) -> None:
    client.app.dependency_overrides[export_sessions] = lambda: bound_sessions(session)  # type: ignore[attr-defined]
    old = start_session(session, world.officer_a, ip=None, user_agent=None)
    session.commit()
    _ask(client, "HVA")
    (message,) = mail_on.inbox.to("duc@example.gov.vn")
    # Every space of the subject arrives (Python's own folding would drop one here).
    assert message["Subject"] == "Đặt mật khẩu mới cho tài khoản Học Số"
    text = message.get_content()
    assert "HVA" in text and "30" in text
    found = re.search(r"/password/reset\?token=([A-Za-z0-9_%-]+)", text)
    assert found is not None
    token = found.group(1)
    page = client.get(f"/password/reset?token={token}")
    assert 'name="token"' in page.text
    form = {"token": token, "password": NEW, "password_again": NEW, "csrf_token": _csrf(client, "/login")}
    done = client.post("/password/reset", data=form)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert auth.resolve_session(session, old) is None
    assert auth.log_in(session, account="HVA", password=NEW, ip="10.2.0.1", user_agent=None)
    # The same link again: refused, and the password stays the one just chosen.
    again = client.post("/password/reset", data={**form, "password": PASSWORD, "password_again": PASSWORD})
    assert again.status_code == 303
    assert auth.log_in(session, account="HVA", password=NEW, ip="10.2.0.2", user_agent=None)
    assert 'name="token"' not in client.get(f"/password/reset?token={token}").text


def test_asking_tells_nobody_which_accounts_exist(
    client: TestClient, session: Session, world: World, mail_on: SmtpServer
) -> None:
    client.app.dependency_overrides[export_sessions] = lambda: bound_sessions(session)  # type: ignore[attr-defined]
    # Unknown, without a password yet (HVB), and known: the same page each time.
    pages = {_ask(client, name).replace(_csrf(client, "/login"), "") for name in ("KHONG-CO", "HVB", "HVA")}
    assert len({re.sub(r'name="csrf_token" value="[^"]+"', "", p) for p in pages}) == 1
    assert [m["To"] for m in mail_on.inbox.messages] == ["duc@example.gov.vn"]


def test_a_link_expires_and_asking_is_throttled(session: Session, world: World) -> None:
    now = utcnow()
    link = recovery.request_link(session, account="HVA", ip="10.2.1.1", now=now)
    assert link is not None
    with pytest.raises(InvalidInput, match="expired or has already been used"):
        recovery.reset_password(
            session,
            token=link.token,
            password=NEW,
            password_again=NEW,
            ip="10.2.1.1",
            now=now + timedelta(minutes=recovery.LINK_MINUTES + 1),
        )
    # A newer link cancels the older one.
    newer = recovery.request_link(session, account="duc@example.gov.vn", ip="10.2.1.2", now=now)
    assert newer is not None and not recovery.link_works(session, link.token, now=now)
    asked = 2
    while recovery.request_link(session, account="HVA", ip=f"10.2.2.{asked}", now=now) is not None:
        asked += 1
    assert asked == get_settings().login_max_failures_per_account


def test_without_smtp_the_page_sends_officers_to_their_coordinator(client: TestClient) -> None:
    page = client.get("/password/forgot")
    assert 'action="/password/forgot"' not in page.text and 'href="/activate"' in page.text
