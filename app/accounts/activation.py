"""Activation codes: imported officers have no password; HR or a coordinator issues a
single-use, expiring code, and the officer sets a password with it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.auth import (
    account_key,
    find_account,
    login_key,
    reserve_attempt,
    set_password,
    start_session,
    throttled,
)
from app.accounts.authority import require_authority
from app.accounts.models import ActivationCode, AuthSession, User
from app.accounts.passwords import check_strength, personal_words
from app.accounts.service import get_officer
from app.audit.recorder import record
from app.config import get_settings
from app.db import utcnow
from app.errors import InvalidInput
from app.i18n import N_
from app.orgs.permissions import Actor, Permission

# No 0/O, 1/I/L: codes are read off paper and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVALID_CODE = N_("The officer code or the activation code is wrong, used or expired.")


@dataclass(frozen=True)
class IssuedCode:
    user: User
    unit_name: str
    code: str
    expires_at: datetime
    # A code issued earlier, unused and still valid, stopped working: a sheet printed with it
    # must be thrown away.
    replaced: bool = False


def code_digest(code: str) -> str:
    """Codes carry about 59 random bits and expire, so a keyed SHA-256 is enough and keeps
    issuing codes for a whole unit fast (argon2 is for the passwords people choose)."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, _normalise(code).encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalise(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


def issue_codes(session: Session, actor: Actor, *, user_ids: list[int]) -> list[IssuedCode]:
    """New codes for officers in the actor's units; earlier unused codes of theirs stop working.
    A code hands over the account, so none is issued for an account that holds a role the actor
    does not stand above (app.accounts.authority): all of them, or none."""
    actor.require_any(Permission.ACTIVATION_ISSUE)
    if not user_ids:
        raise InvalidInput("Choose at least one officer.")
    expires = utcnow() + timedelta(days=get_settings().activation_code_days)
    rows = []
    for user_id in dict.fromkeys(user_ids):
        row = get_officer(session, actor, user_id, permission=Permission.ACTIVATION_ISSUE)
        actor.require(Permission.ACTIVATION_ISSUE, row.unit.path)
        rows.append(row)
    require_authority(session, actor, [row.user.id for row in rows])
    issued: list[IssuedCode] = []
    now = utcnow()
    live = set(
        session.scalars(
            select(ActivationCode.user_id).where(
                ActivationCode.user_id.in_([row.user.id for row in rows]),
                ActivationCode.used_at.is_(None),
                ActivationCode.expires_at > now,
            )
        )
    )
    for row in rows:
        user_id = row.user.id
        session.execute(
            update(ActivationCode)
            .where(ActivationCode.user_id == user_id, ActivationCode.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        code = _new_code()
        session.add(
            ActivationCode(
                user_id=user_id, code_hash=code_digest(code), expires_at=expires, issued_by_id=actor.user_id
            )
        )
        issued.append(IssuedCode(row.user, row.unit.name, code, expires, replaced=user_id in live))
    record(
        session,
        actor,
        "activation.issue",
        target_type="user",
        target_id=",".join(str(i.user.id) for i in issued),
        details={"count": len(issued)},
    )
    return issued


def activate(
    session: Session,
    *,
    officer_code: str,
    code: str,
    password: str,
    password_again: str | None = None,
    ip: str,
    user_agent: str | None,
) -> str | None:
    """Check the code, set the password, end older sessions and log the officer in; return the
    new session token. A wrong, used or expired code returns None after recording the attempt
    (so the caller must still commit): guesses are throttled like logins, per officer code and
    per address, and the answer is the same whatever was wrong."""
    if password_again is not None and password != password_again:
        raise InvalidInput("The two passwords are not the same.")
    user = find_account(session, officer_code)
    # Counted and committed before the code is checked, as a login is: parallel guesses then
    # each see the others and stop at the limit.
    attempt = reserve_attempt(session, account_key(user, officer_code, prefix="activate:"))
    session.commit()
    key = attempt.account
    if throttled(session, key, ip, reserved=True):
        attempt.ip = ip
        return None
    match = session.scalar(
        select(ActivationCode).where(
            ActivationCode.user_id == (user.id if user else -1),
            ActivationCode.code_hash == code_digest(code),
            ActivationCode.used_at.is_(None),
            ActivationCode.expires_at > utcnow(),
        )
    )
    if user is None or match is None or not user.active:
        attempt.ip = ip
        record(
            session,
            Actor(user_id=None, label=f"activation as {login_key(officer_code)}"),
            "activation.failure",
            ip=ip,
            target_type="user",
            target_id=user.id if user else None,
        )
        return None
    try:
        check_strength(password, personal_words(user))
    except InvalidInput as exc:
        # The right code with a weak password is not a guess: the reservation goes, and stays gone.
        session.delete(attempt)
        raise InvalidInput(exc.template, keep_changes=True, **exc.params) from exc
    session.delete(attempt)
    match.used_at = utcnow()
    set_password(user, password)
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    record(
        session,
        Actor(user_id=user.id, label=f"{user.officer_code} {user.full_name}"),
        "account.activate",
        ip=ip,
        target_type="user",
        target_id=user.id,
    )
    return start_session(session, user, ip=ip, user_agent=user_agent)
