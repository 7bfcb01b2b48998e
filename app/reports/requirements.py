"""The yearly training-hours requirements, one per year and personnel category, set by an admin
and audited. No number is built in: without a row, a category has no requirement that year."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import CATEGORIES
from app.audit.recorder import record
from app.errors import InvalidInput, NotFound
from app.orgs.permissions import Actor, Permission
from app.reports.models import TrainingRequirement

FIRST_YEAR, LAST_YEAR = 2000, 2100
# A year's worth of eight-hour working days is far above any plausible target.
MAX_MINUTES = 366 * 8 * 60


def hours_to_minutes(text: str) -> int:
    """Hours as typed in a form, with a decimal point or comma ("7,5"), to whole minutes."""
    try:
        hours = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput("Write the hours as a number, for example 8 or 7,5.") from None
    if not hours.is_finite():
        raise InvalidInput("Write the hours as a number, for example 8 or 7,5.")
    return int((hours * 60).to_integral_value())


def _check(year: int, category: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput("The year must be between 2000 and 2100.")
    if category not in CATEGORIES:
        raise InvalidInput("Unknown personnel category.")


def list_requirements(
    session: Session, actor: Actor, *, year: int | None = None
) -> Sequence[TrainingRequirement]:
    """Readable by whoever reads reports or manages the requirements."""
    if not actor.has_permission(Permission.REQUIREMENTS_MANAGE):
        actor.require_any(Permission.REPORTS_READ)
    stmt = select(TrainingRequirement).order_by(TrainingRequirement.year.desc(), TrainingRequirement.category)
    if year is not None:
        stmt = stmt.where(TrainingRequirement.year == year)
    return session.scalars(stmt).all()


def managed_requirements(session: Session, actor: Actor) -> Sequence[TrainingRequirement]:
    """Every requirement, for the settings page of those who may change them."""
    actor.require_any(Permission.REQUIREMENTS_MANAGE)
    return list_requirements(session, actor)


def requirement_minutes(session: Session, year: int) -> dict[str, int]:
    return {
        r.category: r.minutes
        for r in session.scalars(select(TrainingRequirement).where(TrainingRequirement.year == year))
    }


def set_requirement(
    session: Session, actor: Actor, *, year: int, category: str, minutes: int
) -> TrainingRequirement:
    """Creates or changes the requirement of a category for a year."""
    actor.require_any(Permission.REQUIREMENTS_MANAGE)
    _check(year, category)
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput("A requirement is at least one minute and at most 2,928 hours.")
    row = session.scalar(
        select(TrainingRequirement).where(
            TrainingRequirement.year == year, TrainingRequirement.category == category
        )
    )
    old = row.minutes if row is not None else None
    if row is None:
        row = TrainingRequirement(year=year, category=category, minutes=minutes, updated_by_id=actor.user_id)
        session.add(row)
    else:
        row.minutes, row.updated_by_id = minutes, actor.user_id
    session.flush()
    record(
        session,
        actor,
        "requirement.set",
        target_type="training_requirement",
        target_id=row.id,
        details={"year": year, "category": category, "minutes": minutes, "old_minutes": old},
    )
    return row


def delete_requirement(session: Session, actor: Actor, *, year: int, category: str) -> None:
    actor.require_any(Permission.REQUIREMENTS_MANAGE)
    row = session.scalar(
        select(TrainingRequirement).where(
            TrainingRequirement.year == year, TrainingRequirement.category == category
        )
    )
    if row is None:
        raise NotFound("There is no requirement for this year and category.")
    record(
        session,
        actor,
        "requirement.delete",
        target_type="training_requirement",
        target_id=row.id,
        details={"year": year, "category": category, "old_minutes": row.minutes},
    )
    session.delete(row)
    session.flush()
