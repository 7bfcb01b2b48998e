"""Query parameters that pages and API routes read alike: a class roster's filter and a report's
period (dates typed as dd/mm/yyyy or sent as yyyy-mm-dd)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BeforeValidator

from app.i18n import parse_day
from app.progress.dashboard import SORTS, STATUSES, RosterFilter
from app.reports.scope import Period


def blank_as(default: object) -> BeforeValidator:
    """A blank value is the parameter's default: a link or GET form that sends `desc=` or
    `page=` means "as usual", not an invalid yes/no or number."""
    return BeforeValidator(lambda value: default if value == "" else value)


async def roster_filter(
    status: Annotated[str, Query(max_length=20, description="One of " + ", ".join(STATUSES))] = "",
    q: Annotated[str, Query(max_length=100, description="Name or officer code, accents optional")] = "",
    sort: Annotated[str, Query(max_length=20, description="One of " + ", ".join(SORTS))] = "name",
    desc: Annotated[bool, blank_as(False)] = False,
) -> RosterFilter:
    """A class roster's filter from the query string; unknown values fall back to the defaults."""
    return RosterFilter(
        status=status if status in STATUSES else "",
        query=q.strip(),
        sort=sort if sort in SORTS else "name",
        descending=desc,
    )


RosterFilterDep = Annotated[RosterFilter, Depends(roster_filter)]


async def report_period(
    start: Annotated[str, Query(alias="from", max_length=10, description="First day, yyyy-mm-dd")] = "",
    end: Annotated[str, Query(alias="to", max_length=10, description="Last day, yyyy-mm-dd")] = "",
    basis: Annotated[
        str, Query(max_length=10, description="Which date the range applies to: enrolled or completed")
    ] = "enrolled",
) -> Period:
    return Period(parse_day(start), parse_day(end), "completed" if basis == "completed" else "enrolled")


PeriodDep = Annotated[Period, Depends(report_period)]
# A paged list's page; a blank one is the first.
PageQuery = Annotated[int, Query(ge=1, le=100_000), blank_as(1)]


def blank_is_none(value: object) -> object:
    """A GET form sends every field, so an "all" option or a date left empty arrives as an
    empty string: no filter, not an invalid number or date."""
    return None if value == "" else value


# A page's optional number or date filter, as its form sends it.
BlankInt = Annotated[int | None, BeforeValidator(blank_is_none)]
BlankDay = Annotated[date | None, BeforeValidator(blank_is_none)]


# A CSV download's separator: commas by default, semicolons for Excel set to Vietnamese.
SeparatorParam = Annotated[
    Literal["", "comma", "semicolon"],
    Query(description="comma (the default) or semicolon, for Excel set to Vietnamese"),
]
