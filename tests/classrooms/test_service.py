from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.classrooms import changes
from app.classrooms import service as classes
from app.classrooms.models import Enrolment
from app.courses import service as courses
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_officer, write_course
from tests.world import World

OPENS = date(2026, 9, 1)


@pytest.fixture
def course(session: Session, tmp_path: Path) -> str:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    return "khoa-hoc-mau"


def new_class(session: Session, world: World, course: str, **overrides: object) -> int:
    fields: dict[str, object] = {
        "code": "L-2026-01",
        "title": "Lớp bồi dưỡng số 1",
        "course_slug": course,
        "owner_unit_id": world.dept_a.id,
        "opens_on": OPENS,
    }
    fields.update(overrides)
    return classes.create_class(session, world.actor(session, world.coord_a), classes.ClassForm(**fields)).id  # type: ignore[arg-type]


def enrolled(session: Session, classroom_id: int) -> list[str]:
    from app.accounts.models import User

    return sorted(
        session.scalars(
            select(User.officer_code)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.classroom_id == classroom_id, Enrolment.status == "active")
        )
    )


class TestClasses:
    def test_coordinator_creates_a_class_in_their_units(
        self, session: Session, world: World, course: str
    ) -> None:
        new_class(session, world, course)
        assert [c.code for c in classes.visible_classes(session, world.actor(session, world.coord_a))] == [
            "L-2026-01"
        ]
        assert classes.visible_classes(session, world.actor(session, world.coord_b)) == []

    def test_outside_units_and_bad_dates_are_refused(
        self, session: Session, world: World, course: str
    ) -> None:
        with pytest.raises(NotFound):
            new_class(session, world, course, owner_unit_id=world.dept_b.id)
        with pytest.raises(InvalidInput):
            new_class(session, world, course, closes_on=date(2026, 8, 1))
        new_class(session, world, course)
        with pytest.raises(Conflict):
            new_class(session, world, course)
        with pytest.raises(PermissionDenied):
            classes.visible_classes(session, world.actor(session, world.hr_a))


