"""Roster import: plan (match units, compare with the records, list every problem of every row)
and apply in a few set-based statements. All or nothing: a plan with any problem writes nothing.
The plan also names who is new, changed, moved and deactivated, for the preview."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import exists, insert, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.auth import end_sessions_of
from app.accounts.authority import outranked
from app.accounts.models import NAME_FOLDED, Placement, User
from app.accounts.roster import ParsedRoster, RosterRow, read_roster
from app.accounts.roster_errors import RowError, in_order
from app.audit.recorder import record
from app.db import serialise, utcnow
from app.errors import InvalidInput
from app.i18n import N_
from app.orgs.models import OrgUnit, UnitStatus
from app.orgs.permissions import Actor, Permission
from app.orgs.scope import within
from app.text import file_name, fold, name_sort_value

CHUNK = 900
# Imports run one at a time and plan after the previous one's commit: a plan made from records
# another import is changing would move officers twice or give them a second open placement.
ROSTER_TOPIC = "accounts.roster_import"
FIELDS = ("full_name", "birth_date", "email", "phone", "category", "rank", "position", "job_position")
# The preview names this many people of each kind and counts the rest.
SHOWN = 200


@dataclass(frozen=True)
class Change:
    """An officer whose record the file changes: each field with its value before and after."""

    officer_code: str
    full_name: str
    fields: list[tuple[str, object, object]]


@dataclass(frozen=True)
class Move:
    officer_code: str
    full_name: str
    from_unit: str
    to_unit: str


@dataclass
class RosterPlan:
    filename: str
    rows: int = 0
    new: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    moves: list[tuple[int, int]] = field(default_factory=list)
    unchanged: int = 0
    reactivate: list[int] = field(default_factory=list)
    deactivate: list[tuple[int, str, str]] = field(default_factory=list)
    # Missing from the file but left active: they hold a role the importer does not stand above.
    kept: list[tuple[int, str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The first SHOWN of the updated and of the moved, named for the preview.
    changed: list[Change] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, int]:
        """How many rows the plan reads and what it does to them (the audit's details, and the
        page shown after the import)."""
        return {
            "rows": self.rows,
            "new": len(self.new),
            "updated": len(self.updates),
            "moved": len(self.moves),
            "unchanged": self.unchanged,
            "reactivated": len(self.reactivate),
            "deactivated": len(self.deactivate),
        }


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class _Records:
    """What the plan compares the file with: the units, and the officers and e-mail addresses
    the file names, read in a few queries."""

    def __init__(self, session: Session, actor: Actor, parsed: ParsedRoster) -> None:
        rows = [*parsed.rows, *parsed.flawed]
        units = session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name_folded, OrgUnit.path).where(
                OrgUnit.status == UnitStatus.ACTIVE
            )
        ).all()
        self.by_code = {u.code: u for u in units}
        self.by_name: dict[str, list[Any]] = {}
        for each in units:
            self.by_name.setdefault(each.name_folded, []).append(each)
        self.units = {u.id: u for u in session.execute(select(OrgUnit.id, OrgUnit.path, OrgUnit.name)).all()}
        self.existing = _existing(session, [r.officer_code for r in rows if r.officer_code])
        self.email_owner = _email_owners(session, [r.email for r in rows if r.email])
        self.above = outranked(session, actor, [c["id"] for c in self.existing.values()])


def plan_roster(
    session: Session, actor: Actor, parsed: ParsedRoster, *, filename: str, deactivate_missing: bool = False
) -> RosterPlan:
    actor.require_any(Permission.ROSTER_IMPORT)
    plan = RosterPlan(filename=filename, rows=parsed.count, errors=list(parsed.errors))
    records = _Records(session, actor, parsed)
    for row in sorted([*parsed.rows, *parsed.flawed], key=lambda r: r.row):
        _plan_row(plan, actor, parsed, records, row)
    plan.errors = in_order(plan.errors)
    if deactivate_missing:
        missing = _missing(session, actor, {r.officer_code for r in [*parsed.rows, *parsed.flawed]})
        kept = outranked(session, actor, [user_id for user_id, _, _ in missing])
        plan.deactivate = [m for m in missing if m[0] not in kept]
        plan.kept = [m for m in missing if m[0] in kept]
    return plan


def _unit_of(
    actor: Actor, parsed: ParsedRoster, records: _Records, row: RosterRow
) -> tuple[Any, RowError | None]:
    """The open unit a row names by code or name, or the problem with it."""
    unit: Any = records.by_code.get(row.unit)
    if unit is None:
        candidates = records.by_name.get(fold(row.unit), [])
        if len(candidates) > 1:
            return None, parsed.problem(
                row.row, "unit", N_("several units are named '{unit}'; use the code"), unit=row.unit
            )
        unit = candidates[0] if candidates else None
    if unit is None:
        return None, parsed.problem(
            row.row, "unit", N_("no open unit with code or name '{unit}'"), unit=row.unit
        )
    if not actor.can(Permission.ROSTER_IMPORT, unit.path):
        return None, parsed.problem(
            row.row, "unit", N_("'{unit}' is outside the units you manage"), unit=row.unit
        )
    return unit, None


def _plan_row(
    plan: RosterPlan, actor: Actor, parsed: ParsedRoster, records: _Records, row: RosterRow
) -> None:
    """Every problem of the row; a row without any goes into the plan."""
    problems: list[RowError] = []
    unit = None
    if row.unit and "unit" not in row.bad:
        unit, problem = _unit_of(actor, parsed, records, row)
        problems += [problem] if problem else []
    owner = records.email_owner.get(row.email) if row.email and "email" not in row.bad else None
    if owner is not None and owner[0] != row.officer_code:
        # The address cannot be given twice, but another unit's officer code stays unsaid.
        if actor.can(Permission.ROSTER_IMPORT, records.units[owner[1]].path):
            problems.append(
                parsed.problem(row.row, "email", N_("e-mail already belongs to {code}"), code=owner[0])
            )
        else:
            problems.append(
                parsed.problem(
                    row.row, "email", N_("e-mail already belongs to an officer outside your units")
                )
            )
    current = records.existing.get(row.officer_code) if "officer_code" not in row.bad else None
    changes: dict[str, Any] = {}
    if current is not None:
        changes = {
            name: getattr(row, name)
            for name in FIELDS
            # A field without a column in the file is left as it is, not emptied.
            if name in parsed.positions and name not in row.bad and getattr(row, name) != current[name]
        }
        if not actor.can(Permission.ROSTER_IMPORT, records.units[current["unit_id"]].path):
            problems.append(
                parsed.problem(
                    row.row,
                    "officer_code",
                    N_("{code} belongs to a unit outside the ones you manage"),
                    code=row.officer_code,
                )
            )
        elif current["id"] in records.above and (
            "email" in changes
            or (unit is not None and unit.id != current["unit_id"])
            or not current["active"]
        ):
            problems.append(
                parsed.problem(
                    row.row,
                    "officer_code",
                    N_(
                        "{code} holds a role at your level or above: its e-mail, unit and status are "
                        "changed only by someone above it"
                    ),
                    code=row.officer_code,
                )
            )
    plan.errors += problems
    if problems or row.bad or unit is None:
        return
    if current is None:
        plan.new.append(_new_user(row, unit.id))
        return
    if unit.id != current["unit_id"]:
        plan.moves.append((current["id"], unit.id))
        if len(plan.moved) < SHOWN:
            before = records.units[current["unit_id"]].name
            plan.moved.append(Move(row.officer_code, row.full_name, before, records.units[unit.id].name))
    if not current["active"]:
        plan.reactivate.append(current["id"])
    if changes:
        if len(plan.changed) < SHOWN:
            shown = [(name, current[name], value) for name, value in changes.items()]
            plan.changed.append(Change(row.officer_code, current["full_name"], shown))
        if "full_name" in changes:
            changes["name_folded"] = fold(row.full_name)[:NAME_FOLDED]
            changes["name_sort"] = name_sort_value(row.full_name)
        plan.updates.append({"id": current["id"], **changes})
    elif unit.id == current["unit_id"] and current["active"]:
        plan.unchanged += 1


def _existing(session: Session, codes: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    columns = [User.id, User.officer_code, User.unit_id, User.active, *(getattr(User, n) for n in FIELDS)]
    for chunk in _chunks(codes):
        for row in session.execute(select(*columns).where(User.officer_code.in_(chunk))):
            found[row.officer_code] = row._asdict()
    return found


def _email_owners(session: Session, emails: list[str]) -> dict[str, tuple[str, int]]:
    """Who already has each address: officer code and unit."""
    owners: dict[str, tuple[str, int]] = {}
    for chunk in _chunks(emails):
        rows = session.execute(
            select(User.email, User.officer_code, User.unit_id).where(User.email.in_(chunk))
        )
        owners.update({email: (code, unit_id) for email, code, unit_id in rows if email is not None})
    return owners


def _missing(session: Session, actor: Actor, codes: set[str]) -> list[tuple[int, str, str]]:
    """Active officers in the actor's import scope who are not in the file."""
    stmt = (
        select(User.id, User.officer_code, User.full_name)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .where(User.active.is_(True), within(actor, Permission.ROSTER_IMPORT, OrgUnit.path))
    )
    return [(i, c, n) for i, c, n in session.execute(stmt) if c not in codes]


