"""The one scope rule (app.orgs.scope): every scoped list, search, report and export filters by
it, so an actor without a grant sees nothing, an actor of another unit sees nothing of this one,
and the command line sees everything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import roster_import
from app.accounts import service as officers
from app.accounts.models import User
from app.audit.recorder import record
from app.classrooms import service as classes
from app.courses.service import import_course_dir
from app.errors import PermissionDenied
from app.orgs import service as orgs
from app.orgs.models import OrgUnit
from app.orgs.permissions import SYSTEM, Actor, Permission
from app.orgs.scope import outermost, under, within
from app.reports import audit_log as audit
from app.reports import enrolments
from app.reports.completion import completion_by_unit
from app.reports.scope import Period
from tests.factories import make_class, write_course
from tests.world import World


def codes_within(session: Session, actor: Actor, permission: str | None) -> set[str]:
    rows = session.scalars(
        select(User.officer_code)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .where(within(actor, permission, OrgUnit.path))
    )
    return set(rows)


class TestWithin:
    def test_the_command_line_sees_every_officer(self, session: Session, world: World) -> None:
        every = set(session.scalars(select(User.officer_code)))
        assert codes_within(session, SYSTEM, Permission.REPORTS_READ) == every and every

    def test_an_actor_without_a_grant_sees_none(self, session: Session, world: World) -> None:
        officer = world.actor(session, world.officer_a)
        assert not officer.grants
        assert codes_within(session, officer, None) == set()
        assert codes_within(session, officer, Permission.REPORTS_READ) == set()

    def test_a_grant_covers_its_subtree_and_nothing_beside_it(self, session: Session, world: World) -> None:
        coord_b = world.actor(session, world.coord_b)
        seen = codes_within(session, coord_b, None)
        assert world.officer_b.officer_code in seen and world.officer_a.officer_code not in seen

    def test_a_permission_the_grant_does_not_carry_sees_none(self, session: Session, world: World) -> None:
        # A coordinator reads the officer records of their unit but imports no roster: HR does.
        coord_a = world.actor(session, world.coord_a)
        assert world.officer_a.officer_code in codes_within(session, coord_a, Permission.OFFICERS_READ)
        assert codes_within(session, coord_a, Permission.ROSTER_IMPORT) == set()

    def test_nested_roots_count_once_and_no_roots_match_nothing(self, session: Session, world: World) -> None:
        assert outermost(["/1/2/", "/1/", "/1/2/3/", "/4/"]) == ("/1/", "/4/")
        assert session.scalars(select(OrgUnit.id).where(under([], OrgUnit.path))).all() == []


SCOPED_QUERIES: dict[str, Callable[[Session, Actor], Any]] = {
    "units": lambda s, a: orgs.visible_units(s, a),
    "officers": lambda s, a: officers.search_officers(s, a),
    "classes": lambda s, a: classes.visible_classes(s, a),
    "audit": lambda s, a: audit.list_events(s, a),
    "completion": lambda s, a: (
        completion_by_unit(s, a, period=Period(None, None, "enrolled"), today=date(2026, 12, 3)).lines
    ),
    "export choices": lambda s, a: enrolments.export_choices(s, a).classes,
    "roster missing": lambda s, a: roster_import._missing(s, a, set()),
}


@pytest.fixture
def a_class_and_its_audit(session: Session, world: World, tmp_path: Path) -> None:
    """A class in unit A, whose creation is in the audit log, so every scoped query has rows."""
    import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    make_class(session, world.coord_a, world.dept_a)
    record(session, world.actor(session, world.coord_a), "class.create")
    session.flush()


@pytest.mark.usefixtures("a_class_and_its_audit")
@pytest.mark.parametrize("name", list(SCOPED_QUERIES))
def test_every_scoped_query_gives_an_actor_without_a_grant_nothing(
    session: Session, world: World, name: str
) -> None:
    """Refused, or nothing: never the rows of some unit. (Unit A's people seeing nothing of unit
    B is tests/security/test_lists.py's.)"""
    officer = world.actor(session, world.officer_a)
    assert not officer.grants
    assert list(SCOPED_QUERIES[name](session, SYSTEM)), "the command line sees rows here"
    try:
        found = SCOPED_QUERIES[name](session, officer)
    except PermissionDenied:
        return
    assert list(found) == []
