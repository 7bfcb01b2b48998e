"""Deterministic generator of realistic Vietnamese data (an org tree and officers) for the demo
site and the benchmarks, and `install_demo`, which loads it.

The same seed always gives the same data, so benchmark runs compare like with like. Names
follow the usual structure (surname, middle name, given name) with common surnames weighted
roughly as they occur."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, insert, literal, select
from sqlalchemy.orm import Session

SURNAMES = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Lâm", 1),
    ("Mai", 1),
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Mỹ", "Bích"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hải",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Tuấn",
    "Việt",
]
GIVEN_FEMALE = [
    "Anh",
    "Châu",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Uyên",
    "Vân",
    "Yến",
]
DEPARTMENTS = [
    "Văn phòng UBND",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Khoa học và Công nghệ",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Trung tâm Phục vụ hành chính công",
]
CATEGORIES = [("cong_chuc", 55), ("vien_chuc", 35), ("can_bo", 8), ("other", 2)]
POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Cán sự", "Phó Trưởng phòng", "Trưởng phòng"]
JOB_POSITIONS = [
    "Tiếp nhận và trả kết quả",
    "Quản lý văn bản",
    "Kế toán",
    "Tư pháp - hộ tịch",
    "Địa chính - xây dựng",
    "Văn hoá - xã hội",
    "Công nghệ thông tin",
    "Tổ chức cán bộ",
]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class Officer:
    code: str
    full_name: str
    birth_date: date
    email: str
    unit_code: str
    category: str
    position: str
    job_position: str


def org_tree(*, wards: int = 40, seed: int = 2026) -> list[Unit]:
    """A merged city: departments with a few rooms each, and wards (phường/xã) under it."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    units = [Unit("TP", "Thành phố Mẫu", None)]
    for i, department in enumerate(DEPARTMENTS, start=1):
        code = f"S{i:02d}"
        units.append(Unit(code, department, "TP"))
        for j in range(1, rng.randint(2, 4) + 1):
            units.append(Unit(f"{code}-P{j}", f"Phòng {j}, {department}", code))
    for k in range(1, wards + 1):
        kind = "Phường" if k % 3 else "Xã"
        units.append(Unit(f"W{k:03d}", f"{kind} {rng.choice(GIVEN_MALE + GIVEN_FEMALE)} {k}", "TP"))
    return units


def officers(count: int, units: list[Unit], *, seed: int = 2026) -> Iterator[Officer]:
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    surnames, weights = zip(*SURNAMES, strict=True)
    categories, category_weights = zip(*CATEGORIES, strict=True)
    leaves = [u for u in units if u.parent_code is not None]
    for n in range(1, count + 1):
        female = rng.random() < 0.5
        middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
        given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        name = f"{rng.choices(surnames, weights)[0]} {middle} {given}"
        code = f"CB{n:07d}"
        yield Officer(
            code=code,
            full_name=name,
            birth_date=date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 38)),
            email=f"{code.lower()}@example.gov.vn",
            unit_code=rng.choice(leaves).code,
            category=rng.choices(categories, category_weights)[0],
            position=rng.choice(POSITIONS),
            job_position=rng.choice(JOB_POSITIONS),
        )


DEMO_COURSE = "ky-nang-cntt-co-ban"
DEMO_ACCOUNTS = (
    ("quantri", "Quản trị Hệ thống", "admin"),
    ("nhansu", "Phạm Thị Nhân Sự", "hr"),
    ("dieuphoi", "Lê Văn Điều Phối", "coordinator"),
    ("hocvien", "Nguyễn Thị Học Viên", None),
)


@dataclass(frozen=True)
class DemoLogin:
    officer_code: str
    role: str
    password: str


