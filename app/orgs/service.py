"""The org tree: create, rename, move, merge and close units, each dated and kept in history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import String, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Placement, User
from app.audit.recorder import record
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.models import UNIT_NAME_FOLDED, OrgUnit, OrgUnitEvent
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Permission
from app.orgs.scope import within
from app.text import fold, nfc


def _clean_name(name: str) -> str:
    cleaned = " ".join(nfc(name).split())
    if not cleaned or len(cleaned) > 300:
        raise InvalidInput("A unit needs a name of at most 300 characters.")
    return cleaned


def get_unit(session: Session, actor: Actor, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not actor.sees(unit.path):
        raise NotFound(OUT_OF_SCOPE)
    return unit


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def visible_units(session: Session, actor: Actor, *, include_closed: bool = True) -> Sequence[OrgUnit]:
    """Units in the actor's subtrees, in tree order (parents before children)."""
    stmt = select(OrgUnit).order_by(OrgUnit.path)
    stmt = stmt.where(within(actor, None, OrgUnit.path))
    if not include_closed:
        stmt = stmt.where(OrgUnit.status == "active")
    return session.scalars(stmt).all()


def manageable_units(session: Session, actor: Actor) -> Sequence[OrgUnit]:
    """The tree as the admin pages show it: only for those who may change it."""
    actor.require_any(Permission.ORG_MANAGE)
    return visible_units(session, actor)


def _event(session: Session, actor: Actor, unit: OrgUnit, kind: str, on: date, **details: object) -> None:
    session.add(
        OrgUnitEvent(unit_id=unit.id, kind=kind, effective_on=on, details=details, actor_id=actor.user_id)
    )
    record(
        session,
        actor,
        f"org.{kind}",
        target_type="org_unit",
        target_id=unit.id,
        details={"code": unit.code, "effective_on": on.isoformat(), **details},
    )


def create_unit(
    session: Session, actor: Actor, *, code: str, name: str, parent_id: int | None, effective_on: date
) -> OrgUnit:
    code = nfc(code).strip()
    if not code or len(code) > 50:
        raise InvalidInput("A unit needs a code of at most 50 characters.")
    parent = None
    if parent_id is None:
        if not actor.system:
            raise InvalidInput("Only the command line can create a top-level unit.")
    else:
        parent = get_unit(session, actor, parent_id)
        actor.require(Permission.ORG_MANAGE, parent.path)
        if parent.status != "active":
            raise Conflict("A closed or merged unit cannot receive new units.")
    if unit_by_code(session, code) is not None:
        raise Conflict(f"The unit code {code} is already used.")
    clean = _clean_name(name)
    unit = OrgUnit(
        code=code, name=clean, name_folded=fold(clean)[:UNIT_NAME_FOLDED], parent_id=parent_id, path=""
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    _event(session, actor, unit, "created", effective_on, name=clean, parent_id=parent_id)
    return unit


def rename_unit(session: Session, actor: Actor, *, unit_id: int, name: str, effective_on: date) -> OrgUnit:
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    clean = _clean_name(name)
    old = unit.name
    unit.name, unit.name_folded = clean, fold(clean)[:UNIT_NAME_FOLDED]
    _event(session, actor, unit, "renamed", effective_on, old_name=old, new_name=clean)
    return unit


def _reparent_subtree(session: Session, unit: OrgUnit, new_parent: OrgUnit) -> None:
    """Rewrite the paths of a whole subtree in one statement."""
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.id}/"
    session.execute(
        update(OrgUnit)
        .where(OrgUnit.path.startswith(old_prefix, autoescape=True))
        .values(path=literal(new_prefix, String).concat(func.substr(OrgUnit.path, len(old_prefix) + 1)))
        .execution_options(synchronize_session=False)
    )
    unit.parent_id = new_parent.id
    session.flush()
    session.expire_all()


def move_unit(
    session: Session, actor: Actor, *, unit_id: int, new_parent_id: int, effective_on: date
) -> OrgUnit:
    unit = get_unit(session, actor, unit_id)
    parent = get_unit(session, actor, new_parent_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    actor.require(Permission.ORG_MANAGE, parent.path)
    if parent.path.startswith(unit.path):
        raise InvalidInput("A unit cannot move inside itself.")
    if parent.status != "active":
        raise Conflict("A closed or merged unit cannot receive units.")
    old_parent = unit.parent_id
    _reparent_subtree(session, unit, parent)
    unit = get_unit(session, actor, unit_id)
    _event(session, actor, unit, "moved", effective_on, old_parent_id=old_parent, new_parent_id=parent.id)
    return unit


def merge_unit(session: Session, actor: Actor, *, unit_id: int, into_id: int, effective_on: date) -> OrgUnit:
    """Merge a unit into another on a date: its child units and officers move to the target
    (officers with a dated placement), and it stays in the tree as 'merged' for history."""
    unit = get_unit(session, actor, unit_id)
    target = get_unit(session, actor, into_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    actor.require(Permission.ORG_MANAGE, target.path)
    if unit.id == target.id or target.path.startswith(unit.path):
        raise InvalidInput("A unit cannot be merged into itself or into one of its own units.")
    if unit.status != "active" or target.status != "active":
        raise Conflict("Only active units can be merged.")
    for child in session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id)).all():
        _reparent_subtree(session, child, target)
    moved = move_officers_of_unit(session, from_unit_id=unit.id, to_unit_id=target.id, on=effective_on)
    unit = get_unit(session, actor, unit_id)
    unit.status, unit.merged_into_id, unit.closed_on = "merged", target.id, effective_on
    _event(
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
    if unit.status != "active":
        raise Conflict("This unit is already closed or merged.")
    open_children = session.scalar(
        select(func.count())
        .select_from(OrgUnit)
        .where(OrgUnit.parent_id == unit.id, OrgUnit.status == "active")
    )
    officers = session.scalar(
        select(func.count()).select_from(User).where(User.unit_id == unit.id, User.active.is_(True))
    )
    if open_children or officers:
        raise Conflict("Move or merge its units and officers before closing a unit.")
    unit.status, unit.closed_on = "closed", effective_on
    _event(session, actor, unit, "closed", effective_on)
    return unit


def unit_history(session: Session, actor: Actor, unit_id: int) -> Sequence[OrgUnitEvent]:
    actor.require_any(Permission.ORG_MANAGE)
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    return session.scalars(
        select(OrgUnitEvent)
        .where(OrgUnitEvent.unit_id == unit.id)
        .order_by(OrgUnitEvent.effective_on, OrgUnitEvent.id)
    ).all()


def unit_name_on(session: Session, unit_id: int, on: date) -> str:
    """The name a unit had on a date (for last year's records of a renamed unit)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("No such unit.")
    later = session.scalars(
        select(OrgUnitEvent)
        .where(
            OrgUnitEvent.unit_id == unit_id, OrgUnitEvent.kind == "renamed", OrgUnitEvent.effective_on > on
        )
        .order_by(OrgUnitEvent.effective_on, OrgUnitEvent.id)
    ).first()
    return str(later.details["old_name"]) if later is not None else unit.name
