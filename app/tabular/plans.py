"""The plan of an export: the Table to write and how to count its rows, as a kind's planner
returns it to the jobs that run it. A planner takes the requester's Actor (rebuilt from their
grants when the job runs, so a right withdrawn since the request is withdrawn from the job too)
and the job's parameters, and checks them as the direct download would."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.orgs.permissions import Actor
from app.tabular.table import Table


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
