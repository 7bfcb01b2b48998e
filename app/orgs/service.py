"""The org tree: create, rename and move units, each dated and kept in history. Merging and
closing a unit carry or check its officers, so they live with the officers in app.accounts.reorg."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import String, func, literal, select, update
from sqlalchemy.orm import Session

from app.audit.recorder import record
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.models import UNIT_NAME_FOLDED, OrgUnit, OrgUnitEvent, UnitStatus
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Permission
from app.orgs.scope import within
from app.text import fold, has_control, nfc


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
        stmt = stmt.where(OrgUnit.status == UnitStatus.ACTIVE)
    return session.scalars(stmt).all()


def manageable_units(session: Session, actor: Actor) -> Sequence[OrgUnit]:
    """The tree as the admin pages show it: only for those who may change it."""
    actor.require_any(Permission.ORG_MANAGE)
    return visible_units(session, actor)


def event(session: Session, actor: Actor, unit: OrgUnit, kind: str, on: date, **details: object) -> None:
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
    if has_control(code):
        raise InvalidInput("A code cannot hold line breaks or other control characters.")
    parent = None
    if parent_id is None:
        if not actor.system:
            raise InvalidInput("Only the command line can create a top-level unit.")
    else:
        parent = get_unit(session, actor, parent_id)
        actor.require(Permission.ORG_MANAGE, parent.path)
        if parent.status != UnitStatus.ACTIVE:
            raise Conflict("A closed or merged unit cannot receive new units.")
    if unit_by_code(session, code) is not None:
        raise Conflict("The unit code %(code)s is already used.", code=code)
    clean = _clean_name(name)
    unit = OrgUnit(
        code=code, name=clean, name_folded=fold(clean)[:UNIT_NAME_FOLDED], parent_id=parent_id, path=""
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    event(session, actor, unit, "created", effective_on, name=clean, parent_id=parent_id)
    return unit


def rename_unit(session: Session, actor: Actor, *, unit_id: int, name: str, effective_on: date) -> OrgUnit:
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.ORG_MANAGE, unit.path)
    clean = _clean_name(name)
    old = unit.name
    unit.name, unit.name_folded = clean, fold(clean)[:UNIT_NAME_FOLDED]
    event(session, actor, unit, "renamed", effective_on, old_name=old, new_name=clean)
    return unit


def reparent_subtree(session: Session, unit: OrgUnit, new_parent: OrgUnit) -> None:
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
    if parent.status != UnitStatus.ACTIVE:
        raise Conflict("A closed or merged unit cannot receive units.")
    old_parent = unit.parent_id
    reparent_subtree(session, unit, parent)
    unit = get_unit(session, actor, unit_id)
    event(session, actor, unit, "moved", effective_on, old_parent_id=old_parent, new_parent_id=parent.id)
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
