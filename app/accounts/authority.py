"""Who may act on whose account: no acting on peers or superiors.

Issuing an activation code, changing the e-mail someone logs in with, deactivating or
reactivating an account, and moving it to another unit all hand over, or take away, the
account. Unit scope alone would let HR of the top unit issue a code for the site admin and
become admin, or a coordinator take over the HR account of their own unit. So the rule is
stricter than scope: for every role the account holds, on some unit, the actor must hold that
role on a unit strictly above it, or admin on that unit or above it (an admin holds every
role's rights there). Another admin is handled only by an admin strictly above, or by an admin
of a top unit (one without a parent): someone must be able to reset an admin.

Accounts that hold no role are covered by scope alone, as before. The command line (SYSTEM)
is the operator and may do anything."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import PermissionDenied
from app.i18n import N_
from app.orgs.models import OrgUnit, RoleGrant
from app.orgs.permissions import Actor, Grant, Role

OUTRANKED = N_(
    "This account, or one of those chosen, holds a role at your level or above: only someone "
    "above it, or an administrator of the top unit, may issue its codes, change its e-mail, "
    "deactivate it or move it."
)
CHUNK = 900


def _is_top(path: str) -> bool:
    return path.count("/") == 2


def _covers(mine: Grant, theirs: Grant) -> bool:
    if not theirs.unit_path.startswith(mine.unit_path):
        return False
    if mine.role == Role.ADMIN and (theirs.role != Role.ADMIN or _is_top(mine.unit_path)):
        return True
    return mine.role == theirs.role and theirs.unit_path != mine.unit_path


def outranks(actor: Actor, held: Iterable[Grant]) -> bool:
    """Whether the actor stands above every role in held (an account's active grants)."""
    return actor.system or all(any(_covers(mine, theirs) for mine in actor.grants) for theirs in held)


def grants_held(session: Session, user_ids: Iterable[int]) -> dict[int, list[Grant]]:
    """The active grants of each account that holds any, by user id."""
    ids = list(dict.fromkeys(user_ids))
    held: dict[int, list[Grant]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(RoleGrant.user_id, RoleGrant.role, OrgUnit.id, OrgUnit.path)
            .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
            .where(RoleGrant.user_id.in_(ids[start : start + CHUNK]), RoleGrant.revoked_at.is_(None))
        )
        for user_id, role, unit_id, path in rows:
            held.setdefault(user_id, []).append(Grant(role, unit_id, path))
    return held


def outranked(session: Session, actor: Actor, user_ids: Iterable[int]) -> set[int]:
    """Of these accounts, those the actor may not act on."""
    if actor.system:
        return set()
    return {user_id for user_id, held in grants_held(session, user_ids).items() if not outranks(actor, held)}


class Outranked(PermissionDenied):
    """Refused by this rule: the page goes back to its form with the reason, as for a mistake
    in the form, since the person may act on the record otherwise."""


def require_authority(session: Session, actor: Actor, user_ids: Iterable[int]) -> None:
    """Refuse unless the actor stands above every one of these accounts."""
    if outranked(session, actor, user_ids):
        raise Outranked(OUTRANKED)
