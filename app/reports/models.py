"""The one table reports own: the yearly training-hours requirement of each personnel category,
set by an admin. There is no legal minimum to build in, so the table starts empty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class TrainingRequirement(Base):
    __tablename__ = "training_requirements"
    __table_args__ = (UniqueConstraint("year", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    # A users.category code (app.accounts.models.CATEGORIES).
    category: Mapped[str] = mapped_column(String(20))
    # Whole minutes, like Course.training_minutes, so sums and comparisons stay exact.
    minutes: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
