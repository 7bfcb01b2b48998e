"""An officer's transcript: every completed round of a course with its date, hours, result and
certificate, and the hours totalled per calendar year (in Asia/Ho_Chi_Minh) and overall.

The officer reads their own; staff read it for officers in their subtrees with officers.read
(accounts.service.get_officer decides, so the transcript is scoped exactly like the record)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import get_officer
from app.certificates.issuing import course_score
from app.certificates.models import Certificate
from app.config import get_settings
from app.courses.models import Course
from app.errors import PermissionDenied
from app.orgs.permissions import Actor
from app.rounds.models import ProgressCycle


@dataclass(frozen=True)
class TranscriptRow:
    course_title_vi: str
    course_title_en: str
    completed_at: datetime
    year: int
    training_minutes: int
    score: float | None
    certificate_id: int | None
    serial: str | None
    status: str | None
    copies: int

    def course_title(self, lang: str) -> str:
        return self.course_title_en if lang == "en" else self.course_title_vi


@dataclass(frozen=True)
class YearTotal:
    year: int
    courses: int
    minutes: int


@dataclass(frozen=True)
class Transcript:
    user_id: int
    full_name: str
    officer_code: str
    unit_name: str
    rows: Sequence[TranscriptRow]
    years: Sequence[YearTotal]

    @property
    def total_minutes(self) -> int:
        return sum(y.minutes for y in self.years)


def transcript(session: Session, actor: Actor, *, user_id: int) -> Transcript:
    """Completed courses oldest first. Titles, hours and results come from the certificate's
    snapshot when there is one, so the transcript says what the certificate says."""
    officer = get_officer(session, actor, user_id)
    tz = ZoneInfo(get_settings().timezone)
    rows: list[TranscriptRow] = []
    found = session.execute(
        select(ProgressCycle, Course, Certificate)
        .join(Course, Course.id == ProgressCycle.course_id)
        .outerjoin(Certificate, Certificate.cycle_id == ProgressCycle.id)
        .where(ProgressCycle.user_id == user_id, ProgressCycle.completed_at.is_not(None))
        .order_by(ProgressCycle.completed_at, ProgressCycle.id)
    ).all()
    for cycle, course, certificate in found:
        completed_at = cycle.completed_at
        assert completed_at is not None
        if certificate is not None:
            titles = (certificate.course_title_vi, certificate.course_title_en)
            minutes, score = certificate.training_minutes, certificate.score
        else:
            titles = (course.title_vi, course.title_en)
            minutes, score = course.training_minutes, course_score(session, course.id, cycle)
        rows.append(
            TranscriptRow(
                course_title_vi=titles[0],
                course_title_en=titles[1],
                completed_at=completed_at,
                year=completed_at.astimezone(tz).year,
                training_minutes=minutes,
                score=score,
                certificate_id=certificate.id if certificate else None,
                serial=certificate.serial if certificate else None,
                status=certificate.status if certificate else None,
                copies=certificate.copies if certificate else 0,
            )
        )
    totals: dict[int, tuple[int, int]] = {}
    for row in rows:
        courses, minutes = totals.get(row.year, (0, 0))
        totals[row.year] = (courses + 1, minutes + row.training_minutes)
    return Transcript(
        user_id=officer.user.id,
        full_name=officer.user.full_name,
        officer_code=officer.user.officer_code,
        unit_name=officer.unit.name,
        rows=rows,
        years=[YearTotal(year, c, m) for year, (c, m) in sorted(totals.items())],
    )


def my_transcript(session: Session, actor: Actor) -> Transcript:
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    return transcript(session, actor, user_id=actor.user_id)