class TestAssign:
    def test_unit_preview_then_one_write_skipping_other_units(
        self, session: Session, world: World, course: str
    ) -> None:
        class_id = new_class(session, world, course)
        coord = world.actor(session, world.coord_a)
        target = classes.Target(unit_id=world.root.id)
        with pytest.raises(NotFound):  # the root is outside the coordinator's units
            classes.preview(session, coord, classroom_id=class_id, target=target)
        target = classes.Target(unit_id=world.dept_a.id)
        preview = classes.preview(session, coord, classroom_id=class_id, target=target)
        assert (preview.new, preview.already, preview.outside) == (3, 0, 0)
        classes.assign(session, coord, classroom_id=class_id, target=target)
        assert enrolled(session, class_id) == ["DPA", "HRA", "HVA"]
        again = classes.preview(session, coord, classroom_id=class_id, target=target)
        assert (again.new, again.already) == (0, 3)

    def test_list_of_codes_reports_unknown_and_outside(
        self, session: Session, world: World, course: str
    ) -> None:
        class_id = new_class(session, world, course)
        coord = world.actor(session, world.coord_a)
        target = classes.Target(codes=("HVA", "HVB", "KHONG-CO"))
        preview = classes.preview(session, coord, classroom_id=class_id, target=target)
        # Another unit's officer reads like a code that does not exist.
        assert (preview.new, preview.outside, preview.unknown_codes) == (1, 0, ["HVB", "KHONG-CO"])
        classes.assign(session, coord, classroom_id=class_id, target=target)
        assert enrolled(session, class_id) == ["HVA"]

    def test_filters_by_category(self, session: Session, world: World, course: str) -> None:
        make_officer(session, world.room_a, officer_code="VC1", category="vien_chuc")
        class_id = new_class(session, world, course)
        coord = world.actor(session, world.coord_a)
        classes.assign(
            session,
            coord,
            classroom_id=class_id,
            target=classes.Target(unit_id=world.dept_a.id, category="vien_chuc"),
        )
        assert enrolled(session, class_id) == ["VC1"]

    def test_filters_by_job_position_and_rank(self, session: Session, world: World, course: str) -> None:
        make_officer(session, world.room_a, officer_code="MC1", job_position="Một cửa", rank="Chuyên viên")
        make_officer(session, world.room_a, officer_code="MC2", job_position="Một cửa", rank="Cán sự")
        class_id = new_class(session, world, course)
        coord = world.actor(session, world.coord_a)
        by_position = classes.Target(unit_id=world.dept_a.id, job_position="Một cửa")
        assert classes.preview(session, coord, classroom_id=class_id, target=by_position).new == 2
        classes.assign(
            session,
            coord,
            classroom_id=class_id,
            target=classes.Target(unit_id=world.dept_a.id, job_position="Một cửa", rank="Chuyên viên"),
        )
        assert enrolled(session, class_id) == ["MC1"]
        choices = changes.filter_choices(session, coord)
        assert "Một cửa" in choices["job_position"] and {"Cán sự", "Chuyên viên"} <= set(choices["rank"])
        assert changes.filter_choices(session, world.actor(session, world.coord_b))["rank"] == []
        # Kept a few minutes per scope: a rank added meanwhile shows once they are read again.
        make_officer(session, world.dept_a, rank="Chuyên viên chính")
        assert "Chuyên viên chính" not in changes.filter_choices(session, coord)["rank"]
        changes.clear_choices()
        assert "Chuyên viên chính" in changes.filter_choices(session, coord)["rank"]

    def test_capacity_and_closed_class(self, session: Session, world: World, course: str) -> None:
        class_id = new_class(session, world, course, capacity=2)
        coord = world.actor(session, world.coord_a)
        with pytest.raises(Conflict):
            classes.assign(
                session, coord, classroom_id=class_id, target=classes.Target(unit_id=world.dept_a.id)
            )
        classes.set_class_status(session, coord, classroom_id=class_id, status="closed")
        with pytest.raises(Conflict):
            classes.assign(
                session, coord, classroom_id=class_id, target=classes.Target(user_ids=(world.officer_a.id,))
            )

    def test_withdraw_keeps_history_and_undo_removes_a_whole_batch(
        self, session: Session, world: World, course: str
    ) -> None:
        class_id = new_class(session, world, course)
        coord = world.actor(session, world.coord_a)
        first = classes.assign(
            session, coord, classroom_id=class_id, target=classes.Target(user_ids=(world.officer_a.id,))
        )
        wrong = classes.assign(
            session, coord, classroom_id=class_id, target=classes.Target(unit_id=world.dept_a.id)
        )
        assert enrolled(session, class_id) == ["DPA", "HRA", "HVA"]
        assert classes.undo_batch(session, coord, classroom_id=class_id, batch_id=wrong.id) == 2
        assert enrolled(session, class_id) == ["HVA"]
        with pytest.raises(Conflict):
            classes.undo_batch(session, coord, classroom_id=class_id, batch_id=wrong.id)
        with pytest.raises(InvalidInput):
            classes.withdraw(session, coord, classroom_id=class_id, user_ids=[world.officer_a.id], reason=" ")
        classes.withdraw(
            session, coord, classroom_id=class_id, user_ids=[world.officer_a.id], reason="nghỉ ốm dài ngày"
        )
        rows = {
            code: e
            for e, code in session.execute(
                select(Enrolment, User.officer_code)
                .join(User, User.id == Enrolment.user_id)
                .where(Enrolment.classroom_id == class_id)
            )
        }
        assert (rows["HVA"].status, rows["HVA"].withdrawn_reason) == ("withdrawn", "nghỉ ốm dài ngày")
        assert rows["DPA"].withdrawn_reason == "assignment undone"
        # Assigning again brings the withdrawn officer back in the same row.
        classes.assign(
            session, coord, classroom_id=class_id, target=classes.Target(user_ids=(world.officer_a.id,))
        )
        assert enrolled(session, class_id) == ["HVA"]
        assert first.id != wrong.id


def test_a_class_code_is_unique_within_its_unit_only(session: Session, world: World, course: str) -> None:
    # Unit B already uses the code; unit A's coordinator may use it too, and is not told of it.
    classes.create_class(
        session,
        world.actor(session, world.coord_b),
        classes.ClassForm(
            code="K1-2026",
            title="Lớp B",
            course_slug=course,
            owner_unit_id=world.dept_b.id,
            opens_on=date(2026, 9, 1),
        ),
    )
    first = new_class(session, world, course, code="K1-2026")
    assert first
    with pytest.raises(Conflict, match="already used in this unit"):
        new_class(session, world, course, code="K1-2026")
