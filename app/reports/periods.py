"""Completions per month: the enrolments of the report's officers completed in each local calendar
month of a range of completion dates, months without any shown as zero."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import N_
from app.orgs.permissions import Actor
from app.reports.facts import enrolment_facts
from app.reports.scope import Period, Scope, local_month, resolve, timezone
from app.tabular.table import Column, Table


@dataclass(frozen=True)
class MonthLine:
    # The first day of the month.
    month: date
    completed: int


@dataclass(frozen=True)
class MonthReport:
    scope: Scope
    period: Period
    lines: list[MonthLine]

    @property
    def total(self) -> int:
        return sum(line.completed for line in self.lines)


def month_period(start: date | None, end: date | None, *, today: date) -> Period:
    """The range on completion dates; by default the twelve months up to today."""
    end = end or today
    if start is None:
        months = end.year * 12 + end.month - 1 - 11
        start = date(months // 12, months % 12 + 1, 1)
    return Period(start, end, "completed")


def _months(period: Period) -> list[date]:
    assert period.start is not None and period.end is not None
    first = period.start.year * 12 + period.start.month - 1
    last = period.end.year * 12 + period.end.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1)]


def _month_lines(session: Session, scope: Scope, period: Period, today: date) -> list[MonthLine]:
    tz = timezone()
    facts = enrolment_facts(scope, period, today=today, tz=tz)
    # Grouped outside the subquery: PostgreSQL would not match the GROUP BY expression to the
    # selected one, each having its own bound time-zone parameter.
    months = select(local_month(facts.c.completed_at, tz).label("month")).subquery()
    stmt = select(months.c.month, func.count().label("completed")).group_by(months.c.month)
    found = {str(r.month): int(r.completed) for r in session.execute(stmt)}
    return [MonthLine(m, found.get(f"{m.year:04d}-{m.month:02d}", 0)) for m in _months(period)]


def completions_by_month(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date,
) -> MonthReport:
    scope = resolve(session, actor, unit_id)
    period = month_period(start, end, today=today)
    return MonthReport(scope, period, _month_lines(session, scope, period, today))


def completions_by_month_table(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date,
) -> Table:
    scope = resolve(session, actor, unit_id)
    period = month_period(start, end, today=today)

    def rows(s: Session) -> Iterator[Sequence[object]]:
        for line in _month_lines(s, scope, period, today):
            yield (f"{line.month.month:02d}/{line.month.year:04d}", line.completed)

    return Table(
        "hoan-thanh-theo-thang",
        N_("Completions per month"),
        (Column("month", N_("Month"), "text", 10), Column("completed", N_("Completed"), "int", 10)),
        rows,
    )
