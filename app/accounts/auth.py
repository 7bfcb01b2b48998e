"""Login sessions: random tokens stored hashed, idle and absolute timeouts, revocation, and
login with throttling of repeated failures per account and per address."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, LoginAttempt, User
from app.accounts.passwords import hash_password, verify_password
from app.audit.recorder import record
from app.config import get_settings
from app.db import utcnow
from app.i18n import N_
from app.orgs.models import OrgUnit, RoleGrant
from app.orgs.permissions import Actor, Grant
from app.text import nfc

# One message for an unknown account, a wrong password, an inactive account and a throttled
# one: the answer must not tell an attacker which of these it was.
LOGIN_FAILED = N_("The officer code (or e-mail) or the password is wrong, or there were too many attempts.")
# Refresh last_seen at most this often, so reading pages does not write on every request. Each
# refresh turns a read into a write that queues for SQLite's write lock, so it is rare: the idle
# timeout (an hour by default) is then enforced to within these five minutes.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class SessionInfo:
    session_id: int
    actor: Actor


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, *, ip: str | None, user_agent: str | None) -> str:
    """A fresh session (always a new token: never reuse one from before login)."""
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    session.flush()
    return token


# Built once, as it runs on every request: building a statement of ten columns and two joins costs
# more than running it.
_SESSION_ACTOR = (
    select(
        AuthSession.id,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        User.id,
        User.officer_code,
        User.full_name,
        User.active,
        RoleGrant.role,
        OrgUnit.id,
        OrgUnit.path,
    )
    .join(User, User.id == AuthSession.user_id)
    .outerjoin(RoleGrant, (RoleGrant.user_id == User.id) & RoleGrant.revoked_at.is_(None))
    .outerjoin(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
    .where(AuthSession.token_hash == bindparam("token_hash"), AuthSession.revoked_at.is_(None))
    .order_by(RoleGrant.id)
)


def resolve_session(session: Session, token: str, *, ip: str | None = None) -> SessionInfo | None:
    """The live login session of this token as the Actor it stands for, with the officer's role
    grants, read in one statement of plain columns: it runs on every request. An expired or
    idle session, or one of an inactive officer, is revoked here and gives None."""
    rows = session.execute(_SESSION_ACTOR, {"token_hash": token_hash(token)}).all()
    if not rows:
        return None
    session_id, expires_at, last_seen_at, user_id, code, name, active = rows[0][:7]
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if now >= expires_at or now - last_seen_at >= idle or not active:
        session.execute(update(AuthSession).where(AuthSession.id == session_id).values(revoked_at=now))
        return None
    if now - last_seen_at >= TOUCH_EVERY:
        session.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))
    grants = tuple(Grant(role, unit_id, path) for *_, role, unit_id, path in rows if role is not None)
    return SessionInfo(session_id, Actor(user_id=user_id, label=f"{code} {name}", ip=ip, grants=grants))


def end_session(session: Session, token: str) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_sessions_of(session: Session, user_ids: Sequence[int]) -> None:
    """End every open session of these officers, in the caller's transaction: a deactivation
    ends them with it, so reactivating an officer never brings an old session back."""
    for start in range(0, len(user_ids), 900):
        session.execute(
            update(AuthSession)
            .where(AuthSession.user_id.in_(user_ids[start : start + 900]), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def end_other_sessions(session: Session, actor: Actor, *, keep_session_id: int) -> int:
    result = session.execute(
        update(AuthSession)
        .where(
            AuthSession.user_id == actor.user_id,
            AuthSession.id != keep_session_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    record(
        session,
        actor,
        "sessions.revoke_others",
        target_type="user",
        target_id=actor.user_id,
        details={"count": count},
    )
    return count


def find_account(session: Session, account: str) -> User | None:
    """The account typed at login: an e-mail address when it holds '@' (no officer code does),
    an officer code otherwise, in any case of letters. Never both at once, so no e-mail can
    stand for another's code."""
    key = nfc(account).strip()
    if "@" in key:
        return session.scalar(select(User).where(User.email == key.lower()))
    user = session.scalar(select(User).where(User.officer_code == key))
    if user is None and key:
        # Phone keyboards capitalise the first letter ("Cb9000002"): a code typed in another
        # case still finds its account, when it names only one. Tried second, so the usual
        # login stays one indexed lookup.
        found = session.scalars(
            select(User).where(func.upper(User.officer_code) == key.upper()).limit(2)
        ).all()
        user = found[0] if len(found) == 1 else None
    return user


