"""Classes, enrolments and the assignment batches that let a coordinator undo a bulk assignment."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, one_of, utcnow


class ClassStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    # Withdrawn by a coordinator (or an undone assignment): the row and its reason are kept.
    WITHDRAWN = "withdrawn"


class Classroom(Base):
    __tablename__ = "classrooms"
    # A code names a class within its owner unit; other units may use the same code.
    __table_args__ = (UniqueConstraint("owner_unit_id", "code"), one_of("status", ClassStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    self_enrol: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=ClassStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AssignmentBatch(Base):
    """One assigning action (a person, a unit, a list): the unit of undo."""

    __tablename__ = "assignment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # people | unit | list
    actor_id: Mapped[int | None] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Enrolment(Base):
    """An officer in a class. Withdrawal keeps the row (with its reason); history is never lost."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("classroom_id", "user_id"),
        Index("ix_enrolments_user_id_status", "user_id", "status"),
        one_of("status", EnrolmentStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=EnrolmentStatus.ACTIVE)
    source: Mapped[str] = mapped_column(String(10))  # people | unit | list | self
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_batches.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(Integer)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))
