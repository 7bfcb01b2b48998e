"""Settings that would make a production site unsafe are refused at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import DEV_SECRET, Settings


@pytest.mark.parametrize(
    ("secret", "reason"),
    [(DEV_SECRET, "must be set to a long random value"), ("short-but-not-default", "at least 32 characters")],
)
def test_production_refuses_the_development_or_a_short_secret_key(secret: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings(environment="production", secret_key=secret)


def test_production_starts_with_a_long_secret_key() -> None:
    settings = Settings(environment="production", secret_key="k" * 32)
    assert settings.secret_key == "k" * 32


def test_development_keeps_the_default_key_for_a_laptop() -> None:
    assert Settings(environment="development").secret_key == DEV_SECRET
