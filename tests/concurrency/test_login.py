"""Parallel logins, as the login page runs them (the attempt reserved and committed, then the
password checked): guesses sent at once stop at the account's limit, and an office logging in
together from one address is not blocked by its own logins in progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.accounts import activation, auth
from app.accounts.models import LoginAttempt
from app.audit.models import AuditEvent
from app.config import get_settings
from tests.concurrency.conftest import Db, race
from tests.world import PASSWORD, World

GUESSES = 12


def _login(db: Db, account: str, password: str, ip: str) -> Callable[[], str | None]:
    def run() -> str | None:
        with db.work() as session:
            return auth.log_in(session, account=account, password=password, ip=ip, user_agent=None)

    return run


def test_guesses_sent_at_once_are_checked_no_more_often_than_the_limit_allows(db: Db, world: World) -> None:
    limit = get_settings().login_max_failures_per_account
    guesses = [_login(db, "HVA", f"doan-sai-{n}", f"10.9.0.{n}") for n in range(GUESSES)]
    assert race(*guesses) == [None] * GUESSES

    with db.work() as session:
        reasons = session.scalars(
            select(AuditEvent.details["reason"].as_string()).where(AuditEvent.action == "login.failure")
        ).all()
        addresses = session.scalars(
            select(LoginAttempt.ip).where(LoginAttempt.account == f"user:{world.officer_a.id}")
        ).all()
    # Every guess was recorded, with its address, but only the first ones had their password
    # checked; the rest were refused as throttled.
    assert len(reasons) == GUESSES and reasons.count("credentials") <= limit
    assert sorted(addresses) == sorted(f"10.9.0.{n}" for n in range(GUESSES))
    assert race(_login(db, "HVA", PASSWORD, "10.9.1.1")) == [None]


def test_an_office_behind_one_address_logs_in_together(
    db: Db, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOCSO_LOGIN_MAX_FAILURES_PER_IP", "2")
    get_settings.cache_clear()
    try:
        accounts = ["HVA", "DPA", "HVA", "DPA", "HVA", "DPA"]
        tokens = race(*(_login(db, account, PASSWORD, "10.9.2.1") for account in accounts))
    finally:
        monkeypatch.delenv("HOCSO_LOGIN_MAX_FAILURES_PER_IP")
        get_settings.cache_clear()
    assert all(isinstance(token, str) for token in tokens)
    with db.work() as session:
        assert session.scalars(select(LoginAttempt)).all() == []


def _activate(db: Db, code: str, ip: str) -> Callable[[], str | None]:
    def run() -> str | None:
        with db.work() as session:
            return activation.activate(
                session,
                officer_code="HVB",
                code=code,
                password="mot-cau-rat-dai-de-nho",
                ip=ip,
                user_agent=None,
            )

    return run


def test_activation_codes_guessed_at_once_are_checked_no_more_often_than_the_limit_allows(
    db: Db, world: World
) -> None:
    limit = get_settings().login_max_failures_per_account
    guesses = [_activate(db, f"AAAA-BBBB-{n:04d}", f"10.9.3.{n}") for n in range(GUESSES)]
    assert race(*guesses) == [None] * GUESSES
    with db.work() as session:
        checked = session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "activation.failure")
        ).all()
        counted = session.scalars(
            select(LoginAttempt.id).where(LoginAttempt.account == f"activate:user:{world.officer_b.id}")
        ).all()
    assert len(counted) == GUESSES and len(checked) <= limit
