"""What every report shares: who may read it and over which units (the scope), the date range it
covers, local calendar dates worked out in SQL, and the roll-up of per-unit counts through the
org tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, String, and_, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement, Subquery

from app.config import get_settings
from app.errors import InvalidInput
from app.i18n import local_day_start
from app.orgs.models import OrgUnit, UnitStatus
from app.orgs.permissions import Actor, Permission
from app.orgs.scope import outermost, under
from app.orgs.service import get_unit
from app.text import collation_key

Basis = Literal["enrolled", "completed"]
BASES: tuple[Basis, ...] = ("enrolled", "completed")
# Longest range a report accepts, so a typo (year 20026) cannot ask for centuries of months.
MAX_SPAN_DAYS = 366 * 10


@dataclass(frozen=True)
class Period:
    """A range of local calendar days, both ends included and optional, on the enrolment date or
    on the completion date."""

    start: date | None = None
    end: date | None = None
    basis: Basis = "enrolled"

    def __post_init__(self) -> None:
        if self.start and self.end:
            if self.end < self.start:
                raise InvalidInput("The end of the period is before its start.")
            if (self.end - self.start).days > MAX_SPAN_DAYS:
                raise InvalidInput("A report covers at most ten years.")

    def bounds(self, tz: str) -> tuple[datetime | None, datetime | None]:
        """The period as UTC moments: from the start of its first local day to the start of the
        day after its last."""
        return (
            local_day_start(self.start, tz) if self.start else None,
            local_day_start(self.end + timedelta(days=1), tz) if self.end else None,
        )


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    path: str


@dataclass(frozen=True)
class Scope:
    """Resolved with the request's session and captured by export tables: plain values only."""

    # Subtree roots (unit paths) the report covers; none of them lies inside another.
    roots: tuple[str, ...]
    # The unit the actor chose, or None for all their units.
    unit: UnitRef | None
    # Ancestors of the chosen unit that the actor may read, top first (for breadcrumbs).
    trail: tuple[UnitRef, ...] = ()

    def in_scope(self, path: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[bool]:
        return under(self.roots, path)

    def unit_ids(self) -> Any:
        """The ids of every unit in scope, as a subquery for IN."""
        return select(OrgUnit.id).where(self.in_scope(OrgUnit.path))


def _ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(unit.id, unit.code, unit.name, unit.path)


def resolve(session: Session, actor: Actor, unit_id: int | None = None) -> Scope:
    """The units a report covers: the chosen unit's subtree, or every subtree the actor holds
    reports.read on. A unit outside the actor's units is not found (for someone with no
    grant at all too, as everywhere); inside them but without the right, forbidden."""
    if unit_id is not None:
        unit = get_unit(session, actor, unit_id)
        actor.require(Permission.REPORTS_READ, unit.path)
        ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
        above = session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))).all() if ids else []
        by_path = sorted(
            (u for u in above if actor.can(Permission.REPORTS_READ, u.path)), key=lambda u: len(u.path)
        )
        return Scope((unit.path,), _ref(unit), tuple(_ref(u) for u in by_path))
    actor.require_any(Permission.REPORTS_READ)
    if actor.system:
        roots = session.scalars(select(OrgUnit.path).where(OrgUnit.parent_id.is_(None))).all()
        return Scope(outermost(roots), None)
    return Scope(outermost(actor.paths_with(Permission.REPORTS_READ)), None)


def timezone() -> str:
    return get_settings().timezone


def _sqlite_offset(tz: str) -> str:
    """SQLite has no time-zone database: the zone's current offset, exact for zones without
    daylight saving time such as Asia/Ho_Chi_Minh (UTC+7 since 1975)."""
    offset = datetime.now(ZoneInfo(tz)).utcoffset() or timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


class local_date(FunctionElement[date]):
    """The local calendar date of a UTC timestamp column, in SQL."""

    type = Date()
    inherit_cache = True

    def __init__(self, value: Any, tz: str) -> None:
        super().__init__(value, literal(tz, String), literal(_sqlite_offset(tz), String))


