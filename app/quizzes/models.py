"""Quiz attempts, the answers saved in them, and a class's overrides of a quiz's settings.

An attempt keeps a snapshot of the questions it drew (text, choices, correct answers and
explanations), so a new version of the course never changes a quiz someone is taking or has
taken; answers and item analysis stay keyed by the questions' stable ids."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, one_of, utcnow


class AttemptStatus(StrEnum):
    OPEN = "open"
    GRADED = "graded"


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "cycle_id", "number"),
        # At most one open attempt per officer and quiz: two tabs or two devices pressing
        # "start" at once get the same attempt, enforced by the database itself.
        Index(
            "uq_quiz_attempts_one_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_quiz_attempts_status_deadline_at", "status", "deadline_at"),
        Index("ix_quiz_attempts_quiz_id_status", "quiz_id", "status"),
        one_of("status", AttemptStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Indexed: a class roster reads its officers' best scores by round.
    cycle_id: Mapped[int] = mapped_column(ForeignKey("progress_cycles.id"), index=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=AttemptStatus.OPEN)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who ended it: the officer, or the deadline (on the next access or by the sweep).
    finished_by: Mapped[str | None] = mapped_column(String(10))
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float | None] = mapped_column(Float)
    score_percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The settings in force at the start (pass mark, time limit, review policy …).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The questions drawn, in the order shown, each a snapshot with its choices' order.
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AttemptAnswer(Base):
    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    answer: Mapped[Any] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The share of the question's credit, set once at grading.
    credit: Mapped[float | None] = mapped_column(Float)


class QuizOverride(Base):
    """A class's own settings for one quiz of its course; empty fields keep the course's."""

    __tablename__ = "quiz_overrides"
    __table_args__ = (UniqueConstraint("classroom_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    grading: Mapped[str | None] = mapped_column(String(10))
    draw_count: Mapped[int | None] = mapped_column(Integer)
    shuffle_questions: Mapped[bool | None] = mapped_column(Boolean)
    shuffle_choices: Mapped[bool | None] = mapped_column(Boolean)
    review: Mapped[str | None] = mapped_column(String(20))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
