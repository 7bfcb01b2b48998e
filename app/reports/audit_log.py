"""Reading the audit log, scoped to the reader's units. Recording is app.audit.recorder, a leaf
the domains call without importing this read side (which imports them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor, Permission
from app.orgs.scope import within

PAGE_SIZE = 100


def list_events(
    session: Session,
    actor: Actor,
    *,
    action: str = "",
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    officer_code: str = "",
) -> Sequence[AuditEvent]:
    """Newest first, a page at a time (keyset on id), filtered by action, actor and time."""
    actor.require_any(Permission.AUDIT_READ)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if not _reads_everything(session, actor):
        # Events carry no unit, so an admin of part of the tree reads what the people now in
        # their units did; the command line's and other units' people's events are not theirs.
        people = (
            select(User.id)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(within(actor, Permission.AUDIT_READ, OrgUnit.path))
        )
        stmt = stmt.where(AuditEvent.actor_id.in_(people))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    if officer_code:
        # Labels read "CODE Full Name", written when the event happened.
        stmt = stmt.where(AuditEvent.actor_label.startswith(officer_code.strip() + " ", autoescape=True))
    return session.scalars(stmt).all()


def _reads_everything(session: Session, actor: Actor) -> bool:
    """The system, or an admin of a whole tree (a unit without a parent)."""
    if actor.system:
        return True
    paths = actor.paths_with(Permission.AUDIT_READ)
    tops = session.scalars(select(OrgUnit.path).where(OrgUnit.parent_id.is_(None))).all()
    return any(p in tops for p in paths)
