"""Roster import: plan (match units, compare with the records, list every problem) and apply in
a few set-based statements. All or nothing: a plan with any problem writes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, insert, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.auth import end_sessions_of
from app.accounts.authority import outranked
from app.accounts.models import NAME_FOLDED, Placement, RosterUpload, User
from app.accounts.roster import ParsedRoster, RosterRow, RowError, read_roster
from app.audit.recorder import record
from app.db import serialise, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.models import OrgUnit, UnitStatus
from app.orgs.permissions import Actor, Permission
from app.orgs.scope import within
from app.text import file_name, fold, name_sort_value

CHUNK = 900
# Imports run one at a time and plan after the previous one's commit: a plan made from records
# another import is changing would move officers twice or give them a second open placement.
ROSTER_TOPIC = "accounts.roster_import"
FIELDS = ("full_name", "birth_date", "email", "phone", "category", "rank", "position", "job_position")


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

    @property
    def ok(self) -> bool:
        return not self.errors


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def plan_roster(
    session: Session, actor: Actor, parsed: ParsedRoster, *, filename: str, deactivate_missing: bool = False
) -> RosterPlan:
    actor.require_any(Permission.ROSTER_IMPORT)
    plan = RosterPlan(
        filename=filename,
        rows=len(parsed.rows) + len({e.row for e in parsed.errors if e.row > 1}),
        errors=list(parsed.errors),
    )
    units = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name_folded, OrgUnit.path).where(
            OrgUnit.status == UnitStatus.ACTIVE
        )
    ).all()
    by_code = {u.code: u for u in units}
    by_name: dict[str, list[Any]] = {}
    for each in units:
        by_name.setdefault(each.name_folded, []).append(each)
    paths = {u.id: u.path for u in session.execute(select(OrgUnit.id, OrgUnit.path)).all()}
    existing = _existing(session, [r.officer_code for r in parsed.rows])
    email_owner = _email_owners(session, [r.email for r in parsed.rows if r.email])
    above = outranked(session, actor, [c["id"] for c in existing.values()])
    unit_column = parsed.columns.get("unit", "unit")
    for row in parsed.rows:
        unit: Any = by_code.get(row.unit)
        if unit is None:
            candidates = by_name.get(fold(row.unit), [])
            if len(candidates) > 1:
                plan.errors.append(
                    RowError(row.row, unit_column, f"several units are named '{row.unit}'; use the code")
                )
                continue
            unit = candidates[0] if candidates else None
        if unit is None:
            plan.errors.append(RowError(row.row, unit_column, f"no open unit with code or name '{row.unit}'"))
            continue
        if not actor.can(Permission.ROSTER_IMPORT, unit.path):
            plan.errors.append(
                RowError(row.row, unit_column, f"'{row.unit}' is outside the units you manage")
            )
            continue
        current = existing.get(row.officer_code)
        owner = email_owner.get(row.email) if row.email else None
        if owner is not None and owner[0] != row.officer_code:
            # The address cannot be given twice, but another unit's officer code stays unsaid.
            named = (
                owner[0]
                if actor.can(Permission.ROSTER_IMPORT, paths[owner[1]])
                else "an officer outside your units"
            )
            plan.errors.append(
                RowError(row.row, parsed.columns.get("email"), f"e-mail already belongs to {named}")
            )
            continue
        if current is None:
            plan.new.append(_new_user(row, unit.id))
            continue
        if not actor.can(Permission.ROSTER_IMPORT, paths[current["unit_id"]]):
            plan.errors.append(
                RowError(
                    row.row,
                    parsed.columns.get("officer_code"),
                    f"{row.officer_code} belongs to a unit outside the ones you manage",
                )
            )
            continue
        changes = {name: getattr(row, name) for name in FIELDS if getattr(row, name) != current[name]}
        if current["id"] in above and (
            "email" in changes or unit.id != current["unit_id"] or not current["active"]
        ):
            plan.errors.append(
                RowError(
                    row.row,
                    parsed.columns.get("officer_code"),
                    f"{row.officer_code} holds a role at your level or above: its e-mail, unit and "
                    "status are changed only by someone above it",
                )
            )
            continue
        if unit.id != current["unit_id"]:
            plan.moves.append((current["id"], unit.id))
        if not current["active"]:
            plan.reactivate.append(current["id"])
        if changes:
            if "full_name" in changes:
                changes["name_folded"] = fold(row.full_name)[:NAME_FOLDED]
                changes["name_sort"] = name_sort_value(row.full_name)
            plan.updates.append({"id": current["id"], **changes})
        elif unit.id == current["unit_id"] and current["active"]:
            plan.unchanged += 1
    if deactivate_missing:
        missing = _missing(session, actor, {r.officer_code for r in parsed.rows})
        kept = outranked(session, actor, [user_id for user_id, _, _ in missing])
        plan.deactivate = [m for m in missing if m[0] not in kept]
        plan.kept = [m for m in missing if m[0] in kept]
    return plan


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
        details={
            "rows": plan.rows,
            "new": len(plan.new),
            "updated": len(plan.updates),
            "moved": len(plan.moves),
            "unchanged": plan.unchanged,
            "reactivated": len(plan.reactivate),
            "deactivated": len(plan.deactivate),
        },
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


UPLOAD_TTL = timedelta(hours=2)


def require_importer(actor: Actor) -> None:
    actor.require_any(Permission.ROSTER_IMPORT)


ROSTER_SUFFIXES = (".csv", ".txt", ".xlsx")


def stage_upload(
    session: Session, actor: Actor, *, filename: str, data: bytes, deactivate_missing: bool
) -> tuple[RosterUpload, RosterPlan]:
    """Keep the file and return what importing it would do; nothing else is written."""
    actor.require_any(Permission.ROSTER_IMPORT)
    safe_name = file_name(filename, "roster")
    if not safe_name.lower().endswith(ROSTER_SUFFIXES):
        raise InvalidInput("Use a .csv or .xlsx file.")
    if not data:
        raise InvalidInput("The file is empty.")
    upload = RosterUpload(
        user_id=actor.user_id, filename=safe_name, data=data, deactivate_missing=deactivate_missing
    )
    session.add(upload)
    session.flush()
    plan = plan_roster(
        session,
        actor,
        read_roster(safe_name, data),
        filename=safe_name,
        deactivate_missing=deactivate_missing,
    )
    return upload, plan


def apply_upload(session: Session, actor: Actor, *, upload_id: int, on: date) -> RosterPlan:
    """Import a previewed file, planned afresh so changes since the preview are respected."""
    actor.require_any(Permission.ROSTER_IMPORT)
    serialise(session, ROSTER_TOPIC)
    upload = session.get(RosterUpload, upload_id)
    if upload is None or upload.user_id != actor.user_id:
        raise NotFound("No such upload.")
    if upload.applied_at is not None:
        raise Conflict("This file has already been imported.")
    if utcnow() - upload.created_at > UPLOAD_TTL:
        raise Conflict("The preview is too old; upload the file again.")
    plan = plan_roster(
        session,
        actor,
        read_roster(upload.filename, upload.data),
        filename=upload.filename,
        deactivate_missing=upload.deactivate_missing,
    )
    apply_roster(session, actor, plan, on=on)
    upload.applied_at = utcnow()
    upload.data = b""
    return plan