def _new_user(row: RosterRow, unit_id: int) -> dict[str, Any]:
    return {
        "officer_code": row.officer_code,
        "full_name": row.full_name,
        "name_folded": fold(row.full_name)[:NAME_FOLDED],
        "name_sort": name_sort_value(row.full_name),
        "unit_id": unit_id,
        "active": True,
        **{name: getattr(row, name) for name in FIELDS if name != "full_name"},
    }


def apply_roster(session: Session, actor: Actor, plan: RosterPlan, *, on: date) -> None:
    if not plan.ok:
        raise InvalidInput("The roster has problems; nothing was imported.")
    now = utcnow()
    for chunk in _chunks(plan.new):
        session.execute(insert(User), [{**r, "created_at": now, "updated_at": now} for r in chunk])
    # Every officer without a placement (the new ones) starts in their unit today.
    session.execute(
        insert(Placement).from_select(
            ["user_id", "unit_id", "start_on"],
            select(User.id, User.unit_id, literal(on)).where(~exists().where(Placement.user_id == User.id)),
        )
    )
    for chunk in _chunks(plan.updates):
        session.execute(update(User), [{**r, "updated_at": now} for r in chunk])
    for chunk in _chunks(plan.moves):
        ids = [user_id for user_id, _ in chunk]
        session.execute(
            update(Placement)
            .where(Placement.user_id.in_(ids), Placement.end_on.is_(None))
            .values(end_on=on)
            .execution_options(synchronize_session=False)
        )
        session.execute(insert(Placement), [{"user_id": u, "unit_id": t, "start_on": on} for u, t in chunk])
        session.execute(update(User), [{"id": u, "unit_id": t, "updated_at": now} for u, t in chunk])
    _set_active(session, plan.reactivate, True)
    _set_active(session, [i for i, _, _ in plan.deactivate], False)
    end_sessions_of(session, [i for i, _, _ in plan.deactivate])
    record(
        session,
        actor,
        "roster.import",
        target_type="roster",
        target_id=plan.filename[:100],
        details=plan.summary(),
    )
    session.flush()


def _set_active(session: Session, ids: Iterable[int], active: bool) -> None:
    id_list = list(ids)
    for chunk in _chunks(id_list):
        session.execute(
            update(User)
            .where(User.id.in_(chunk))
            .values(active=active)
            .execution_options(synchronize_session=False)
        )


def import_roster(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    data: bytes,
    on: date,
    dry_run: bool = False,
    deactivate_missing: bool = False,
) -> RosterPlan:
    """Read, plan and (unless dry_run or there are problems) apply; the plan says what happened."""
    filename = file_name(filename, "roster.csv")
    if not dry_run:
        serialise(session, ROSTER_TOPIC)
    plan = plan_roster(
        session, actor, read_roster(filename, data), filename=filename, deactivate_missing=deactivate_missing
    )
    if plan.ok and not dry_run:
        apply_roster(session, actor, plan, on=on)
    return plan
