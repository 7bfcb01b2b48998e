"""Org units (a tree an admin edits, with its history kept) and role grants on units."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, one_of, utcnow
from app.orgs.permissions import Role

# Folding can lengthen a name (ß → ss), so the folded form is cut to this.
UNIT_NAME_FOLDED = 300


class UnitStatus(StrEnum):
    ACTIVE = "active"
    # No longer receives officers or units; kept so that old records still name it.
    CLOSED = "closed"
    # Closed into another unit (merged_into_id), which received its officers and units.
    MERGED = "merged"


class OrgUnit(Base):
    """A unit of the org tree. Never deleted: closed and merged units still name old records."""

    __tablename__ = "org_units"
    # varchar_pattern_ops lets PostgreSQL use the index for "path LIKE '/1/7/%'" whatever the
    # database collation; SQLite ignores the option.
    __table_args__ = (
        Index("ix_org_units_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
        one_of("status", UnitStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(UNIT_NAME_FOLDED))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # Materialised path of ids, "/1/7/42/": a subtree is every path starting with a unit's path,
    # one indexed LIKE on SQLite and PostgreSQL alike.
    path: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default=UnitStatus.ACTIVE)
    closed_on: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgUnitEvent(Base):
    """What happened to a unit and when it took effect: created, renamed, moved, merged, closed."""

    __tablename__ = "org_unit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoleGrant(Base):
    """A role held on a unit; it covers the unit's whole subtree. Revoked grants are kept."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_user_id_active", "user_id", "revoked_at"), one_of("role", Role))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    granted_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(Integer)


class ApiToken(Base):
    """A credential for another system (an HR system pulling data): a role on a unit, like a
    grant, with no person behind it. Only a hash is stored; the token is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
