"""What officers do to their own account: change their password.

The current password is asked for, so a session left open on a shared computer cannot be used
to lock its owner out; wrong guesses count against the account like failed logins, recorded
and committed before the password is checked. A change ends every other session and is
audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.auth import (
    account_key,
    end_other_sessions,
    reserve_attempt,
    set_password,
    throttled,
)
from app.accounts.models import User
from app.accounts.passwords import check_strength, personal_words, verify_password
from app.audit.recorder import record
from app.errors import InvalidInput, PermissionDenied
from app.i18n import N_
from app.orgs.permissions import Actor

# The person is logged in and asking about their own account: the two cases may be told apart.
WRONG_CURRENT = N_("The current password is wrong.")
TOO_MANY = N_("Too many wrong passwords. Wait a while, then try again.")


def change_password(
    session: Session,
    actor: Actor,
    *,
    current: str,
    password: str,
    password_again: str,
    keep_session_id: int,
    ip: str,
) -> int:
    """Set a new password after checking the current one; how many other sessions ended."""
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    user = session.get_one(User, actor.user_id)
    # Checked first: a mistyped new password is no guess at the current one.
    if password != password_again:
        raise InvalidInput("The two passwords are not the same.")
    check_strength(password, personal_words(user))
    attempt = reserve_attempt(session, account_key(user, "", prefix="password:"))
    session.commit()
    blocked = throttled(session, attempt.account, ip, reserved=True)
    matches, _ = verify_password(current, user.password_hash)
    if blocked or not matches:
        attempt.ip = ip
        record(session, actor, "password.change_failure", ip=ip, target_type="user", target_id=user.id)
        raise InvalidInput(TOO_MANY if blocked else WRONG_CURRENT, keep_changes=True)
    session.delete(attempt)
    set_password(user, password)
    record(session, actor, "password.change", ip=ip, target_type="user", target_id=user.id)
    return end_other_sessions(session, actor, keep_session_id=keep_session_id)
