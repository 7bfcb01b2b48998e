"""Role grants on units, and building the Actor of a logged-in officer from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.authority import OUTRANKED, Outranked, outranks
from app.accounts.models import User
from app.audit.recorder import record
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.models import OrgUnit, RoleGrant
from app.orgs.permissions import OUT_OF_SCOPE, ROLES, Actor, Grant, Permission, Role
from app.orgs.service import get_unit


def actor_for(session: Session, user: User, *, ip: str | None) -> Actor:
    rows = session.execute(
        select(RoleGrant.role, OrgUnit.id, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None))
        .order_by(RoleGrant.id)
    ).all()
    return Actor(
        user_id=user.id,
        label=f"{user.officer_code} {user.full_name}",
        ip=ip,
        grants=tuple(Grant(role, unit_id, path) for role, unit_id, path in rows),
    )


@dataclass(frozen=True)
class GrantRow:
    grant: RoleGrant
    user: User
    unit: OrgUnit


def list_grants(session: Session, actor: Actor) -> list[GrantRow]:
    """Active grants on units where the actor may manage roles."""
    actor.require_any(Permission.ROLES_MANAGE)
    rows = session.execute(
        select(RoleGrant, User, OrgUnit)
        .join(User, User.id == RoleGrant.user_id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .where(RoleGrant.revoked_at.is_(None))
        .order_by(OrgUnit.path, RoleGrant.role, User.name_folded)
    ).all()
    return [GrantRow(g, u, o) for g, u, o in rows if actor.can(Permission.ROLES_MANAGE, o.path)]


def grant_role(session: Session, actor: Actor, *, officer_code: str, role: str, unit_id: int) -> RoleGrant:
    if role not in ROLES:
        raise InvalidInput("Unknown role.")
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.ROLES_MANAGE, unit.path)
    found = session.execute(
        select(User, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .where(User.officer_code == officer_code.strip())
    ).one_or_none()
    # Only an officer of the units the actor looks after: an admin of one unit neither hands a
    # role to another unit's officer nor learns from the answer which codes exist there.
    if found is None or not actor.sees(found[1]):
        raise NotFound("No officer with this code.")
    user = found[0]
    existing = session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == role,
            RoleGrant.unit_id == unit.id,
            RoleGrant.revoked_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict("This officer already has this role on this unit.")
    grant = RoleGrant(user_id=user.id, role=role, unit_id=unit.id, granted_by_id=actor.user_id)
    session.add(grant)
    session.flush()
    record(
        session,
        actor,
        "role.grant",
        target_type="user",
        target_id=user.id,
        details={"role": role, "unit": unit.code, "grant_id": grant.id},
    )
    return grant


def revoke_grant(session: Session, actor: Actor, *, grant_id: int) -> RoleGrant:
    grant = session.get(RoleGrant, grant_id)
    if grant is None or grant.revoked_at is not None:
        raise NotFound(OUT_OF_SCOPE)
    unit = get_unit(session, actor, grant.unit_id)
    actor.require(Permission.ROLES_MANAGE, unit.path)
    if grant.user_id == actor.user_id and grant.role == Role.ADMIN:
        raise Conflict("You cannot revoke your own admin role; ask another admin.")
    # A peer's role is not the actor's to take away, any more than their account.
    if not outranks(actor, [Grant(grant.role, unit.id, unit.path)]):
        raise Outranked(OUTRANKED)
    grant.revoked_at, grant.revoked_by_id = utcnow(), actor.user_id
    record(
        session,
        actor,
        "role.revoke",
        target_type="user",
        target_id=grant.user_id,
        details={"role": grant.role, "unit": unit.code, "grant_id": grant.id},
    )
    return grant


def grants_of(session: Session, user_id: int) -> Sequence[RoleGrant]:
    return session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
    ).all()
