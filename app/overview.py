"""The admin's overview: what needs doing in the units they manage, each with the page that does
it. Only counts, each one indexed query, so the page stays quick at a province's size; it reads
across people, learning and the outbox, which is why it sits with the orchestration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.classrooms.models import Classroom, ClassStatus, Enrolment, EnrolmentStatus
from app.courses.models import Course
from app.notifications.models import OutboxMessage, OutboxStatus
from app.orgs.models import OrgUnit, UnitStatus
from app.orgs.permissions import Actor, Permission
from app.orgs.scope import within
from app.reports.audit_log import reads_everything
from app.rounds.models import ProgressCycle


@dataclass(frozen=True)
class Overview:
    units: int
    officers: int
    # Active officers who have never set a password: they need an activation code.
    not_activated: int
    open_classes: int
    # Open classes past their due date with an officer still to finish.
    overdue_classes: int
    failed_emails: int
    unpublished_courses: int
    # Failed logins over the last day, for an admin of a whole tree (else None): the log of
    # failures names no unit to scope them by.
    failed_logins: int | None


def admin_overview(session: Session, actor: Actor, *, now: datetime, today: date) -> Overview:
    actor.require_any(Permission.ORG_MANAGE)

    def count(query: object) -> int:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]

    in_units = within(actor, Permission.ORG_MANAGE, OrgUnit.path)
    officers = (
        select(func.count()).select_from(User).join(OrgUnit, OrgUnit.id == User.unit_id).where(in_units)
    )
    classes = (
        select(func.count())
        .select_from(Classroom)
        .join(OrgUnit, OrgUnit.id == Classroom.owner_unit_id)
        .where(in_units, Classroom.status == ClassStatus.OPEN)
    )
    unfinished = exists().where(
        Enrolment.classroom_id == Classroom.id,
        Enrolment.status == EnrolmentStatus.ACTIVE,
        ~exists().where(
            ProgressCycle.user_id == Enrolment.user_id,
            ProgressCycle.course_id == Classroom.course_id,
            ProgressCycle.completed_at.is_not(None),
        ),
    )
    failed_logins = None
    if reads_everything(session, actor):
        failed_logins = count(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "login.failure", AuditEvent.at >= now - timedelta(days=1))
        )
    return Overview(
        units=count(
            select(func.count()).select_from(OrgUnit).where(in_units, OrgUnit.status == UnitStatus.ACTIVE)
        ),
        officers=count(officers.where(User.active.is_(True))),
        not_activated=count(officers.where(User.active.is_(True), User.password_hash.is_(None))),
        open_classes=count(classes),
        overdue_classes=count(classes.where(Classroom.due_on < today, unfinished)),
        failed_emails=count(
            select(func.count())
            .select_from(OutboxMessage)
            .join(Classroom, Classroom.id == OutboxMessage.classroom_id)
            .join(OrgUnit, OrgUnit.id == Classroom.owner_unit_id)
            .where(in_units, OutboxMessage.status == OutboxStatus.FAILED)
        ),
        unpublished_courses=count(
            select(func.count()).select_from(Course).where(Course.published.is_(False))
        ),
        failed_logins=failed_logins,
    )
