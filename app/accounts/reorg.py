"""Reorganisations that carry people: merging a unit moves its child units and its officers
(each with a dated placement) into another, and closing a unit needs it empty of open units and
active officers. The org tree itself (app.orgs.service) knows nothing of officers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Placement, User
from app.errors import Conflict, InvalidInput
from app.orgs.models import OrgUnit, UnitStatus
from app.orgs.permissions import Actor, Permission
from app.orgs.service import event, get_unit, reparent_subtree


def merge_unit(session: Session, actor: Actor, *, unit_id: int, into_id: int, effective_on: date) -> OrgUnit:
    """Merge a unit into another on a date: its child units and officers move to the target
    (officers with a dated placement), and it stays in the tree as 'merged' for history."""
    unit = get_unit(session, actor, unit_id)
    target = get_unit(session, actor, into_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    actor.require(Permission.ORG_MANAGE, target.path)
    if unit.id == target.id or target.path.startswith(unit.path):
        raise InvalidInput("A unit cannot be merged into itself or into one of its own units.")
    if unit.status != UnitStatus.ACTIVE or target.status != UnitStatus.ACTIVE:
        raise Conflict("Only active units can be merged.")
    for child in session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id)).all():
        reparent_subtree(session, child, target)
    moved = move_officers_of_unit(session, from_unit_id=unit.id, to_unit_id=target.id, on=effective_on)
    unit = get_unit(session, actor, unit_id)
    unit.status, unit.merged_into_id, unit.closed_on = UnitStatus.MERGED, target.id, effective_on
    event(
        session,
        actor,
        unit,
        "merged",
        effective_on,
        into_id=target.id,
        into_code=target.code,
        officers_moved=moved,
    )
    return unit


def move_officers_of_unit(session: Session, *, from_unit_id: int, to_unit_id: int, on: date) -> int:
    """Set-based: close every open placement in one unit and open one in another."""
    user_ids = session.scalars(select(User.id).where(User.unit_id == from_unit_id)).all()
    if not user_ids:
        return 0
    session.execute(
        update(Placement)
        .where(Placement.unit_id == from_unit_id, Placement.end_on.is_(None))
        .values(end_on=on)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        insert(Placement),
        [{"user_id": uid, "unit_id": to_unit_id, "start_on": on, "end_on": None} for uid in user_ids],
    )
    session.execute(
        update(User)
        .where(User.unit_id == from_unit_id)
        .values(unit_id=to_unit_id)
        .execution_options(synchronize_session=False)
    )
    return len(user_ids)


def close_unit(session: Session, actor: Actor, *, unit_id: int, effective_on: date) -> OrgUnit:
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    if unit.status != UnitStatus.ACTIVE:
        raise Conflict("This unit is already closed or merged.")
    open_children = session.scalar(
        select(func.count())
        .select_from(OrgUnit)
        .where(OrgUnit.parent_id == unit.id, OrgUnit.status == UnitStatus.ACTIVE)
    )
    officers = session.scalar(
        select(func.count()).select_from(User).where(User.unit_id == unit.id, User.active.is_(True))
    )
    if open_children or officers:
        raise Conflict("Move or merge its units and officers before closing a unit.")
    unit.status, unit.closed_on = UnitStatus.CLOSED, effective_on
    event(session, actor, unit, "closed", effective_on)
    return unit
