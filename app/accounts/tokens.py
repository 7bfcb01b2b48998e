"""API tokens: created by an admin for a role on a unit, shown once, stored hashed, revocable,
and every creation and revocation audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import token_hash
from app.audit.recorder import record
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.orgs.models import ApiToken, OrgUnit
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Grant, Permission, Role
from app.orgs.service import get_unit

# Integrations read data; administering the site stays with people.
TOKEN_ROLES = (Role.COORDINATOR, Role.HR)
PREFIX = "hs_"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    unit: OrgUnit


def create_token(
    session: Session, actor: Actor, *, name: str, role: str, unit_id: int
) -> tuple[ApiToken, str]:
    """Returns the row and the token itself, which is never available again."""
    clean = " ".join(name.split())
    if not clean or len(clean) > 100:
        raise InvalidInput("A token needs a name of at most 100 characters.")
    if role not in TOKEN_ROLES:
        raise InvalidInput("A token may carry the coordinator or HR role.")
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.TOKENS_MANAGE, unit.path)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=clean, token_hash=token_hash(secret), role=role, unit_id=unit.id, created_by_id=actor.user_id
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "token.create",
        target_type="api_token",
        target_id=token.id,
        details={"name": clean, "role": role, "unit": unit.code},
    )
    return token, secret


def list_tokens(session: Session, actor: Actor) -> list[TokenRow]:
    actor.require_any(Permission.TOKENS_MANAGE)
    rows = session.execute(
        select(ApiToken, OrgUnit)
        .join(OrgUnit, OrgUnit.id == ApiToken.unit_id)
        .where(ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).all()
    return [TokenRow(t, u) for t, u in rows if actor.can(Permission.TOKENS_MANAGE, u.path)]


def revoke_token(session: Session, actor: Actor, *, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFound(OUT_OF_SCOPE)
    unit = get_unit(session, actor, token.unit_id)
    actor.require(Permission.TOKENS_MANAGE, unit.path)
    token.revoked_at = utcnow()
    record(
        session,
        actor,
        "token.revoke",
        target_type="api_token",
        target_id=token.id,
        details={"name": token.name},
    )
    return token


def actor_for_token(session: Session, secret: str, *, ip: str | None) -> Actor | None:
    if not secret.startswith(PREFIX):
        return None
    row = session.execute(
        select(ApiToken, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == ApiToken.unit_id)
        .where(ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    token, path = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return Actor(
        user_id=None, label=f"API token {token.name}", ip=ip, grants=(Grant(token.role, token.unit_id, path),)
    )
