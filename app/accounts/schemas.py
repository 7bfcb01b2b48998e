"""JSON shapes of officers and of the caller, for the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from app.accounts.service import OfficerRow
from app.orgs.permissions import Actor


class UnitRef(BaseModel):
    id: int
    code: str
    name: str


class OfficerRead(BaseModel):
    id: int
    officer_code: str
    full_name: str
    email: str | None
    phone: str | None
    birth_date: date | None
    category: str
    rank: str | None
    position: str | None
    job_position: str | None
    active: bool
    activated: bool
    unit: UnitRef

    @classmethod
    def of(cls, row: OfficerRow) -> OfficerRead:
        u = row.user
        return cls(
            id=u.id,
            officer_code=u.officer_code,
            full_name=u.full_name,
            email=u.email,
            phone=u.phone,
            birth_date=u.birth_date,
            category=u.category,
            rank=u.rank,
            position=u.position,
            job_position=u.job_position,
            active=u.active,
            activated=u.password_hash is not None,
            unit=UnitRef(id=row.unit.id, code=row.unit.code, name=row.unit.name),
        )


def officer_read(row: Any) -> OfficerRead:
    """An officer from a row of app.accounts.service.OFFICER_COLUMNS."""
    return OfficerRead(
        id=row.id,
        officer_code=row.officer_code,
        full_name=row.full_name,
        email=row.email,
        phone=row.phone,
        birth_date=row.birth_date,
        category=row.category,
        rank=row.rank,
        position=row.position,
        job_position=row.job_position,
        active=row.active,
        activated=bool(row.activated),
        unit=UnitRef(id=row.unit_id, code=row.unit_code, name=row.unit_name),
    )


class GrantRead(BaseModel):
    role: str
    unit_id: int


class MeRead(BaseModel):
    user_id: int | None
    label: str
    grants: list[GrantRead]

    @classmethod
    def of(cls, actor: Actor) -> MeRead:
        return cls(
            user_id=actor.user_id,
            label=actor.label,
            grants=[GrantRead(role=g.role, unit_id=g.unit_id) for g in actor.grants],
        )
