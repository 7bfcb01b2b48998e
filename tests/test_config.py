"""Settings that would make a production site unsafe are refused at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import DEV_SECRET, Settings

HASH_COST = (
    "HOCSO_PASSWORD_HASH_MEMORY_KIB",
    "HOCSO_PASSWORD_HASH_TIME_COST",
    "HOCSO_PASSWORD_HASH_PARALLELISM",
)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [(DEV_SECRET, "must be set to a long random value"), ("short-but-not-default", "at least 32 characters")],
)
def test_production_refuses_the_development_or_a_short_secret_key(secret: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings(environment="production", secret_key=secret)


def test_production_starts_with_a_long_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HASH_COST:
        monkeypatch.delenv(name, raising=False)
    settings = Settings(environment="production", secret_key="k" * 32)
    assert settings.secret_key == "k" * 32


def test_development_keeps_the_default_key_for_a_laptop() -> None:
    assert Settings(environment="development").secret_key == DEV_SECRET


class TestPasswordHashCost:
    def test_the_default_cost_is_the_production_cost(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The tests hash cheaply through the environment; what a site gets without it is pinned
        here, so nobody lowers it by accident."""
        for name in HASH_COST:
            monkeypatch.delenv(name, raising=False)
        settings = Settings(_env_file=None)
        cost = (
            settings.password_hash_memory_kib,
            settings.password_hash_time_cost,
            settings.password_hash_parallelism,
        )
        assert cost == (19456, 2, 1)

    def test_a_hash_is_made_at_the_configured_cost(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from app.accounts.passwords import hash_password
        from app.config import get_settings

        for name in HASH_COST:
            monkeypatch.delenv(name, raising=False)
        get_settings.cache_clear()
        try:
            assert hash_password("một câu mật khẩu dài").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
        assert hash_password("một câu mật khẩu dài").startswith("$argon2id$v=19$m=8,t=1,p=1$")

    def test_a_hash_made_at_another_cost_verifies_and_is_renewed_at_todays(self) -> None:
        from pwdlib import PasswordHash
        from pwdlib.hashers.argon2 import Argon2Hasher

        from app.accounts.passwords import verify_password

        old = PasswordHash((Argon2Hasher(memory_cost=16, time_cost=2, parallelism=2),)).hash("mật khẩu cũ")
        matches, renewed = verify_password("mật khẩu cũ", old)
        assert matches and renewed is not None and renewed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert verify_password("mật khẩu khác", old) == (False, None)

    @pytest.mark.parametrize(("memory", "passes"), [(8, 1), (19456, 1), (7000, 6)])
    def test_production_refuses_a_cost_below_owasp(self, memory: int, passes: int) -> None:
        with pytest.raises(ValidationError, match="below OWASP"):
            Settings(
                environment="production",
                secret_key="k" * 32,
                password_hash_memory_kib=memory,
                password_hash_time_cost=passes,
            )

    @pytest.mark.parametrize(("memory", "passes"), [(19456, 2), (7168, 5), (47104, 1)])
    def test_production_accepts_owasp_settings(self, memory: int, passes: int) -> None:
        settings = Settings(
            environment="production",
            secret_key="k" * 32,
            password_hash_memory_kib=memory,
            password_hash_time_cost=passes,
            password_hash_parallelism=1,
        )
        assert settings.password_hash_memory_kib == memory

    def test_memory_below_eight_kib_a_lane_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="8 KiB per lane"):
            Settings(password_hash_memory_kib=16, password_hash_parallelism=4)