def install_demo(session: Session, *, officers_count: int = 300, seed: int = 2026) -> list[DemoLogin]:
    """A city with departments and wards, officers with Vietnamese names, and one account of each
    role with a random password (returned once, never stored in clear)."""
    from app.accounts.auth import set_password
    from app.accounts.models import Placement, User
    from app.i18n import today as local_today
    from app.orgs.models import OrgUnit, RoleGrant
    from app.orgs.permissions import SYSTEM
    from app.orgs.service import create_unit
    from app.text import fold, name_sort_value

    today = local_today()
    ids: dict[str, int] = {}
    for spec in org_tree(wards=12, seed=seed):
        created = create_unit(
            session,
            SYSTEM,
            code=spec.code,
            name=spec.name,
            parent_id=ids[spec.parent_code] if spec.parent_code else None,
            effective_on=today,
        )
        ids[spec.code] = created.id
    rows = [
        {
            "officer_code": o.code,
            "full_name": o.full_name,
            "name_folded": fold(o.full_name),
            "name_sort": name_sort_value(o.full_name),
            "birth_date": o.birth_date,
            "email": o.email,
            "unit_id": ids[o.unit_code],
            "category": o.category,
            "position": o.position,
            "job_position": o.job_position,
            "active": True,
        }
        for o in officers(officers_count, org_tree(wards=12, seed=seed), seed=seed)
    ]
    if rows:
        session.execute(insert(User), rows)
    session.execute(
        insert(Placement).from_select(
            ["user_id", "unit_id", "start_on"],
            select(User.id, User.unit_id, literal(today, Date)).where(User.officer_code.startswith("CB")),
        )
    )
    logins = []
    root = session.scalar(select(OrgUnit).where(OrgUnit.code == "TP"))
    department = session.scalar(select(OrgUnit).where(OrgUnit.code == "S10"))
    assert root is not None and department is not None
    for code, name, role in DEMO_ACCOUNTS:
        home = department if role in ("coordinator", None) else root
        user = User(
            officer_code=code,
            full_name=name,
            name_folded=fold(name),
            name_sort=name_sort_value(name),
            unit_id=home.id,
            email=f"{code}@example.gov.vn",
            category="cong_chuc",
        )
        password = "-".join(secrets.choice(WORDS) for _ in range(4)) + str(secrets.randbelow(90) + 10)
        set_password(user, password)
        session.add(user)
        session.flush()
        session.add(Placement(user_id=user.id, unit_id=home.id, start_on=today))
        if role is not None:
            session.add(RoleGrant(user_id=user.id, role=role, unit_id=home.id))
        logins.append(DemoLogin(code, role or "officer", password))
    session.flush()
    _demo_classes(session, department.id, today)
    return logins


def _demo_classes(session: Session, department_id: int, today: date) -> None:
    """When the first shipped course is there, a class for the department (the demo officer
    included) due in ten days, and one that officers may join themselves."""
    from app.accounts.grants import actor_for
    from app.accounts.models import User
    from app.classrooms import service as classes
    from app.courses.models import Course

    if session.scalar(select(Course.id).where(Course.slug == DEMO_COURSE)) is None:
        return
    coordinator = session.scalar(select(User).where(User.officer_code == "dieuphoi"))
    assert coordinator is not None
    actor = actor_for(session, coordinator, ip=None)
    assigned = classes.create_class(
        session,
        actor,
        classes.ClassForm(
            code="KNS-01",
            title="Lớp kỹ năng số đợt 1",
            course_slug=DEMO_COURSE,
            owner_unit_id=department_id,
            opens_on=today,
            due_on=today + timedelta(days=10),
        ),
    )
    classes.assign(session, actor, classroom_id=assigned.id, target=classes.Target(unit_id=department_id))
    classes.create_class(
        session,
        actor,
        classes.ClassForm(
            code="KNS-TU-DK",
            title="Lớp kỹ năng số tự đăng ký",
            course_slug=DEMO_COURSE,
            owner_unit_id=department_id,
            opens_on=today,
            due_on=today + timedelta(days=30),
            capacity=40,
            self_enrol=True,
        ),
    )


# Short, unaccented Vietnamese words: demo passwords people can read aloud and type.
WORDS = (
    "song",
    "nui",
    "lua",
    "tre",
    "sen",
    "mai",
    "dao",
    "hoa",
    "ban",
    "gio",
    "may",
    "trang",
    "sao",
    "bien",
    "dong",
    "que",
    "nha",
    "cau",
    "thuyen",
    "lang",
    "ruong",
    "suoi",
    "rung",
    "doi",
)