# The address of an attempt whose password is still being checked. It counts against its
# account at once, so parallel guesses on several servers cannot all pass the check before any
# of them is recorded; it counts against an address only once it has failed, so a whole office
# behind one address logging in together is not blocked by its own logins in progress.
CHECKING = ""


def login_key(account: str) -> str:
    return nfc(account).strip().lower()[:254]


def account_key(user: User | None, typed: str, *, prefix: str = "") -> str:
    """What failures are counted against: the account itself, whether its officer code or its
    e-mail was typed; for a name that matches no account, the name typed."""
    return prefix + (f"user:{user.id}" if user is not None else login_key(typed))


def reserve_attempt(session: Session, key: str) -> LoginAttempt:
    """Count an attempt against its account before its secret is checked."""
    attempt = LoginAttempt(account=key[:254], ip=CHECKING)
    session.add(attempt)
    session.flush()
    return attempt


def throttled(session: Session, account: str, ip: str, *, reserved: bool = False) -> bool:
    """Too many failures for the account (key) or for the address; reserved when the account's
    count includes the caller's own reservation."""
    settings = get_settings()
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    by_account = (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.account == account, LoginAttempt.at >= since)
        )
        or 0
    )
    by_ip = (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.ip == ip, LoginAttempt.at >= since)
        )
        or 0
    )
    limit = settings.login_max_failures_per_account + (1 if reserved else 0)
    return by_account >= limit or by_ip >= settings.login_max_failures_per_ip


def log_in(
    session: Session,
    *,
    account: str,
    password: str,
    ip: str,
    user_agent: str | None,
) -> str | None:
    """Check the credentials and start a session; return its token. On failure return None: the
    failure is recorded (for throttling and the audit log) in the caller's transaction, which
    must therefore still commit; the caller shows LOGIN_FAILED whatever went wrong.

    The attempt is counted against the account and committed before the password is checked:
    one of the three places a service ends its unit of work early, with activation and the
    change of password, for the same reason. Guesses sent in parallel to one account, on this
    server or another, then each see the others and stop at the limit, where uncommitted
    reservations would all pass the count. The caller's transaction goes on and records the
    outcome."""
    user = find_account(session, account)
    attempt = reserve_attempt(session, account_key(user, account))
    session.commit()
    key = attempt.account
    blocked = throttled(session, key, ip, reserved=True)
    matches, new_hash = verify_password(password, user.password_hash if user else None)
    if blocked or not matches or user is None or not user.active:
        attempt.ip = ip
        reason = "throttled" if blocked else "credentials"
        record(
            session,
            Actor(user_id=None, label=f"login as {login_key(account)}"),
            "login.failure",
            ip=ip,
            target_type="user",
            target_id=user.id if user else None,
            details={"reason": reason},
        )
        return None
    session.delete(attempt)
    if new_hash is not None:
        user.password_hash = new_hash
    token = start_session(session, user, ip=ip, user_agent=user_agent)
    record(
        session,
        Actor(user_id=user.id, label=f"{user.officer_code} {user.full_name}"),
        "login.success",
        ip=ip,
        target_type="user",
        target_id=user.id,
    )
    return token


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def active_sessions(session: Session, actor: Actor) -> Sequence[AuthSession]:
    return session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == actor.user_id, AuthSession.revoked_at.is_(None))
        .order_by(AuthSession.last_seen_at.desc())
    ).all()
