"""A small org with one person of each role, for tests of scoping and access."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts.grants import actor_for
from app.accounts.models import User
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor
from tests.factories import make_officer, make_unit

PASSWORD = "gio-thoi-qua-ruong-lua-chin"


@dataclass
class World:
    root: OrgUnit
    dept_a: OrgUnit
    room_a: OrgUnit
    dept_b: OrgUnit
    admin: User
    hr_a: User
    coord_a: User
    coord_b: User
    officer_a: User
    officer_b: User

    def actor(self, session: Session, user: User) -> Actor:
        return actor_for(session, user, ip="127.0.0.1")


def build_world(session: Session) -> World:
    root = make_unit(session, "TP", name="Thành phố Mẫu")
    dept_a = make_unit(session, "SA", parent=root, name="Sở Nội vụ")
    room_a = make_unit(session, "SA-P1", parent=dept_a, name="Phòng Công chức")
    dept_b = make_unit(session, "SB", parent=root, name="Sở Tư pháp")
    return World(
        root=root,
        dept_a=dept_a,
        room_a=room_a,
        dept_b=dept_b,
        admin=make_officer(
            session,
            root,
            password=PASSWORD,
            role="admin",
            officer_code="ADMIN",
            email="admin@example.gov.vn",
            full_name="Quản Trị Viên",
        ),
        hr_a=make_officer(
            session,
            dept_a,
            password=PASSWORD,
            role="hr",
            officer_code="HRA",
            email="hra@example.gov.vn",
            full_name="Phạm Thị Nhân",
        ),
        coord_a=make_officer(
            session,
            dept_a,
            password=PASSWORD,
            role="coordinator",
            officer_code="DPA",
            email="dpa@example.gov.vn",
            full_name="Lê Văn Điều",
        ),
        coord_b=make_officer(
            session,
            dept_b,
            password=PASSWORD,
            role="coordinator",
            officer_code="DPB",
            email="dpb@example.gov.vn",
            full_name="Trần Văn Phối",
        ),
        officer_a=make_officer(
            session,
            room_a,
            password=PASSWORD,
            officer_code="HVA",
            full_name="Nguyễn Văn Đức",
            email="duc@example.gov.vn",
        ),
        officer_b=make_officer(
            session, dept_b, officer_code="HVB", email="hvb@example.gov.vn", full_name="Hoàng Thị An"
        ),
    )
