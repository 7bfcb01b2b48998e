"""An officer's rounds of a course. Nothing here is ever deleted: a retake opens a new round and
the earlier ones stay as history. Lesson completions (app.progress) and quiz attempts
(app.quizzes) each belong to one round; the table keeps its first name, progress_cycles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class ProgressCycle(Base):
    __tablename__ = "progress_cycles"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "number"),
        Index("ix_progress_cycles_course_id_completed_at", "course_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
