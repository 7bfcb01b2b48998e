"""Ids of unit B's things in the form fields and JSON bodies of unit A's own pages: a coordinator
or HR officer of unit A, by login or API token, cannot enrol, withdraw, move, activate or own
anything of unit B by naming it, and the database keeps unit B's rows as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.classrooms.models import Enrolment
from tests.security.tenants import As, Tenants, snapshot

A_CLASS = "{a_class}"


@dataclass(frozen=True)
class Case:
    who: str
    method: str
    path: str
    payload: Callable[[Tenants], dict[str, Any]]
    status: int
    # Tables the request may change (an empty assignment batch and its audit line); every other
    # table must be as before. None: nothing may change at all.
    may_change: frozenset[str] = frozenset()


ENROL = frozenset({"assignment_batches", "audit_events"})
CASES = {
    "assign B's officer by id into A's class": Case(
        "coordinator",
        "POST",
        "/classes/{a_class}/assign",
        lambda t: {"user_ids": [t.b.officer.id]},
        303,
        ENROL,
    ),
    "assign B's officers by code into A's class": Case(
        "coordinator", "POST", "/classes/{a_class}/assign", lambda t: {"codes": "HVB\nDPB\nHRB"}, 303, ENROL
    ),
    "assign B's unit into A's class": Case(
        "coordinator", "POST", "/classes/{a_class}/assign", lambda t: {"unit_id": str(t.b.unit.id)}, 404
    ),
    "preview B's unit for A's class": Case(
        "coordinator", "POST", "/classes/{a_class}/preview", lambda t: {"unit_id": str(t.b.unit.id)}, 404
    ),
    "API: assign B's officer by id": Case(
        "coordinator_token",
        "POST",
        "/api/v1/classes/{a_class}/assignments",
        lambda t: {"user_ids": [t.b.officer.id]},
        200,
        ENROL,
    ),
    "API: assign B's officers by code": Case(
        "coordinator",
        "POST",
        "/api/v1/classes/{a_class}/assignments",
        lambda t: {"codes": ["HVB", "DPB"]},
        200,
        ENROL,
    ),
    "API: assign B's unit": Case(
        "coordinator_token",
        "POST",
        "/api/v1/classes/{a_class}/assignments",
        lambda t: {"unit_id": t.b.unit.id},
        404,
    ),
    "withdraw B's officer through A's class": Case(
        "coordinator",
        "POST",
        "/classes/{a_class}/withdraw",
        lambda t: {"user_ids": [t.b.officer.id, t.b.coordinator.id], "reason": "nhầm"},
        303,
        frozenset({"audit_events"}),
    ),
    "open a class owned by unit B": Case(
        "coordinator",
        "POST",
        "/classes",
        lambda t: {
            "code": "LX",
            "title": "Lớp lạ",
            "course": "khoa-hoc-mau",
            "owner_unit_id": t.b.unit.id,
            "opens_on": "2026-09-01",
        },
        404,
    ),
    "hand A's class to unit B": Case(
        "coordinator",
        "POST",
        "/classes/{a_class}/edit",
        lambda t: {"code": "A1", "title": "Lớp A1", "owner_unit_id": t.b.unit.id, "opens_on": "2026-09-01"},
        404,
    ),
    "API: hand A's class to unit B": Case(
        "coordinator_token",
        "PUT",
        "/api/v1/classes/{a_class}",
        lambda t: {"code": "A1", "title": "Lớp A1", "owner_unit_id": t.b.unit.id, "opens_on": "2026-09-01"},
        404,
    ),
    "move A's officer into unit B": Case(
        "hr",
        "POST",
        "/officers/{a_officer}/move",
        lambda t: {"unit_id": t.b.unit.id, "effective_on": "2026-07-01"},
        404,
    ),
    "activation codes for B's officer (HR)": Case(
        "hr", "POST", "/officers/activation-codes", lambda t: {"user_ids": [t.b.officer.id]}, 404
    ),
    "activation codes for B's officer (coordinator)": Case(
        "coordinator", "POST", "/officers/activation-codes", lambda t: {"user_ids": [t.b.officer.id]}, 404
    ),
    "API: activation codes for A's and B's officers at once": Case(
        "hr_token",
        "POST",
        "/api/v1/activation-codes",
        lambda t: {"user_ids": [t.a.officer.id, t.b.officer.id]},
        404,
    ),
    "API: background export of B's unit": Case(
        "hr",
        "POST",
        "/api/v1/exports",
        lambda t: {"kind": "reports.enrolments", "params": {"unit_id": t.b.unit.id}},
        404,
    ),
    "admin of A: move A's room under unit B": Case(
        "admin",
        "POST",
        "/admin/units/{a_room}/move",
        lambda t: {"parent_id": t.b.unit.id, "effective_on": "2026-07-01"},
        404,
    ),
    "admin of A: merge A's room into unit B": Case(
        "admin",
        "POST",
        "/admin/units/{a_room}/merge",
        lambda t: {"into_id": t.b.unit.id, "effective_on": "2026-07-01"},
        404,
    ),
    "admin of A: open a unit under unit B": Case(
        "admin",
        "POST",
        "/admin/units",
        lambda t: {"code": "MOI", "name": "Mới", "parent_id": t.b.unit.id, "effective_on": "2026-07-01"},
        404,
    ),
    "admin of A: grant a role on unit B": Case(
        "admin",
        "POST",
        "/admin/roles",
        lambda t: {"officer_code": "HVA", "role": "coordinator", "unit_id": t.b.unit.id},
        404,
    ),
    "admin of A: grant a role on A to B's officer": Case(
        "admin",
        "POST",
        "/admin/roles",
        lambda t: {"officer_code": "HVB", "role": "coordinator", "unit_id": t.a.unit.id},
        404,
    ),
    "admin of A: a token for unit B": Case(
        "admin", "POST", "/admin/tokens", lambda t: {"name": "Lạ", "role": "hr", "unit_id": t.b.unit.id}, 404
    ),
    "admin of A, API: a role on unit B": Case(
        "admin",
        "POST",
        "/api/v1/grants",
        lambda t: {"officer_code": "HVA", "role": "hr", "unit_id": t.b.unit.id},
        404,
    ),
    "admin of A, API: a unit under unit B": Case(
        "admin",
        "POST",
        "/api/v1/units",
        lambda t: {"code": "MOI", "name": "Mới", "parent_id": t.b.unit.id, "effective_on": "2026-07-01"},
        404,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_naming_unit_b_in_a_form_of_unit_a_changes_nothing_of_unit_b(
    name: str, as_a: As, session: Session, tenants: Tenants
) -> None:
    case = CASES[name]
    url = case.path.format(
        a_class=tenants.a.classroom.id, a_officer=tenants.a.officer.id, a_room=tenants.world.room_a.id
    )
    payload = case.payload(tenants)
    before = snapshot(session)
    if url.startswith("/api/"):
        response = as_a.send(case.who, case.method, url, body=payload)
    else:
        response = as_a.send(case.who, case.method, url, form=payload)
    assert response.status_code == case.status, response.text
    after = snapshot(session)
    changed = sorted(table for table in before if before[table] != after[table])
    assert changed == sorted(case.may_change & set(changed))
    assert set(changed) <= case.may_change


def test_an_hr_roster_naming_unit_b_officers_leaves_them_as_they_were(
    as_a: As, session: Session, tenants: Tenants
) -> None:
    roster = "Mã cán bộ;Họ và tên;Đơn vị\nHVA;Nguyễn Văn Đức;SA-P1\nHVB;Tên Bị Đổi;SA\nHVX;Người Mới;SB\n"
    csrf = as_a.login(tenants.a.hr)
    preview = as_a.client.post(
        "/officers/import",
        data={"csrf_token": csrf},
        files={"file": ("ds.csv", roster.encode(), "text/csv")},
    )
    assert preview.status_code == 303
    preview = as_a.client.get(preview.headers["location"])
    assert preview.status_code == 200
    assert "HVB" in preview.text and "SB" in preview.text
    before = snapshot(session)
    upload_id = max(row[0] for row in before["roster_uploads"])
    applied = as_a.client.post(f"/officers/import/{upload_id}/apply", data={"csrf_token": csrf})
    assert applied.status_code == 303
    officer_b = session.scalars(select(User).where(User.officer_code == "HVB")).one()
    session.refresh(officer_b)
    assert (officer_b.full_name, officer_b.unit_id) == ("Hoàng Thị An", tenants.b.unit.id)
    assert session.scalar(select(User).where(User.officer_code == "HVX")) is None
    assert snapshot(session)["users"] == before["users"]


def test_b_enrolments_stay_active_after_unit_a_names_them(
    as_a: As, session: Session, tenants: Tenants
) -> None:
    as_a.send(
        "coordinator",
        "POST",
        f"/classes/{tenants.a.classroom.id}/withdraw",
        form={"user_ids": [tenants.b.officer.id], "reason": "nhầm"},
    )
    statuses = session.scalars(
        select(Enrolment.status).where(Enrolment.classroom_id == tenants.b.classroom.id)
    ).all()
    assert statuses == ["active"] * 3
