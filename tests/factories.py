"""Small typed builders of test data: course folders on disk and parsed course specs."""

from __future__ import annotations

import io
import textwrap
import zipfile
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.classrooms.models import Classroom
from app.courses.content import CourseSpec, find_course_dirs, parse_course_dir
from app.orgs.models import OrgUnit

ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "courses"
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2269b6b0000000049454e44ae426082"
)


@cache
def real_course_specs() -> tuple[CourseSpec, ...]:
    return tuple(parse_course_dir(path) for path in find_course_dirs(COURSES))


COURSE_YAML = """\
id: {slug}
version: {version}
language: vi
title:
  vi: {title}
  en: Records handling for testers
summary:
  vi: Khoá học mẫu dùng cho kiểm thử.
  en: A sample course used by the tests.
training_hours: 1.5
modules:
  - id: hoc-phan-mot
    title: Học phần một
    lessons:
      - m1/bai-mot.md
      - m1/bai-hai.md
    quiz: m1/kiem-tra.yaml
"""

LESSON_ONE = """\
---
id: bai-mot
title: Bài một
minutes: 5
---

Đoạn mở đầu với **chữ đậm**.

![Sơ đồ quy trình](hinh/so-do.png)

<script>alert('x')</script>
"""

LESSON_TWO = """\
---
id: bai-hai
title: Bài hai
---

## Phần nhỏ

- một ý
"""

QUIZ = """\
id: kiem-tra-mot
title: "Kiểm tra: học phần một"
questions:
  - id: cau-chon-mot
    type: single_choice
    text: Chọn một?
    choices:
      - id: a
        text: Đúng
        correct: true
      - id: b
        text: Sai
    explanation: Vì vậy.
  - id: cau-chon-nhieu
    type: multiple_choice
    scoring: partial
    text: Chọn nhiều?
    choices:
      - {id: a, text: Một, correct: true}
      - {id: b, text: Hai, correct: true}
      - {id: c, text: Ba}
    explanation: Vì vậy.
  - id: cau-dung-sai
    type: true_false
    text: Đúng hay sai?
    answer: false
    explanation: Vì vậy.
  - id: cau-tra-loi-ngan
    type: short_answer
    text: Bộ phận gì?
    answers: ["một cửa"]
    ignore_accents: true
    explanation: Vì vậy.
"""


def write_course(
    root: Path,
    *,
    slug: str = "khoa-hoc-mau",
    version: int = 1,
    title: str = "Khoá học mẫu",
    files: dict[str, str | bytes] | None = None,
) -> Path:
    """Write a small valid course folder; `files` adds or replaces files by relative path."""
    folder = root / slug
    content: dict[str, str | bytes] = {
        "course.yaml": COURSE_YAML.format(slug=slug, version=version, title=title),
        "m1/bai-mot.md": LESSON_ONE,
        "m1/bai-hai.md": LESSON_TWO,
        "m1/kiem-tra.yaml": QUIZ,
        "m1/hinh/so-do.png": PNG_1PX,
    }
    content.update(files or {})
    for name, data in content.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return folder


def zip_folder(folder: Path, *, top: str | None = None) -> bytes:
    """A zip of a folder's files, at the top of the archive or inside one folder named `top`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
    return buffer.getvalue()


def course_yaml(version: int, *, drop: str = "", add_after_two: str = "") -> str:
    """The sample course.yaml with some lines dropped, or lessons added after the second one."""
    text = COURSE_YAML.format(slug="khoa-hoc-mau", version=version, title="Khoá học mẫu")
    for line in drop.splitlines(keepends=True):
        text = text.replace(line, "")
    if add_after_two:
        text = text.replace("      - m1/bai-hai.md\n", "      - m1/bai-hai.md\n" + add_after_two)
    return text


# Version 2 of the sample course without its second lesson and its quiz.
WITHOUT_LESSON_TWO = course_yaml(2, drop="      - m1/bai-hai.md\n    quiz: m1/kiem-tra.yaml\n")


def course_zip(
    tmp_path: Path, name: str, *, version: int = 1, files: dict[str, str | bytes] | None = None
) -> bytes:
    """The sample course written under tmp_path/name and zipped inside a top folder."""
    return zip_folder(write_course(tmp_path / name, version=version, files=files), top="khoa-hoc-mau")


def make_unit(
    session: Session, code: str, *, parent: OrgUnit | None = None, name: str | None = None
) -> OrgUnit:
    from app.orgs.permissions import SYSTEM
    from app.orgs.service import create_unit

    return create_unit(
        session,
        SYSTEM,
        code=code,
        name=name or f"Đơn vị {code}",
        parent_id=parent.id if parent else None,
        effective_on=date(2026, 1, 1),
    )


_counter = iter(range(1, 1_000_000))


def make_officer(
    session: Session,
    unit: OrgUnit,
    *,
    password: str | None = None,
    role: str | None = None,
    role_unit: OrgUnit | None = None,
    **overrides: object,
) -> User:
    """An officer in a unit, optionally with a password (activated) and a role on a unit."""
    from app.accounts.service import create_officer
    from app.db import utcnow
    from app.orgs.models import RoleGrant
    from app.orgs.permissions import SYSTEM

    n = next(_counter)
    fields: dict[str, object] = {
        "officer_code": f"T{n:05d}",
        "full_name": f"Nguyễn Văn Thử {n}",
        "email": f"t{n}@example.gov.vn",
        "category": "cong_chuc",
    }
    fields.update(overrides)
    user = create_officer(session, SYSTEM, unit_id=unit.id, start_on=date(2026, 1, 1), **fields)  # type: ignore[arg-type]
    if password is not None:
        user.password_hash = hashed(password)
        user.password_changed_at = utcnow()
    if role is not None:
        session.add(RoleGrant(user_id=user.id, role=role, unit_id=(role_unit or unit).id))
    session.flush()
    return user


@cache
def hashed(password: str) -> str:
    """One hash per password per run: users made with the same password share it, as any number
    of accounts may (the salt only keeps equal passwords from looking equal)."""
    from app.accounts.passwords import hash_password

    return hash_password(password)


def make_class(
    session: Session,
    owner: User,
    unit: OrgUnit,
    course_slug: str = "khoa-hoc-mau",
    *,
    assign_unit: OrgUnit | None = None,
    **overrides: object,
) -> Classroom:
    """A class opened by `owner` (a coordinator) for `unit`, optionally with a unit assigned."""
    from app.accounts.grants import actor_for
    from app.classrooms import service as classes

    actor = actor_for(session, owner, ip=None)
    fields: dict[str, object] = {
        "code": f"L{next(_counter)}",
        "title": "Lớp thử",
        "course_slug": course_slug,
        "owner_unit_id": unit.id,
        "opens_on": date(2026, 9, 1),
    }
    fields.update(overrides)
    classroom = classes.create_class(session, actor, classes.ClassForm(**fields))  # type: ignore[arg-type]
    if assign_unit is not None:
        classes.assign(
            session, actor, classroom_id=classroom.id, target=classes.Target(unit_id=assign_unit.id)
        )
    session.flush()
    return classroom
