"""Officer records: scoped search and lookup, creation, dated moves between units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.auth import end_sessions_of
from app.accounts.authority import require_authority
from app.accounts.models import CATEGORIES, EMAIL, NAME_FOLDED, Placement, User
from app.audit.recorder import record
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.models import OrgUnit, UnitStatus
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Permission
from app.orgs.scope import within
from app.orgs.service import get_unit
from app.text import OFFICER_CODE, fold, name_sort_value, nfc, search_terms

PAGE_SIZE = 50


@dataclass(frozen=True)
class OfficerRow:
    user: User
    unit: OrgUnit


def officer_matches(query: str) -> list[ColumnElement[bool]]:
    """Conditions for an officer search box, all to be met: every query word starts a word of
    the name (accents ignored), or starts the officer code or e-mail."""
    conditions: list[ColumnElement[bool]] = []
    for term in search_terms(query):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(
            or_(
                (" " + User.name_folded).like(f"% {escaped}%", escape="\\"),
                User.officer_code.ilike(f"{escaped}%", escape="\\"),
                User.email.ilike(f"{escaped}%", escape="\\"),
            )
        )
    return conditions


# The account states the officer list can be narrowed to.
ACCOUNT_STATES = ("not_activated", "activated", "inactive")


def search_officers(
    session: Session, actor: Actor, *, query: str = "", page: int = 1, account: str = ""
) -> list[OfficerRow]:
    """Officers the actor may see; every query word must start a word of the name, or match the
    officer code or e-mail. Accent-insensitive; sorted the Vietnamese way (given name last).
    account narrows them to one of ACCOUNT_STATES (not activated: active, no password yet)."""
    stmt = _officer_search(select(User, OrgUnit), actor, query=query, account=account)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    rows = session.execute(stmt.order_by(User.name_sort, User.id).offset(offset).limit(PAGE_SIZE)).all()
    return [OfficerRow(u, o) for u, o in rows]


# A SELECT of officers, whatever its columns, narrowed by _officer_search.
Query = TypeVar("Query", bound="Select[*tuple[Any, ...]]")

# What the API shows of an officer, read as plain columns: a page of 50 costs a fraction of
# building 100 mapped objects (users and their units) for the same values.
OFFICER_COLUMNS = (
    User.id,
    User.officer_code,
    User.full_name,
    User.email,
    User.phone,
    User.birth_date,
    User.category,
    User.rank,
    User.position,
    User.job_position,
    User.active,
    User.password_hash.is_not(None).label("activated"),
    OrgUnit.id.label("unit_id"),
    OrgUnit.code.label("unit_code"),
    OrgUnit.name.label("unit_name"),
)


def officer_rows(session: Session, actor: Actor, *, query: str = "", page: int = 1) -> list[Any]:
    """The same page as search_officers, as rows of OFFICER_COLUMNS."""
    stmt = _officer_search(select(*OFFICER_COLUMNS), actor, query=query, account="")
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return list(session.execute(stmt.order_by(User.name_sort, User.id).offset(offset).limit(PAGE_SIZE)))


def _officer_search(stmt: Query, actor: Actor, *, query: str, account: str) -> Query:
    actor.require_any(Permission.OFFICERS_READ)
    if len(query) > 200:
        raise InvalidInput("The search text is too long.")
    stmt = stmt.join(OrgUnit, OrgUnit.id == User.unit_id).where(
        within(actor, Permission.OFFICERS_READ, OrgUnit.path)
    )
    stmt = stmt.where(*officer_matches(query))
    if account == "not_activated":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_(None))
    elif account == "activated":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_not(None))
    elif account == "inactive":
        stmt = stmt.where(User.active.is_(False))
    return stmt


def get_officer(
    session: Session, actor: Actor, user_id: int, *, permission: str = Permission.OFFICERS_READ
) -> OfficerRow:
    row = session.execute(
        select(User, OrgUnit).join(OrgUnit, OrgUnit.id == User.unit_id).where(User.id == user_id)
    ).one_or_none()
    if row is None:
        raise NotFound(OUT_OF_SCOPE)
    user, unit = row
    if actor.user_id != user.id:
        actor.require(permission, unit.path)
    return OfficerRow(user, unit)


def placements(session: Session, actor: Actor, user_id: int) -> list[tuple[Placement, OrgUnit]]:
    get_officer(session, actor, user_id)
    rows = session.execute(
        select(Placement, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Placement.unit_id)
        .where(Placement.user_id == user_id)
        .order_by(Placement.start_on, Placement.id)
    ).all()
    return [(p, o) for p, o in rows]


def create_officer(
    session: Session,
    actor: Actor,
    *,
    officer_code: str,
    full_name: str,
    unit_id: int,
    start_on: date,
    email: str | None = None,
    phone: str | None = None,
    category: str = "other",
    rank: str | None = None,
    position: str | None = None,
    job_position: str | None = None,
    birth_date: date | None = None,
) -> User:
    unit = get_unit(session, actor, unit_id)
    actor.require(Permission.OFFICERS_MANAGE, unit.path)
    code = nfc(officer_code).strip()
    name = " ".join(nfc(full_name).split())
    if not code or not name:
        raise InvalidInput("An officer needs a code and a full name.")
    if len(code) > 50 or not OFFICER_CODE.fullmatch(code):
        raise InvalidInput("An officer code holds letters, digits, '.', '-' and '/' only, at most 50.")
    if category not in CATEGORIES:
        raise InvalidInput("Unknown personnel category.")
    if session.scalar(select(User.id).where(User.officer_code == code)) is not None:
        raise Conflict("The officer code %(code)s is already used.", code=code)
    clean_email = email.strip().lower() if email else None
    if clean_email and not EMAIL.match(clean_email):
        raise InvalidInput("This is not an e-mail address.")
    if clean_email and session.scalar(select(User.id).where(User.email == clean_email)) is not None:
        raise Conflict("This e-mail address belongs to another officer.")
    user = User(
        officer_code=code,
        full_name=name,
        name_folded=fold(name)[:NAME_FOLDED],
        name_sort=name_sort_value(name),
        unit_id=unit.id,
        email=clean_email,
        phone=phone,
        category=category,
        rank=rank,
        position=position,
        job_position=job_position,
        birth_date=birth_date,
    )
    session.add(user)
    session.flush()
    session.add(Placement(user_id=user.id, unit_id=unit.id, start_on=start_on))
    record(
        session,
        actor,
        "officer.create",
        target_type="user",
        target_id=user.id,
        details={"code": code, "unit": unit.code},
    )
    return user


def move_officer(session: Session, actor: Actor, *, user_id: int, unit_id: int, effective_on: date) -> User:
    """A dated move: the old placement ends and a new one starts on the same day."""
    row = get_officer(session, actor, user_id, permission=Permission.OFFICERS_MANAGE)
    target = get_unit(session, actor, unit_id)
    actor.require(Permission.OFFICERS_MANAGE, target.path)
    if row.user.unit_id == target.id:
        raise InvalidInput("The officer is already in this unit.")
    if target.status != UnitStatus.ACTIVE:
        raise Conflict("A closed or merged unit cannot receive officers.")
    require_authority(session, actor, [user_id])
    session.execute(
        update(Placement)
        .where(Placement.user_id == user_id, Placement.end_on.is_(None))
        .values(end_on=effective_on)
        .execution_options(synchronize_session=False)
    )
    session.add(Placement(user_id=user_id, unit_id=target.id, start_on=effective_on))
    row.user.unit_id = target.id
    record(
        session,
        actor,
        "officer.move",
        target_type="user",
        target_id=user_id,
        details={"from": row.unit.code, "to": target.code, "effective_on": effective_on.isoformat()},
    )
    return row.user


def unit_on(session: Session, user_id: int, on: date) -> int | None:
    """The unit an officer was in on a date, from the dated placements."""
    return session.scalar(
        select(Placement.unit_id)
        .where(
            Placement.user_id == user_id,
            Placement.start_on <= on,
            or_(Placement.end_on.is_(None), Placement.end_on > on),
        )
        .order_by(Placement.start_on.desc())
    )


EDITABLE = (
    "full_name",
    "email",
    "phone",
    "category",
    "rank",
    "position",
    "job_position",
    "birth_date",
    "active",
)


# Changing these hands over or takes away the account (app.accounts.authority).
LOGIN_FIELDS = frozenset({"email", "active"})


def update_officer(session: Session, actor: Actor, *, user_id: int, changes: dict[str, object]) -> User:
    """Change an officer's record (HR fields and the active flag); the change is audited field by
    field. A deactivated officer's sessions end at their next request."""
    row = get_officer(session, actor, user_id, permission=Permission.OFFICERS_MANAGE)
    actor.require(Permission.OFFICERS_MANAGE, row.unit.path)
    user = row.user
    clean: dict[str, object] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise InvalidInput("This field cannot be changed here.")
        if isinstance(value, str):
            value = " ".join(nfc(value).split()) or None
        clean[name] = value
    if not clean.get("full_name", user.full_name):
        raise InvalidInput("An officer needs a code and a full name.")
    if clean.get("category", user.category) not in CATEGORIES:
        raise InvalidInput("Unknown personnel category.")
    email = clean.get("email")
    if isinstance(email, str):
        email = clean["email"] = email.lower()
        if not EMAIL.match(email):
            raise InvalidInput("This is not an e-mail address.")
        other = session.scalar(select(User.id).where(User.email == email, User.id != user.id))
        if other is not None:
            raise Conflict("This e-mail address belongs to another officer.")
    diff = {k: v for k, v in clean.items() if getattr(user, k) != v}
    if LOGIN_FIELDS & diff.keys():
        require_authority(session, actor, [user.id])
    for name, value in diff.items():
        setattr(user, name, value)
    if "full_name" in diff:
        user.name_folded = fold(user.full_name)[:NAME_FOLDED]
        user.name_sort = name_sort_value(user.full_name)
    if diff.get("active") is False:
        end_sessions_of(session, [user.id])
    if diff:
        record(
            session,
            actor,
            "officer.update",
            target_type="user",
            target_id=user.id,
            details={k: (v.isoformat() if isinstance(v, date) else v) for k, v in diff.items()},
        )
    return user


def officer_ids(session: Session, codes: list[str]) -> dict[str, int]:
    """Officer code → id for the codes that exist (for the command line)."""
    rows = session.execute(select(User.officer_code, User.id).where(User.officer_code.in_(codes))).all()
    return {row.officer_code: row.id for row in rows}


def can_manage(actor: Actor, row: OfficerRow) -> bool:
    """Whether the record page should offer editing (the update itself checks again)."""
    return actor.can(Permission.OFFICERS_MANAGE, row.unit.path)