class local_month(FunctionElement[str]):
    """'YYYY-MM' of the local date of a UTC timestamp column, in SQL."""

    type = String()
    inherit_cache = True

    def __init__(self, value: Any, tz: str) -> None:
        super().__init__(value, literal(tz, String), literal(_sqlite_offset(tz), String))


def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(local_date)
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    value, _tz, offset = _args(element, compiler, **kw)
    return f"date({value}, {offset})"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    value, tz, _offset = _args(element, compiler, **kw)
    return f"CAST(timezone(CAST({tz} AS TEXT), {value}) AS DATE)"


@compiles(local_month)
def _local_month_sqlite(element: local_month, compiler: SQLCompiler, **kw: Any) -> str:
    value, _tz, offset = _args(element, compiler, **kw)
    return f"strftime('%Y-%m', {value}, {offset})"


@compiles(local_month, "postgresql")
def _local_month_postgresql(element: local_month, compiler: SQLCompiler, **kw: Any) -> str:
    value, tz, _offset = _args(element, compiler, **kw)
    return f"to_char(timezone(CAST({tz} AS TEXT), {value}), 'YYYY-MM')"


@dataclass(frozen=True)
class RolledUnit:
    """One unit of a roll-up: its own counts and those of every unit below it."""

    unit: UnitRef
    status: str
    has_children: bool
    values: dict[str, int]


def rollup(
    session: Session, per_unit: Subquery, measures: Sequence[str], scope: Scope
) -> tuple[list[RolledUnit], dict[str, int] | None]:
    """Sums per-unit counts (a subquery of unit_id and the measures) over each unit directly
    under the chosen one, or over each of the actor's top units, and apart the counts of the
    chosen unit itself. One query whatever the number of officers: the per-unit counts are
    grouped first, so the prefix join only meets one row per unit that has any."""
    counted = (
        select(OrgUnit.path, *(per_unit.c[m] for m in measures))
        .select_from(per_unit)
        .join(OrgUnit, OrgUnit.id == per_unit.c.unit_id)
        .subquery("counted")
    )
    row = aliased(OrgUnit, name="row_unit")
    child = aliased(OrgUnit, name="child_unit")
    sums = [func.coalesce(func.sum(counted.c[m]), 0).label(m) for m in measures]
    has_children = exists().where(child.parent_id == row.id)
    below = counted.c.path.startswith(row.path)
    if scope.unit is None:
        which: ColumnElement[bool] = row.path.in_(scope.roots)
        matches = below
        shown: ColumnElement[bool] = row.status == UnitStatus.ACTIVE
    else:
        # The chosen unit's own row counts only what is counted in the unit itself.
        chosen = row.id == scope.unit.id
        which = or_(row.parent_id == scope.unit.id, chosen)
        matches = or_(and_(~chosen, below), and_(chosen, counted.c.path == row.path))
        shown = or_(chosen, row.status == UnitStatus.ACTIVE)
    stmt = (
        select(row.id, row.code, row.name, row.path, row.status, has_children.label("has_children"), *sums)
        .select_from(row)
        .outerjoin(counted, matches)
        .where(which)
        .group_by(row.id, row.code, row.name, row.path, row.status)
        # Closed and merged units stay listed while they have something counted in them.
        .having(or_(shown, func.count(counted.c.path) > 0))
    )
    rows: list[RolledUnit] = []
    own = None
    for r in session.execute(stmt):
        values = {m: int(getattr(r, m)) for m in measures}
        if scope.unit is not None and r.id == scope.unit.id:
            own = values
        else:
            rows.append(
                RolledUnit(UnitRef(r.id, r.code, r.name, r.path), r.status, bool(r.has_children), values)
            )
    # A few dozen rows at most: sorted here, in Vietnamese order, the same on every backend.
    rows.sort(key=lambda r: (collation_key(r.unit.name), r.unit.id))
    return rows, own
