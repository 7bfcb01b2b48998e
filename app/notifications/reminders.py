"""Queueing reminders: the scheduled run (due soon, overdue every K days, a digest for the class's
coordinator) and reminders a coordinator sends from the class dashboard.

Every reminder is an in-app notice for the officer plus, when the officer has an address, an
e-mail in the outbox. Both carry a dedupe key naming the enrolment and the period, so a second
run (or one running at the same moment) queues nothing new."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.recorder import record
from app.classrooms.models import Classroom, ClassStatus
from app.classrooms.service import get_class
from app.config import Settings
from app.courses.models import Course
from app.errors import InvalidInput
from app.notifications import messages
from app.notifications.models import Notification, OutboxMessage
from app.orgs.permissions import Actor
from app.progress.dashboard import RosterFilter, RosterRow, roster_rows, status_counts

OPEN_STATUSES = ("not_started", "in_progress", "overdue")
MANUAL_TARGETS = ("selected", "not_started", "overdue")


@dataclass
class QueueReport:
    notices: int = 0
    emails: int = 0
    without_email: int = 0
    already: int = 0
    digests: int = 0
    classes: list[str] = field(default_factory=list)


def _insert_new(
    session: Session, model: type[Notification | OutboxMessage], rows: list[dict[str, Any]]
) -> set[str]:
    """Insert the rows whose dedupe key is not there yet and return the keys this call inserted.
    The unique key, not the check first made here, is what guarantees no duplicates when two
    runs overlap; the keys come back from the insert itself, so of two runs inserting the same
    row only the one that wrote it counts it."""
    if not rows:
        return set()
    keys = [r["dedupe_key"] for r in rows]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(session.scalars(select(model.dedupe_key).where(model.dedupe_key.in_(chunk))))
    fresh = [r for r in rows if r["dedupe_key"] not in existing]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted: set[str] = set()
    for start in range(0, len(fresh), 1000):
        statement = (
            dialect.insert(model)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(model.dedupe_key)
        )
        inserted.update(session.scalars(statement, fresh[start : start + 1000]))
    return inserted


def _enqueue(
    session: Session,
    settings: Settings,
    classroom: Classroom,
    course: Course,
    rows: Sequence[tuple[str, str, RosterRow]],
    report: QueueReport,
) -> int:
    """Queue (kind, dedupe key, officer) reminders for one class; return how many were new."""
    language = settings.default_language
    link = f"{settings.public_url.rstrip('/')}/courses/{course.slug}"
    notices: list[dict[str, Any]] = []
    emails: list[dict[str, Any]] = []
    for kind, key, row in rows:
        notices.append(
            {
                "dedupe_key": key,
                "user_id": row.user_id,
                "kind": kind,
                "classroom_id": classroom.id,
                "params": {"due": classroom.due_on.isoformat() if classroom.due_on else None},
            }
        )
        if not row.email:
            continue
        reminder = messages.OfficerReminder(
            kind,
            row.full_name,
            course.title(language),
            classroom.code,
            classroom.due_on,
            row.done,
            row.total,
            link,
        )
        subject, body = messages.officer_email(language, reminder)
        emails.append(
            {
                "dedupe_key": key,
                "kind": kind,
                "user_id": row.user_id,
                "classroom_id": classroom.id,
                "to_address": row.email,
                "subject": subject,
                "body": body,
            }
        )
    new = _insert_new(session, Notification, notices)
    mailed = _insert_new(session, OutboxMessage, emails)
    report.notices += len(new)
    report.emails += len(mailed)
    report.without_email += len(new - {e["dedupe_key"] for e in emails})
    report.already += len(notices) - len(new)
    return len(new)


def _scheduled_rows(
    classroom: Classroom, rows: Iterable[RosterRow], today: date, every: int
) -> Iterator[tuple[str, str, RosterRow]]:
    due_on = classroom.due_on
    assert due_on is not None
    for row in rows:
        if not row.active or row.status not in OPEN_STATUSES:
            continue
        if due_on >= today:
            yield "due_soon", f"due_soon:{row.enrolment_id}:{due_on.isoformat()}", row
        else:
            period = ((today - due_on).days - 1) // every
            yield "overdue", f"overdue:{row.enrolment_id}:{due_on.isoformat()}:{period}", row


def queue_reminders(session: Session, settings: Settings, *, today: date) -> QueueReport:
    """The scheduled run: due-soon reminders N days before the due date, overdue reminders on the
    day after it and every K days after that, until the officer completes or is withdrawn."""
    report = QueueReport()
    horizon = today + timedelta(days=settings.reminder_due_soon_days)
    every = max(1, settings.reminder_overdue_every_days)
    classes = session.execute(
        select(Classroom, Course)
        .join(Course, Course.id == Classroom.course_id)
        .where(
            Classroom.status == ClassStatus.OPEN,
            Classroom.opens_on <= today,
            Classroom.due_on.is_not(None),
            Classroom.due_on <= horizon,
        )
        .order_by(Classroom.id)
    ).all()
    for classroom, course in classes:
        rows = list(
            _scheduled_rows(
                classroom,
                roster_rows(session, classroom, today=today, flt=RosterFilter(), quiz_scores=False),
                today,
                every,
            )
        )
        new = _enqueue(session, settings, classroom, course, rows, report)
        if new:
            report.classes.append(classroom.code)
            report.digests += _queue_digest(session, settings, classroom, today=today, reminded=new)
    return report


def _queue_digest(
    session: Session, settings: Settings, classroom: Classroom, *, today: date, reminded: int
) -> int:
    owner = session.get(User, classroom.created_by_id) if classroom.created_by_id else None
    if owner is None or not owner.email or not owner.active:
        return 0
    counts = status_counts(session, classroom, today=today)
    subject, body = messages.digest_email(
        settings.default_language,
        code=classroom.code,
        title=classroom.title,
        due_on=classroom.due_on,
        counts=counts,
        reminded=reminded,
        link=f"{settings.public_url.rstrip('/')}/classes/{classroom.id}",
    )
    row = {
        "dedupe_key": f"digest:{classroom.id}:{today.isoformat()}",
        "kind": "digest",
        "user_id": owner.id,
        "classroom_id": classroom.id,
        "to_address": owner.email,
        "subject": subject,
        "body": body,
    }
    return len(_insert_new(session, OutboxMessage, [row]))


def remind(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    classroom_id: int,
    target: str,
    user_ids: Sequence[int] = (),
    today: date,
) -> QueueReport:
    """A reminder sent from the dashboard: to the selected officers, or to everyone not started or
    overdue. At most one per officer, class and day, so a double click sends one."""
    if target not in MANUAL_TARGETS:
        raise InvalidInput(
            "Choose whom to remind: the selected officers, those not started, or those overdue."
        )
    classroom, _ = get_class(session, actor, classroom_id)
    course = session.get_one(Course, classroom.course_id)
    wanted = set(user_ids)
    if target == "selected" and not wanted:
        raise InvalidInput("Select at least one officer to remind.")
    flt = RosterFilter(status="" if target == "selected" else target)
    rows = [
        ("manual", f"manual:{classroom.id}:{row.user_id}:{today.isoformat()}", row)
        for row in roster_rows(session, classroom, today=today, flt=flt, quiz_scores=False)
        if row.active and row.status in OPEN_STATUSES and (target != "selected" or row.user_id in wanted)
    ]
    report = QueueReport()
    _enqueue(session, settings, classroom, course, rows, report)
    record(
        session,
        actor,
        "class.remind",
        target_type="classroom",
        target_id=classroom.id,
        details={
            "target": target,
            "queued": report.notices,
            "emails": report.emails,
            "already": report.already,
        },
    )
    return report
