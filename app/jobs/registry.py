"""The kinds of background job, each mapped to the function that plans it, by import path.

A kind's planner takes the requester's Actor (rebuilt from their grants when the job runs, so a
right withdrawn since the request is withdrawn from the job too) and the job's parameters, checks
them as the direct download would, and returns the Table to write and how to count its rows.
Import paths keep this package free of the domains it runs: a kind is added here, by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.orgs.permissions import Actor
from app.reports.tables import Table

KINDS: dict[str, str] = {
    "reports.enrolments": "app.reports.enrolments:plan_export",
    "reports.report": "app.reports.catalog:plan_export",
}


@dataclass(frozen=True)
class ExportPlan:
    table: Table
    # Counts the rows to come (the total that progress is shown against), with any session.
    count: Callable[[Session], int] | None = None


class Planner(Protocol):
    def __call__(
        self,
        session: Session,
        actor: Actor,
        params: Mapping[str, Any],
        *,
        language: str,
        today: date,
        timezone: str,
    ) -> ExportPlan: ...


def planner(kind: str) -> Planner:
    path = KINDS.get(kind)
    if path is None:
        raise InvalidInput("Unknown kind of export.")
    module, _, name = path.partition(":")
    found: Planner = getattr(importlib.import_module(module), name)
    return found
