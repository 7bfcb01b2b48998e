from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import reorg
from app.accounts.models import Placement
from app.accounts.service import unit_on
from app.audit.models import AuditEvent
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.orgs import service as orgs
from app.orgs.models import OrgUnit
from tests.factories import make_unit
from tests.world import World

D = date(2026, 7, 1)


class TestTree:
    def test_paths_follow_the_tree(self, session: Session, world: World) -> None:
        assert world.root.path == f"/{world.root.id}/"
        assert world.room_a.path == f"/{world.root.id}/{world.dept_a.id}/{world.room_a.id}/"

    def test_admin_creates_and_renames_with_history(self, session: Session, world: World) -> None:
        admin = world.actor(session, world.admin)
        unit = orgs.create_unit(
            session, admin, code="SA-P2", name="Phòng  Đào tạo", parent_id=world.dept_a.id, effective_on=D
        )
        orgs.rename_unit(
            session, admin, unit_id=unit.id, name="Phòng Bồi dưỡng", effective_on=date(2026, 9, 1)
        )
        assert unit.name == "Phòng Bồi dưỡng"
        assert orgs.unit_name_on(session, unit.id, date(2026, 8, 1)) == "Phòng Đào tạo"
        assert orgs.unit_name_on(session, unit.id, date(2026, 9, 1)) == "Phòng Bồi dưỡng"
        assert [e.kind for e in orgs.unit_history(session, admin, unit.id)] == ["created", "renamed"]
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["org.created", "org.renamed"]

    def test_move_rewrites_the_whole_subtree(self, session: Session, world: World) -> None:
        admin = world.actor(session, world.admin)
        deep = make_unit(session, "SA-P1-T1", parent=world.room_a)
        orgs.move_unit(session, admin, unit_id=world.dept_a.id, new_parent_id=world.dept_b.id, effective_on=D)
        paths = dict(session.execute(select(OrgUnit.code, OrgUnit.path)).all())
        r, a, b, room = world.root.id, world.dept_a.id, world.dept_b.id, world.room_a.id
        assert paths["SA"] == f"/{r}/{b}/{a}/"
        assert paths["SA-P1"] == f"/{r}/{b}/{a}/{room}/"
        assert paths["SA-P1-T1"] == f"/{r}/{b}/{a}/{room}/{deep.id}/"
        assert paths["SB"] == f"/{r}/{b}/"

    def test_a_unit_cannot_move_inside_itself(self, session: Session, world: World) -> None:
        with pytest.raises(InvalidInput):
            orgs.move_unit(
                session,
                world.actor(session, world.admin),
                unit_id=world.dept_a.id,
                new_parent_id=world.room_a.id,
                effective_on=D,
            )

    def test_merge_moves_units_and_officers_with_dated_placements(
        self, session: Session, world: World
    ) -> None:
        admin = world.actor(session, world.admin)
        reorg.merge_unit(session, admin, unit_id=world.dept_a.id, into_id=world.dept_b.id, effective_on=D)
        merged = session.get(OrgUnit, world.dept_a.id)
        assert merged is not None and (merged.status, merged.merged_into_id) == ("merged", world.dept_b.id)
        room = session.get(OrgUnit, world.room_a.id)
        assert room is not None and room.path.startswith(world.dept_b.path)
        session.refresh(world.hr_a)
        assert world.hr_a.unit_id == world.dept_b.id
        assert unit_on(session, world.hr_a.id, date(2026, 6, 30)) == world.dept_a.id
        assert unit_on(session, world.hr_a.id, D) == world.dept_b.id
        # The officer in the room stays in the room, which moved with its parent.
        assert unit_on(session, world.officer_a.id, D) == world.room_a.id
        spans = session.execute(
            select(Placement.start_on, Placement.end_on)
            .where(Placement.user_id == world.hr_a.id)
            .order_by(Placement.id)
        ).all()
        assert [tuple(s) for s in spans] == [(date(2026, 1, 1), D), (D, None)]

    def test_close_needs_an_empty_unit(self, session: Session, world: World) -> None:
        admin = world.actor(session, world.admin)
        with pytest.raises(Conflict):
            reorg.close_unit(session, admin, unit_id=world.room_a.id, effective_on=D)
        empty = make_unit(session, "SB-P9", parent=world.dept_b)
        closed = reorg.close_unit(session, admin, unit_id=empty.id, effective_on=D)
        assert (closed.status, closed.closed_on) == ("closed", D)
        with pytest.raises(Conflict):
            orgs.create_unit(session, admin, code="X", name="X", parent_id=empty.id, effective_on=D)


class TestScope:
    def test_outside_the_subtree_is_not_found_inside_without_right_is_forbidden(
        self, session: Session, world: World
    ) -> None:
        hr_a = world.actor(session, world.hr_a)
        with pytest.raises(NotFound):
            orgs.rename_unit(session, hr_a, unit_id=world.dept_b.id, name="X", effective_on=D)
        with pytest.raises(PermissionDenied):
            orgs.rename_unit(session, hr_a, unit_id=world.room_a.id, name="X", effective_on=D)

    def test_visible_units_are_the_actor_subtrees(self, session: Session, world: World) -> None:
        codes = [u.code for u in orgs.visible_units(session, world.actor(session, world.coord_a))]
        assert codes == ["SA", "SA-P1"]
        assert orgs.visible_units(session, world.actor(session, world.officer_a)) == []
