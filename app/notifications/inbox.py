"""An officer's in-app notices: the unread count for the menu, the list in the reader's language,
and marking them read. Each officer reads only their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.classrooms.models import Classroom, Enrolment
from app.courses.models import Course
from app.db import utcnow
from app.errors import PermissionDenied
from app.notifications.messages import notice_text
from app.notifications.models import Notification
from app.orgs.permissions import Actor

LIST_SIZE = 50


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    text: str
    course_slug: str | None
    created_at: datetime
    unread: bool
    # A completion's notice links the certificate it earned.
    certificate_id: int | None = None


def _user(actor: Actor) -> int:
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    return actor.user_id


def unread_count(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def notices(session: Session, actor: Actor, *, language: str) -> list[Notice]:
    rows = session.execute(
        select(Notification, Classroom.code, Course)
        .outerjoin(Classroom, Classroom.id == Notification.classroom_id)
        .outerjoin(Course, Course.id == Classroom.course_id)
        .where(Notification.user_id == _user(actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(LIST_SIZE)
    ).all()
    # A completion's notice names its course by slug: it may have been taken outside any class.
    slugs = {n.params["course"] for n, _, course in rows if course is None and n.params.get("course")}
    by_slug = (
        {c.slug: c for c in session.scalars(select(Course).where(Course.slug.in_(slugs)))} if slugs else {}
    )
    result = []
    for notification, code, in_class in rows:
        course = in_class or by_slug.get(notification.params.get("course") or "")
        due = notification.params.get("due")
        text = notice_text(
            language,
            notification.kind,
            course=course.title(language) if course else "",
            code=code or "",
            due_on=date.fromisoformat(due) if due else None,
            serial=notification.params.get("serial") or "",
        )
        result.append(
            Notice(
                notification.id,
                notification.kind,
                text,
                course.slug if course else None,
                notification.created_at,
                notification.read_at is None,
                notification.params.get("certificate"),
            )
        )
    return result


def mark_all_read(session: Session, actor: Actor) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == _user(actor), Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def notify_assigned(session: Session, *, batch_id: int) -> int:
    """A notice for each officer an assignment enrolled: the course, the class and its due date.
    The key names the batch too, so an officer assigned again after an undo is told again."""
    rows = session.execute(
        select(Enrolment.id, Enrolment.user_id, Enrolment.classroom_id, Classroom.due_on)
        .join(Classroom, Classroom.id == Enrolment.classroom_id)
        .where(Enrolment.batch_id == batch_id)
    ).all()
    notices = [
        {
            "dedupe_key": f"assigned:{enrolment_id}:{batch_id}",
            "user_id": user_id,
            "kind": "assigned",
            "classroom_id": classroom_id,
            "params": {"due": due_on.isoformat() if due_on else None},
        }
        for enrolment_id, user_id, classroom_id, due_on in rows
    ]
    for start in range(0, len(notices), 1000):
        session.execute(insert(Notification), notices[start : start + 1000])
    return len(notices)


def notify_completed(
    session: Session, *, user_id: int, cycle_id: int, course_slug: str, certificate_id: int, serial: str
) -> None:
    """The officer's notice that a round of a course is complete, with its certificate (once per
    round, however often the round is certified)."""
    key = f"completed:{cycle_id}"
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is not None:
        return
    session.add(
        Notification(
            dedupe_key=key,
            user_id=user_id,
            kind="completed",
            params={"course": course_slug, "certificate": certificate_id, "serial": serial},
        )
    )
