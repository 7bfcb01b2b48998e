"""The smaller faults an outside probe found, each held to its fix: downloads named in any
script, codes without control characters, nothing a signed-in request was answered kept in a
cache, and a password changed only by someone who knows the current one."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth, self_service
from app.accounts.auth import start_session
from app.accounts.models import AuthSession, LoginAttempt
from app.audit.models import AuditEvent
from app.classrooms import service as classes
from app.config import get_settings
from app.errors import InvalidInput
from app.http.auth import SESSION_COOKIE
from app.orgs import service as orgs
from tests.factories import make_class
from tests.progress.test_service import course as course
from tests.world import PASSWORD, World

NEW = "mot-cau-moi-rat-dai-de-nho"


def log_in(client: TestClient, session: Session, world: World) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()


def test_a_download_named_after_a_vietnamese_class_code_is_served(
    client: TestClient, session: Session, world: World, course: str
) -> None:
    classroom = make_class(session, world.coord_a, world.dept_a, course, code="Lớp-Ư1")
    log_in(client, session, world)
    response = client.get(f"/classes/{classroom.id}/roster.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"lop-Lop-U1.csv\"; filename*=UTF-8''lop-L%E1%BB%9Bp-%C6%AF1.csv"
    )


@pytest.mark.parametrize("code", ["L1\r\nSet-Cookie: x=1", "L1\x00", "L\u202e1"])
def test_codes_with_control_characters_are_refused(
    session: Session, world: World, course: str, code: str
) -> None:
    coordinator = world.actor(session, world.coord_a)
    form = classes.ClassForm(
        code=code,
        title="Lớp",
        course_slug="khoa-hoc-mau",
        owner_unit_id=world.dept_a.id,
        opens_on=date(2026, 9, 1),
    )
    with pytest.raises(InvalidInput, match="control characters"):
        classes.create_class(session, coordinator, form)
    admin = world.actor(session, world.admin)
    with pytest.raises(InvalidInput, match="control characters"):
        orgs.create_unit(
            session, admin, code=code, name="Đơn vị", parent_id=world.root.id, effective_on=date(2026, 1, 1)
        )


def test_nothing_a_signed_in_request_is_answered_is_kept_in_a_cache(
    client: TestClient, session: Session, world: World
) -> None:
    anonymous = client.get("/")
    assert "cache-control" not in anonymous.headers
    # Account pages carry a form token, or a reset link in their address, signed in or not.
    for url in ("/login", "/activate", "/password/forgot", "/password/reset?token=x"):
        assert client.get(url).headers["cache-control"] == "no-store", url
    log_in(client, session, world)
    for url in (
        f"/officers/{world.officer_a.id}",
        f"/api/v1/officers/{world.officer_a.id}",
        "/account",
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store", url
    # Our static files are the same for everyone.
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers.get("cache-control") != "no-store"


class TestChangingMyPassword:
    def test_the_current_password_is_needed_and_other_sessions_end(
        self, session: Session, world: World
    ) -> None:
        me = world.actor(session, world.officer_a)
        here = start_session(session, world.officer_a, ip=None, user_agent=None)
        there = start_session(session, world.officer_a, ip=None, user_agent=None)
        here_id = auth.resolve_session(session, here).session_id  # type: ignore[union-attr]
        ended = self_service.change_password(
            session,
            me,
            current=PASSWORD,
            password=NEW,
            password_again=NEW,
            keep_session_id=here_id,
            ip="10.1.1.1",
        )
        assert ended == 1
        assert (
            auth.resolve_session(session, there) is None and auth.resolve_session(session, here) is not None
        )
        assert auth.log_in(session, account="HVA", password=NEW, ip="10.1.1.2", user_agent=None)
        assert session.scalar(select(func.count()).where(AuditEvent.action == "password.change")) == 1

    def test_wrong_guesses_count_like_failed_logins(self, session: Session, world: World) -> None:
        me = world.actor(session, world.officer_a)
        here = start_session(session, world.officer_a, ip=None, user_agent=None)
        here_id = auth.resolve_session(session, here).session_id  # type: ignore[union-attr]
        for n in range(get_settings().login_max_failures_per_account):
            with pytest.raises(InvalidInput, match="current password is wrong"):
                self_service.change_password(
                    session,
                    me,
                    current=f"doan-sai-{n}",
                    password=NEW,
                    password_again=NEW,
                    keep_session_id=here_id,
                    ip=f"10.1.2.{n}",
                )
        # Even the right password is refused now, and nothing was changed.
        with pytest.raises(InvalidInput, match="Too many wrong passwords"):
            self_service.change_password(
                session,
                me,
                current=PASSWORD,
                password=NEW,
                password_again=NEW,
                keep_session_id=here_id,
                ip="10.1.3.1",
            )
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 6
        assert session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.revoked_at.is_(None))
        )

    def test_the_page_form_changes_it(self, client: TestClient, session: Session, world: World) -> None:
        client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
        session.commit()
        page = client.get("/account")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None and 'action="/account/password"' in page.text
        form = {"current": PASSWORD, "password": NEW, "password_again": NEW, "csrf_token": token.group(1)}
        done = client.post("/account/password", data=form, headers={"referer": "http://testserver/account"})
        assert done.status_code == 303 and done.headers["location"] == "/account"
        assert auth.log_in(session, account="HVA", password=NEW, ip="10.1.4.1", user_agent=None)
