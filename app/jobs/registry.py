"""The kinds of background job, each registered with the function that plans it. The jobs
package sits above the domains whose tables it writes, so it imports their planners directly;
a new kind of export is one line here."""

from __future__ import annotations

from app.errors import InvalidInput
from app.reports import catalog, enrolments
from app.tabular.plans import Planner

KINDS: dict[str, Planner] = {
    "reports.enrolments": enrolments.plan_export,
    "reports.report": catalog.plan_export,
}


def planner(kind: str) -> Planner:
    found = KINDS.get(kind)
    if found is None:
        raise InvalidInput("Unknown kind of export.")
    return found
