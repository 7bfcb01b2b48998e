from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts import service as officers
from app.accounts.models import AuthSession, LoginAttempt
from app.audit.models import AuditEvent
from app.config import get_settings
from app.db import utcnow
from app.errors import InvalidInput
from app.orgs.permissions import SYSTEM
from tests.world import PASSWORD, World

IP = "10.0.0.1"


def login(session: Session, account: str, password: str = PASSWORD, ip: str = IP) -> str | None:
    return auth.log_in(session, account=account, password=password, ip=ip, user_agent="pytest")


class TestLogin:
    def test_by_officer_code_or_email_gives_a_fresh_session(self, session: Session, world: World) -> None:
        first = login(session, "HVA")
        second = login(session, "DUC@example.gov.vn")
        assert first and second and first != second
        info = auth.resolve_session(session, first)
        assert info is not None and info.actor.user_id == world.officer_a.id
        stored = session.scalars(select(AuthSession.token_hash)).all()
        assert first not in stored and auth.token_hash(first) in stored

    @pytest.mark.usefixtures("world")
    def test_wrong_password_and_unknown_account_look_the_same(self, session: Session) -> None:
        assert login(session, "HVA", "sai-mat-khau-roi") is None
        assert login(session, "KHONG-CO", PASSWORD) is None
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 2
        reasons = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "login.failure")
        ).all()
        assert reasons == [{"reason": "credentials"}, {"reason": "credentials"}]

    def test_officer_without_password_cannot_log_in(self, session: Session, world: World) -> None:
        assert world.officer_b.password_hash is None
        assert login(session, "HVB", "") is None

    @pytest.mark.usefixtures("world")
    def test_repeated_failures_lock_the_account_even_with_the_right_password(self, session: Session) -> None:
        for _ in range(5):
            assert login(session, "HVA", "khong-dung-dau") is None
        assert login(session, "HVA") is None
        assert login(session, "DPA") is not None  # another account from the same address is fine

    @pytest.mark.usefixtures("world")
    def test_failures_from_one_address_are_throttled_across_accounts(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HOCSO_LOGIN_MAX_FAILURES_PER_IP", "3")
        from app.config import get_settings

        get_settings.cache_clear()
        try:
            for account in ("A1", "A2", "A3"):
                assert login(session, account, "x") is None
            assert login(session, "HVA") is None
            assert login(session, "HVA", ip="10.0.0.2") is not None
        finally:
            monkeypatch.delenv("HOCSO_LOGIN_MAX_FAILURES_PER_IP")
            get_settings.cache_clear()


class TestSessions:
    def test_idle_session_expires(self, session: Session, world: World) -> None:
        token = login(session, "HVA")
        assert token is not None
        row = session.scalars(select(AuthSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=61)
        assert auth.resolve_session(session, token) is None
        assert row.revoked_at is not None

    def test_pages_refresh_last_seen_only_now_and_then(self, session: Session, world: World) -> None:
        token = login(session, "HVA")
        assert token is not None
        row = session.scalars(select(AuthSession)).one()
        recent = utcnow() - auth.TOUCH_EVERY + timedelta(seconds=30)
        row.last_seen_at = recent
        assert auth.resolve_session(session, token) is not None
        assert row.last_seen_at == recent
        stale = utcnow() - auth.TOUCH_EVERY - timedelta(seconds=1)
        row.last_seen_at = stale
        assert auth.resolve_session(session, token) is not None
        assert row.last_seen_at > stale + auth.TOUCH_EVERY

    def test_absolute_lifetime_ends_even_an_active_session(self, session: Session, world: World) -> None:
        token = login(session, "HVA")
        assert token is not None
        row = session.scalars(select(AuthSession)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        assert auth.resolve_session(session, token) is None

    def test_logout_and_log_out_other_sessions(self, session: Session, world: World) -> None:
        here, there, elsewhere = login(session, "HVA"), login(session, "HVA"), login(session, "HVA")
        assert here and there and elsewhere
        auth.end_session(session, elsewhere)
        assert auth.resolve_session(session, elsewhere) is None
        info = auth.resolve_session(session, here)
        assert info is not None
        assert (
            auth.end_other_sessions(
                session, world.actor(session, world.officer_a), keep_session_id=info.session_id
            )
            == 1
        )
        assert auth.resolve_session(session, here) is not None
        assert auth.resolve_session(session, there) is None

    def test_deactivated_officer_loses_sessions(self, session: Session, world: World) -> None:
        token = login(session, "HVA")
        assert token is not None
        world.officer_a.active = False
        assert auth.resolve_session(session, token) is None


class TestOneCountPerAccount:
    def test_failures_by_code_and_by_e_mail_add_up(self, session: Session, world: World) -> None:
        limit = get_settings().login_max_failures_per_account
        for n in range(limit):
            account = "HVA" if n % 2 else "duc@example.gov.vn"
            assert login(session, account, "sai-mat-khau-roi", ip=f"10.0.1.{n}") is None
        # The right password, typed with either name, is now refused for a while.
        assert login(session, "HVA", ip="10.0.2.1") is None
        assert login(session, "duc@example.gov.vn", ip="10.0.2.2") is None

    def test_an_e_mail_is_never_read_as_another_officers_code(self, session: Session, world: World) -> None:
        with pytest.raises(InvalidInput, match="not an e-mail address"):
            officers.update_officer(session, SYSTEM, user_id=world.officer_b.id, changes={"email": "ADMIN"})
        assert auth.find_account(session, "ADMIN") is world.admin
        assert auth.find_account(session, "admin@example.gov.vn") is world.admin
        assert auth.find_account(session, "ADMIN@x") is None


def test_deactivating_an_officer_ends_their_sessions_for_good(session: Session, world: World) -> None:
    token = login(session, "HVA")
    assert token is not None
    officers.update_officer(session, SYSTEM, user_id=world.officer_a.id, changes={"active": False})
    officers.update_officer(session, SYSTEM, user_id=world.officer_a.id, changes={"active": True})
    assert auth.resolve_session(session, token) is None


def test_an_officer_code_typed_in_another_case_logs_in(session: Session, world: World) -> None:
    assert login(session, "hva") and login(session, "Hva")
    # Two codes that differ only in case name no single account: neither is guessed.
    from tests.factories import make_officer

    make_officer(session, world.room_a, officer_code="hvA", password=PASSWORD)
    assert login(session, "HVa") is None
    assert login(session, "HVA") and login(session, "hvA")


def test_a_hash_made_at_an_older_cost_is_upgraded_at_the_next_log_in(session: Session, world: World) -> None:
    """Sites that hashed at the former default (64 MiB, 3 passes, 4 lanes) move to today's cost
    one officer at a time, as each logs in; a wrong password changes nothing."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    older = PasswordHash((Argon2Hasher(memory_cost=64, time_cost=3, parallelism=4),)).hash(PASSWORD)
    world.officer_a.password_hash = older
    session.flush()
    assert login(session, "HVA", "sai-mat-khau-roi") is None
    assert world.officer_a.password_hash == older
    assert login(session, "HVA") is not None
    settings = get_settings()
    today = (
        f"$argon2id$v=19$m={settings.password_hash_memory_kib},"
        f"t={settings.password_hash_time_cost},p={settings.password_hash_parallelism}$"
    )
    assert world.officer_a.password_hash.startswith(today) and older.split("$")[3] == "m=64,t=3,p=4"
    assert login(session, "HVA") is not None
