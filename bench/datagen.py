"""Deterministic generator of realistic Vietnamese test data: an org tree and officers.

The same seed always gives the same data, so benchmark runs compare like with like. Names
follow the usual structure (surname, middle name, given name) with common surnames weighted
roughly as they occur."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

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
CATEGORIES = [("công chức", 55), ("viên chức", 35), ("cán bộ", 8), ("khác", 2)]
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
    rng = random.Random(seed)
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
    rng = random.Random(seed)
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
