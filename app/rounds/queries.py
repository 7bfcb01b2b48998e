"""The round that reports and dashboards take a completion from. A retake opens a new round beside
a completed one; the completion stays earned (reports count it, the dashboard shows it) while
the new round is worked through."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists
from sqlalchemy.orm import aliased

from app.rounds.models import ProgressCycle

# Made once: building an alias costs more than the rest of a query's construction, and a query
# may reuse one as long as it joins it once.
_EARNED = aliased(ProgressCycle, name="earned")
_LATER = aliased(ProgressCycle, name="later_earned")


def earned_round(user_id: Any, course_id: Any) -> tuple[Any, ColumnElement[bool]]:
    """An alias of the officer's latest completed round of the course and the condition to
    outer-join it on (by the unique index on user, course and round number)."""
    earned, later = _EARNED, _LATER
    condition = and_(
        earned.user_id == user_id,
        earned.course_id == course_id,
        earned.completed_at.is_not(None),
        ~exists().where(
            later.user_id == earned.user_id,
            later.course_id == earned.course_id,
            later.completed_at.is_not(None),
            later.number > earned.number,
        ),
    )
    return earned, condition
