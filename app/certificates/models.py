"""Certificates of completion and the per-year counter their serial numbers come from.

A certificate keeps a snapshot of what it certifies (the officer's name, the course's titles and
hours, the score, the unit the officer was in), so renaming a person, a course or a unit later
never changes a certificate already issued. Certificates are never deleted: a revoked one stays,
marked, and a lost one is reissued as a certified copy under the same serial."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, one_of, utcnow


class CertificateStatus(StrEnum):
    VALID = "valid"
    # Withdrawn by staff with a reason; the public check says so.
    REVOKED = "revoked"


STATUSES = tuple(CertificateStatus)


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_certificates_user_id_completed_at", "user_id", "completed_at"),
        one_of("status", CertificateStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "HS-2026-000123": the issue year and the number within that year.
    serial: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # Random and unguessable: the public verification page is found by it, never by the id.
    verify_code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    # One certificate per completed round of a course.
    cycle_id: Mapped[int] = mapped_column(ForeignKey("progress_cycles.id"), unique=True)
    # The officer's unit at completion: staff of that unit's subtree manage the certificate.
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    course_title_vi: Mapped[str] = mapped_column(String(300))
    course_title_en: Mapped[str] = mapped_column(String(300))
    training_minutes: Mapped[int] = mapped_column(Integer)
    # The course result in percent, None when the course has no quiz result to average.
    score: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=CertificateStatus.VALID)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    # 0 for the original; each reissue of a lost certificate is a certified copy with the next number.
    copies: Mapped[int] = mapped_column(Integer, default=0)
    last_copy_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def course_title(self, lang: str) -> str:
        return self.course_title_en if lang == "en" else self.course_title_vi


class CertificateSerial(Base):
    """The last number given out in a year. Taken with one UPDATE … RETURNING, whose row lock
    (PostgreSQL) or write lock (SQLite) makes two issuers queue instead of sharing a number."""

    __tablename__ = "certificate_serials"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
