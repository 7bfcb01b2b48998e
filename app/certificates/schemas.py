"""JSON shapes of certificates and transcripts, built from the service objects."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.certificates.models import Certificate
from app.certificates.transcript import Transcript


class CertificateRead(BaseModel):
    id: int
    serial: str
    user_id: int
    course_id: int
    full_name: str
    course_title: str
    training_minutes: int
    score: float | None = Field(description="The course result in percent; null without quiz results")
    completed_at: datetime
    issued_at: datetime
    status: str = Field(description="valid or revoked")
    copies: int = Field(description="Certified copies issued after a loss; 0 for the original only")
    last_copy_at: datetime | None
    verify_url: str

    @classmethod
    def of(cls, certificate: Certificate, *, lang: str, verify_url: str) -> CertificateRead:
        return cls(
            id=certificate.id,
            serial=certificate.serial,
            user_id=certificate.user_id,
            course_id=certificate.course_id,
            full_name=certificate.full_name,
            course_title=certificate.course_title(lang),
            training_minutes=certificate.training_minutes,
            score=certificate.score,
            completed_at=certificate.completed_at,
            issued_at=certificate.issued_at,
            status=certificate.status,
            copies=certificate.copies,
            last_copy_at=certificate.last_copy_at,
            verify_url=verify_url,
        )


class RevokeRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class TranscriptRowRead(BaseModel):
    course_title: str
    completed_at: datetime
    training_minutes: int
    score: float | None
    certificate_id: int | None
    serial: str | None
    status: str | None
    copies: int


class YearTotalRead(BaseModel):
    year: int = Field(description="Calendar year in Asia/Ho_Chi_Minh")
    courses: int
    training_minutes: int


class TranscriptRead(BaseModel):
    user_id: int
    full_name: str
    officer_code: str
    unit_name: str
    courses: list[TranscriptRowRead]
    years: list[YearTotalRead]
    total_training_minutes: int

    @classmethod
    def of(cls, found: Transcript, *, lang: str) -> TranscriptRead:
        return cls(
            user_id=found.user_id,
            full_name=found.full_name,
            officer_code=found.officer_code,
            unit_name=found.unit_name,
            courses=[
                TranscriptRowRead(
                    course_title=r.course_title(lang),
                    completed_at=r.completed_at,
                    training_minutes=r.training_minutes,
                    score=r.score,
                    certificate_id=r.certificate_id,
                    serial=r.serial,
                    status=r.status,
                    copies=r.copies,
                )
                for r in found.rows
            ],
            years=[
                YearTotalRead(year=y.year, courses=y.courses, training_minutes=y.minutes) for y in found.years
            ],
            total_training_minutes=found.total_minutes,
        )
