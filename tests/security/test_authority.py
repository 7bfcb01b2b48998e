"""No acting on peers or superiors: issuing codes for, changing the login of, deactivating and
moving an account that holds a role are refused unless the actor holds that role (or admin) on
a unit strictly above it, or is an admin of the top unit (app.accounts.authority)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import activation, grants, tokens
from app.accounts import roster_import as roster
from app.accounts import service as officers
from app.accounts.auth import start_session
from app.accounts.models import ActivationCode, User
from app.errors import PermissionDenied
from app.http.auth import SESSION_COOKIE
from app.orgs.models import RoleGrant
from app.orgs.permissions import Actor
from tests.factories import make_officer
from tests.world import PASSWORD, World

REFUSED = "holds a role at your level or above"


def _actor(session: Session, world: World, who: User) -> Actor:
    return world.actor(session, who)


@pytest.fixture
def hr_top(session: Session, world: World) -> User:
    return make_officer(session, world.root, password=PASSWORD, role="hr", officer_code="HRTOP")


def test_hr_of_the_top_unit_cannot_issue_a_code_for_the_admin(
    session: Session, world: World, hr_top: User
) -> None:
    with pytest.raises(PermissionDenied, match=REFUSED):
        activation.issue_codes(session, _actor(session, world, hr_top), user_ids=[world.admin.id])
    assert session.scalar(select(ActivationCode).where(ActivationCode.user_id == world.admin.id)) is None


def test_a_coordinator_cannot_take_over_the_hr_account_or_a_peer_of_their_unit(
    session: Session, world: World
) -> None:
    peer = make_officer(session, world.dept_a, role="coordinator", officer_code="DPA2")
    coordinator = _actor(session, world, world.coord_a)
    for target in (world.hr_a, peer):
        with pytest.raises(PermissionDenied, match=REFUSED):
            activation.issue_codes(session, coordinator, user_ids=[target.id])
    # All or nothing: one protected account in a batch refuses the batch.
    with pytest.raises(PermissionDenied, match=REFUSED):
        activation.issue_codes(session, coordinator, user_ids=[world.officer_a.id, world.hr_a.id])
    assert session.scalar(select(ActivationCode).where(ActivationCode.user_id == world.officer_a.id)) is None
    # Officers without a role are covered by scope, as before.
    assert len(activation.issue_codes(session, coordinator, user_ids=[world.officer_a.id])) == 1


def test_the_same_role_strictly_above_may_act_and_a_top_admin_may_act_on_anyone(
    session: Session, world: World, hr_top: User
) -> None:
    above = _actor(session, world, hr_top)
    assert len(activation.issue_codes(session, above, user_ids=[world.hr_a.id])) == 1
    # HR does not hold the coordinator role, so it does not stand above a coordinator.
    with pytest.raises(PermissionDenied, match=REFUSED):
        activation.issue_codes(session, above, user_ids=[world.coord_a.id])
    second_admin = make_officer(session, world.root, role="admin", officer_code="ADMIN2")
    admin = _actor(session, world, world.admin)
    issued = activation.issue_codes(session, admin, user_ids=[second_admin.id, hr_top.id, world.coord_a.id])
    assert len(issued) == 3


def test_an_admin_below_the_top_does_not_act_on_a_peer_admin(session: Session, world: World) -> None:
    dept_admin = make_officer(session, world.dept_a, role="admin", officer_code="ADA")
    peer_admin = make_officer(session, world.dept_a, role="admin", officer_code="ADA2")
    room_hr = make_officer(session, world.room_a, role="hr", officer_code="HRP1")
    actor = _actor(session, world, dept_admin)
    with pytest.raises(PermissionDenied, match=REFUSED):
        activation.issue_codes(session, actor, user_ids=[peer_admin.id])
    # An admin holds every role's rights in their subtree: HR of their own unit and below.
    assert len(activation.issue_codes(session, actor, user_ids=[room_hr.id, world.hr_a.id])) == 2


def test_login_changes_deactivation_and_moves_follow_the_same_rule(
    session: Session, world: World, hr_top: User
) -> None:
    hr = _actor(session, world, world.hr_a)
    with pytest.raises(PermissionDenied, match=REFUSED):
        officers.update_officer(
            session, hr, user_id=world.coord_a.id, changes={"email": "mine@example.gov.vn"}
        )
    with pytest.raises(PermissionDenied, match=REFUSED):
        officers.update_officer(session, hr, user_id=world.coord_a.id, changes={"active": False})
    with pytest.raises(PermissionDenied, match=REFUSED):
        officers.move_officer(
            session, hr, user_id=world.coord_a.id, unit_id=world.room_a.id, effective_on=date(2026, 7, 1)
        )
    # The rest of an HR record is HR's work, whoever the officer is.
    officers.update_officer(session, hr, user_id=world.coord_a.id, changes={"rank": "Chuyên viên"})
    top = _actor(session, world, hr_top)
    with pytest.raises(PermissionDenied, match=REFUSED):
        officers.update_officer(session, top, user_id=world.admin.id, changes={"email": "x@example.gov.vn"})
    officers.update_officer(session, top, user_id=world.hr_a.id, changes={"email": "hra2@example.gov.vn"})
    officers.move_officer(
        session, top, user_id=world.hr_a.id, unit_id=world.room_a.id, effective_on=date(2026, 7, 1)
    )


def test_a_roster_cannot_change_the_login_or_unit_of_a_peer_and_keeps_them_active(
    session: Session, world: World
) -> None:
    hr = _actor(session, world, world.hr_a)
    data = "Mã cán bộ;Họ và tên;Đơn vị;Email\nDPA;Lê Văn Điều;SA;taken@example.gov.vn\n".encode()
    plan = roster.import_roster(session, hr, filename="ds.csv", data=data, on=date(2026, 7, 1), dry_run=True)
    assert [e.message for e in plan.errors] == [
        "DPA holds a role at your level or above: its e-mail, unit and status are changed only by "
        "someone above it"
    ]
    only_officer = "Mã cán bộ;Họ và tên;Đơn vị\nHVA;Nguyễn Văn Đức;SA-P1\n".encode()
    plan = roster.import_roster(
        session,
        hr,
        filename="ds.csv",
        data=only_officer,
        on=date(2026, 7, 1),
        dry_run=True,
        deactivate_missing=True,
    )
    assert plan.ok
    # The importer's own account and their peers stay active; nobody else is missing here.
    assert {code for _, code, _ in plan.kept} == {"HRA", "DPA"}
    assert plan.deactivate == []


def test_the_takeover_through_the_api_is_refused_for_a_session_and_for_a_token(
    client: TestClient, session: Session, world: World, hr_top: User
) -> None:
    _, secret = tokens.create_token(
        session, _actor(session, world, world.admin), name="HR system", role="hr", unit_id=world.root.id
    )
    session.commit()
    body = {"user_ids": [world.admin.id]}
    by_token = client.post(
        "/api/v1/activation-codes", json=body, headers={"Authorization": f"Bearer {secret}"}
    )
    assert by_token.status_code == 403
    client.cookies.set(SESSION_COOKIE, start_session(session, hr_top, ip=None, user_agent=None))
    session.commit()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf is not None
    by_session = client.post("/api/v1/activation-codes", json=body, headers={"x-csrf-token": csrf.group(1)})
    assert by_session.status_code == 403
    assert session.scalar(select(ActivationCode).where(ActivationCode.user_id == world.admin.id)) is None


def test_a_peer_admins_role_is_not_revoked_by_another_peer(session: Session, world: World) -> None:
    first = make_officer(session, world.dept_a, role="admin", officer_code="ADA")
    make_officer(session, world.dept_a, role="admin", officer_code="ADA2")
    peer_grant = session.scalars(
        select(RoleGrant).join(User, User.id == RoleGrant.user_id).where(User.officer_code == "ADA2")
    ).one()
    hr_grant = session.scalars(select(RoleGrant).where(RoleGrant.user_id == world.hr_a.id)).one()
    actor = _actor(session, world, first)
    with pytest.raises(PermissionDenied, match=REFUSED):
        grants.revoke_grant(session, actor, grant_id=peer_grant.id)
    # HR of the admin's own unit, and the peer by an admin of the top unit: allowed.
    grants.revoke_grant(session, actor, grant_id=hr_grant.id)
    grants.revoke_grant(session, _actor(session, world, world.admin), grant_id=peer_grant.id)


def test_the_record_page_offers_no_login_change_and_a_refusal_goes_back_to_it(
    client: TestClient, session: Session, world: World
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.hr_a, ip=None, user_agent=None))
    session.commit()
    page = client.get(f"/officers/{world.coord_a.id}").text
    assert 'name="email" type="email" maxlength="254" value="dpa@example.gov.vn" readonly' in page
    assert f'action="/officers/{world.coord_a.id}/move"' not in page
    assert "điều phối đào tạo · Sở Nội vụ" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    form = {
        "full_name": "Lê Văn Điều",
        "email": "khac@example.gov.vn",
        "active": "true",
        "csrf_token": csrf.group(1),
    }
    here = f"http://testserver/officers/{world.coord_a.id}"
    refused = client.post(f"/officers/{world.coord_a.id}", data=form, headers={"referer": here})
    assert refused.status_code == 303 and refused.headers["location"] == f"/officers/{world.coord_a.id}"
    # The rest of the record is still HR's to keep.
    form["email"] = "dpa@example.gov.vn"
    form["rank"] = "Chuyên viên chính"
    saved = client.post(f"/officers/{world.coord_a.id}", data=form, headers={"referer": here})
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(User, world.coord_a.id).rank == "Chuyên viên chính"  # type: ignore[union-attr]
