"""Delivering the outbox: claim a batch, send each message outside any transaction, record each
result at once. A failed send is retried with a doubling delay until the attempt limit, then
marked failed with its error, which the class's coordinator sees on the dashboard.

A claim is a conditional UPDATE, so two runs at once never claim the same row; a run that dies
leaves claims that expire, and the messages go out on a later run. A crash between sending and
recording can repeat one message, never lose it (at-least-once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from app.audit.recorder import record
from app.classrooms.service import get_class
from app.config import Settings
from app.db import utcnow
from app.notifications.mail import Mailer, build_message
from app.notifications.models import OutboxMessage, OutboxStatus
from app.orgs.permissions import Actor

CLAIM_MINUTES = 10
MAX_DELAY = timedelta(hours=12)
UnitOfWork = Callable[[], AbstractContextManager[Session]]


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    to: str
    subject: str
    body: str
    attempts: int


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
    )


def claim(session: Session, *, now: datetime, limit: int, key: str | None = None) -> list[_Claimed]:
    """Claim up to `limit` due messages in one UPDATE … RETURNING. The condition is checked again
    by the UPDATE itself, so of two runs racing for a row only one gets it. On PostgreSQL the
    choice skips rows another run is claiming, so two runs share the work instead of the second
    waiting for the first's rows and then finding them taken (SQLite has one writer at a time)."""
    due = (
        select(OutboxMessage.id)
        .where(_claimable(now), *([OutboxMessage.dedupe_key == key] if key is not None else []))
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), _claimable(now))
        .values(status=OutboxStatus.SENDING, claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
        .returning(
            OutboxMessage.id,
            OutboxMessage.dedupe_key,
            OutboxMessage.to_address,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((_Claimed(*row) for row in rows), key=lambda c: c.id)


def settle(session: Session, settings: Settings, item: _Claimed, *, error: str | None, now: datetime) -> str:
    """Record one send's result in one UPDATE; return the message's new status."""
    attempts = item.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "claimed_until": None}
    if error is None:
        values.update(status=OutboxStatus.SENT, sent_at=now, last_error=None)
    elif attempts >= settings.mail_max_attempts:
        values.update(status=OutboxStatus.FAILED, last_error=error[:500])
    else:
        delay = timedelta(minutes=settings.mail_retry_base_minutes) * 2 ** (attempts - 1)
        values.update(
            status=OutboxStatus.PENDING, last_error=error[:500], next_attempt_at=now + min(delay, MAX_DELAY)
        )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return str(values["status"])


def deliver(
    unit_of_work: UnitOfWork,
    settings: Settings,
    mailer: Mailer,
    *,
    now: Callable[[], datetime] = utcnow,
    batch: int = 200,
    key: str | None = None,
) -> DeliveryReport:
    """Send everything that is due, batch by batch, until nothing claimable is left; with a key,
    only that message (sent at once, rather than at the next scheduled run)."""
    report = DeliveryReport()
    while True:
        with unit_of_work() as session:
            claimed = claim(session, now=now(), limit=batch, key=key)
        if not claimed:
            return report
        for item in claimed:
            try:
                mailer.send(
                    build_message(settings, to=item.to, subject=item.subject, body=item.body, key=item.key)
                )
                error = None
            except Exception as exc:  # any transport failure is retried, never fatal to the run
                error = f"{type(exc).__name__}: {exc}"
            with unit_of_work() as session:
                status = settle(session, settings, item, error=error, now=now())
            if status == OutboxStatus.SENT:
                report.sent += 1
            elif status == OutboxStatus.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
        if len(claimed) < batch:
            return report


def queue_email(
    session: Session, *, key: str, kind: str, user_id: int | None, to: str, subject: str, body: str
) -> None:
    """One e-mail into the outbox, in the caller's transaction: it leaves only if that commits."""
    session.add(
        OutboxMessage(dedupe_key=key, kind=kind, user_id=user_id, to_address=to, subject=subject, body=body)
    )


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[str, int]
    problems: Sequence[OutboxMessage]


def class_outbox(session: Session, classroom_id: int) -> OutboxSummary:
    """What happened to a class's e-mails: counts by status and the ones that failed or are being
    retried, with their errors. The caller has already checked access to the class."""
    counts = {str(status): 0 for status in OutboxStatus}
    for status, count in session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.classroom_id == classroom_id)
        .group_by(OutboxMessage.status)
    ):
        counts[status] = int(count)
    problems = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.classroom_id == classroom_id, OutboxMessage.last_error.is_not(None))
        .where(OutboxMessage.status.in_((OutboxStatus.FAILED, OutboxStatus.PENDING)))
        .order_by(OutboxMessage.id.desc())
        .limit(50)
    ).all()
    return OutboxSummary(counts, problems)


def retry_failed(session: Session, actor: Actor, *, classroom_id: int, now: datetime) -> int:
    """Give the class's failed e-mails a fresh set of attempts (after fixing an address, say)."""
    get_class(session, actor, classroom_id)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.classroom_id == classroom_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    record(session, actor, "class.mail_retry", target_type="classroom", target_id=classroom_id)
    return int(getattr(result, "rowcount", 0) or 0)
