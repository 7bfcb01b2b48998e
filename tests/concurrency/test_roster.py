"""Two imports of the same roster at the same moment: each officer exists once with one open
placement, in the unit the file names; one import does the work and the other finds nothing
left to do, or, for one staged upload confirmed twice, is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from app.accounts.grants import actor_for
from app.accounts.models import Placement, User
from app.accounts.roster_import import RosterPlan, import_roster
from app.accounts.roster_uploads import apply_upload, stage_upload
from app.audit.models import AuditEvent
from app.errors import Conflict
from app.orgs.models import OrgUnit
from app.orgs.permissions import SYSTEM, Actor
from tests.concurrency.conftest import Db, race
from tests.world import World

NEW = 20
HEADER = "Mã cán bộ,Họ và tên,Đơn vị,Email,Loại cán bộ\n"


def _roster(hva_unit: str, hvb_unit: str | None = None) -> bytes:
    """Twenty new officers of SA-P1, and HVA (and HVB) in the units given."""
    rows = [f"MOI{n:02d},Nguyễn Văn Mới {n},SA-P1,moi{n}@example.gov.vn,Công chức\n" for n in range(NEW)]
    rows.append(f"HVA,Nguyễn Văn Đức,{hva_unit},duc@example.gov.vn,Công chức\n")
    if hvb_unit is not None:
        rows.append(f"HVB,Hoàng Thị An,{hvb_unit},hvb@example.gov.vn,Công chức\n")
    return (HEADER + "".join(rows)).encode()


def _importing(db: Db, actor: Actor, data: bytes, on: date) -> Callable[[], RosterPlan]:
    def run() -> RosterPlan:
        with db.work() as session:
            return import_roster(session, actor, filename="ds.csv", data=data, on=on)

    return run


def _placements(db: Db) -> tuple[dict[str, tuple[int, str]], int]:
    """Each officer's (number of placements, unit code of the one open placement), checking
    that exactly one is open and it is the unit on the record; and how many officers there are."""
    with db.work() as session:
        rows = session.execute(
            select(User.officer_code, User.unit_id, Placement.unit_id, Placement.end_on).join(
                Placement, Placement.user_id == User.id
            )
        ).all()
        unit_codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        officers = session.scalar(select(func.count()).select_from(User)) or 0
    codes = {code: unit for code, unit, _, _ in rows}
    result: dict[str, tuple[int, str]] = {}
    for code, user_unit in codes.items():
        mine = [(unit, end) for c, _, unit, end in rows if c == code]
        open_units = [unit for unit, end in mine if end is None]
        assert open_units == [user_unit], code
        result[code] = (len(mine), unit_codes[user_unit])
    return result, officers


def test_the_same_roster_imported_twice_at_once_is_applied_once(db: Db, world: World) -> None:
    before = _placements(db)[1]
    moves = (("SB", "SA"), ("SA-P1", "SB"), ("SB", "SA"))
    for round_, (hva_unit, hvb_unit) in enumerate(moves):
        on = date(2026, 11, 10 + round_)
        data = _roster(hva_unit, hvb_unit)
        plans = race(_importing(db, SYSTEM, data, on), _importing(db, SYSTEM, data, on))
        done = sorted((len(p.new), len(p.moves), p.unchanged) for p in plans if isinstance(p, RosterPlan))
        worked = (NEW if round_ == 0 else 0, 2, NEW if round_ else 0)
        assert done == sorted([(0, 0, NEW + 2), worked])
        placements, officers = _placements(db)
        assert officers == before + NEW
        assert placements["HVA"] == (2 + round_, hva_unit)
        assert placements["HVB"] == (2 + round_, hvb_unit)
        assert {placements[f"MOI{n:02d}"] for n in range(NEW)} == {(1, "SA-P1")}
    with db.work() as session:
        audited = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "roster.import")
        ).all()
    assert sorted((d["new"], d["moved"]) for d in audited) == [
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 2),
        (0, 2),
        (NEW, 2),
    ]


def test_one_staged_roster_confirmed_twice_at_once_is_imported_once(db: Db, world: World) -> None:
    with db.work() as session:
        hr = actor_for(session, session.get_one(User, world.hr_a.id), ip=None)
        upload = stage_upload(session, hr, filename="ds.csv", data=_roster("SA"), deactivate_missing=False)

    def confirm() -> RosterPlan:
        with db.work() as session:
            return apply_upload(session, hr, upload_id=upload.id, on=date(2026, 11, 10))

    outcomes = race(confirm, confirm)
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert [str(r) for r in refused] == ["This file has already been imported."]
    (plan,) = [o for o in outcomes if isinstance(o, RosterPlan)]
    assert (len(plan.new), len(plan.moves)) == (NEW, 1)
    placements, _ = _placements(db)
    assert placements["HVA"] == (2, "SA")
    assert {placements[f"MOI{n:02d}"] for n in range(NEW)} == {(1, "SA-P1")}
