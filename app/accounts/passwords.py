"""Password hashing (argon2id through pwdlib, at the cost the settings give) and the strength rule
(length, zxcvbn)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn import zxcvbn

from app.accounts.models import User
from app.config import get_settings
from app.errors import InvalidInput
from app.text import fold

# At most one argon2 run per core in a process. Hashing is CPU-bound, so more at once adds no
# throughput; without the limit, a log-in wave ran one per request thread at once, each holding
# argon2's 64 MiB (almost 2 GB per worker at 30 requests), with threads starving each other.
_HASHING = threading.BoundedSemaphore(os.cpu_count() or 2)


@lru_cache(maxsize=4)
def _hasher_for(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHash:
    return PasswordHash((Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism),))


def _hasher() -> PasswordHash:
    """The hasher at the configured cost. A stored hash made at another cost still verifies, and
    verify_password hands back a new hash at today's cost for the caller to store."""
    settings = get_settings()
    return _hasher_for(
        settings.password_hash_memory_kib,
        settings.password_hash_time_cost,
        settings.password_hash_parallelism,
    )


# Verifying against this when no account matches keeps the time of a wrong officer code the same
# as a wrong password, so response times do not reveal which codes exist.
def _dummy_hash() -> str:
    return _dummy_hash_for(_hasher())


@lru_cache(maxsize=4)
def _dummy_hash_for(hasher: PasswordHash) -> str:
    # Made on first use rather than at import, so starting the app or the CLI costs no argon2 run.
    with _HASHING:
        return hasher.hash("not a real password, only for timing")


MIN_SCORE = 3


def hash_password(password: str) -> str:
    with _HASHING:
        return _hasher().hash(password)


def verify_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one should be upgraded)."""
    if stored is None:
        dummy = _dummy_hash()
        with _HASHING:
            _hasher().verify(password, dummy)
        return False, None
    with _HASHING:
        matches, updated = _hasher().verify_and_update(password, stored)
    return matches, updated


def personal_words(user: User) -> list[str]:
    """What a password must not be built from: the officer's code, e-mail and name."""
    return [
        user.officer_code,
        user.email or "",
        user.full_name,
        *user.full_name.split(),
        *user.name_folded.split(),
    ]


def check_strength(password: str, user_inputs: Sequence[str]) -> None:
    minimum = get_settings().password_min_length
    if len(password) < minimum:
        raise InvalidInput("The password must have at least %(minimum)d characters.", minimum=minimum)
    if len(password) > 200:
        raise InvalidInput("The password is too long.")
    squeezed = fold(password).replace(" ", "")
    for item in user_inputs:
        personal = fold(item).replace(" ", "")
        if len(personal) >= 5 and personal in squeezed:
            raise InvalidInput("The password must not contain your name, officer code or e-mail.")
    result = zxcvbn(password[:100], user_inputs=[*user_inputs, "hocso", "học số", "matkhau", "mật khẩu"])
    if result["score"] < MIN_SCORE:
        raise InvalidInput("This password is too easy to guess. Use a longer phrase of several words.")
