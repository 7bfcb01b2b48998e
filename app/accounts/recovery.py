"""A forgotten password: a link by e-mail to choose a new one.

Asking for a link answers the same whatever was typed (an unknown name, an officer without an
e-mail, an inactive or not yet activated account): nobody learns which accounts exist. Asking is
throttled per account and per address like logins, so the form cannot flood anyone's mailbox.
A link works once, for LINK_MINUTES, is stored only as a hash, and a newer one cancels it;
using it ends every session of the account. Officers without an e-mail, and every site without
SMTP, get a new activation code from their HR office or coordinator instead."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.auth import (
    account_key,
    end_sessions_of,
    find_account,
    reserve_attempt,
    set_password,
    throttled,
    token_hash,
)
from app.accounts.models import PasswordReset, User
from app.accounts.passwords import check_strength, personal_words
from app.audit.recorder import record
from app.errors import InvalidInput
from app.i18n import N_
from app.orgs.permissions import Actor

LINK_MINUTES = 30
SENT = N_(
    "If this account has an e-mail address, a link to choose a new password is on its way. It "
    "works once, within 30 minutes. No e-mail after a few minutes? Ask your HR office or training "
    "coordinator for an activation code."
)
BAD_LINK = N_("This link has expired or has already been used. Ask for a new one.")


@dataclass(frozen=True)
class ResetLink:
    user: User
    token: str
    expires_at: datetime


def request_link(session: Session, *, account: str, ip: str, now: datetime) -> ResetLink | None:
    """A new link for the account, when it may have one; None otherwise, and the caller says
    SENT either way. The request is counted and committed first, as a login attempt is."""
    user = find_account(session, account)
    attempt = reserve_attempt(session, account_key(user, account, prefix="reset:"))
    session.commit()
    # Every request counts, per account and per address: a link is worth asking for a few times.
    attempt.ip = ip
    if throttled(session, attempt.account, ip, reserved=True):
        return None
    if user is None or not user.active or not user.email or user.password_hash is None:
        return None
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=LINK_MINUTES)
    session.add(
        PasswordReset(
            user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=expires, ip=ip
        )
    )
    record(session, _as(user), "password.reset_request", ip=ip, target_type="user", target_id=user.id)
    return ResetLink(user, token, expires)


def _live(session: Session, token: str, now: datetime) -> PasswordReset | None:
    return session.scalar(
        select(PasswordReset).where(
            PasswordReset.token_hash == token_hash(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
    )


def link_works(session: Session, token: str, *, now: datetime) -> bool:
    return bool(token) and _live(session, token, now) is not None


def reset_password(
    session: Session, *, token: str, password: str, password_again: str, ip: str, now: datetime
) -> User:
    """Use the link: set the password, end every session of the account."""
    link = _live(session, token, now) if token else None
    user = session.get(User, link.user_id) if link is not None else None
    if link is None or user is None or not user.active:
        raise InvalidInput(BAD_LINK)
    if password != password_again:
        raise InvalidInput("The two passwords are not the same.")
    check_strength(password, personal_words(user))
    # Marked used by a conditional UPDATE: of two uses of one link at once, one wins.
    won = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == link.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(won, "rowcount", 0) != 1:
        raise InvalidInput(BAD_LINK)
    set_password(user, password)
    end_sessions_of(session, [user.id])
    record(session, _as(user), "password.reset", ip=ip, target_type="user", target_id=user.id)
    return user


def _as(user: User) -> Actor:
    return Actor(user_id=user.id, label=f"{user.officer_code} {user.full_name}")
