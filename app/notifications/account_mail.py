"""E-mails about an officer's own account: the link to choose a new password, put into the
outbox with the request's transaction (app.accounts.recovery decides whether there is one)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from sqlalchemy.orm import Session

from app.accounts import recovery
from app.notifications.delivery import queue_email
from app.notifications.messages import password_reset_email


def queue_reset_link(
    session: Session, *, account: str, ip: str, now: datetime, language: str, public_url: str
) -> str | None:
    """Ask for a link and queue its e-mail; the outbox key to send at once, or None when no
    e-mail goes out (the page answers the same either way)."""
    link = recovery.request_link(session, account=account, ip=ip, now=now)
    if link is None or not link.user.email:
        return None
    url = f"{public_url.rstrip('/')}/password/reset?token={quote(link.token)}"
    subject, body = password_reset_email(
        language,
        name=link.user.full_name,
        code=link.user.officer_code,
        link=url,
        minutes=recovery.LINK_MINUTES,
    )
    key = f"password_reset:{link.user.id}:{now.isoformat()}"
    queue_email(
        session,
        key=key,
        kind="password_reset",
        user_id=link.user.id,
        to=link.user.email,
        subject=subject,
        body=body,
    )
    return key
