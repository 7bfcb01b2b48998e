"""Two coordinators assigning officers to one class at the same moment: every officer is
enrolled once, each assignment's batch and audit record count what it wrote, and the capacity
holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from app.accounts.grants import actor_for
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.classrooms import changes
from app.classrooms import service as classes
from app.classrooms.models import AssignmentBatch, Enrolment
from app.errors import Conflict
from app.orgs.permissions import Actor
from tests.concurrency.conftest import Db, race
from tests.factories import make_officer
from tests.world import World

ROUNDS = 3
CODES = tuple(f"HV{n:02d}" for n in range(6))


@pytest.fixture
def coordinators(db: Db, world: World, course: str) -> tuple[Actor, Actor]:
    """The coordinator of department A and a second one of the same department, with six
    officers of the department to assign."""
    with db.work() as session:
        for code in CODES:
            make_officer(session, world.room_a, officer_code=code)
        second = make_officer(session, world.dept_a, role="coordinator", officer_code="DPA2")
        first = session.get_one(User, world.coord_a.id)
        return actor_for(session, first, ip=None), actor_for(session, second, ip=None)


def _open_class(
    db: Db, world: World, actor: Actor, code: str, capacity: int | None = None, *, self_enrol: bool = False
) -> int:
    with db.work() as session:
        form = classes.ClassForm(
            code=code,
            title="Lớp chạy đua",
            course_slug="khoa-hoc-mau",
            owner_unit_id=world.dept_a.id,
            opens_on=date(2026, 9, 1),
            capacity=capacity,
            self_enrol=self_enrol,
        )
        return classes.create_class(session, actor, form).id


def _assigning(db: Db, actor: Actor, classroom_id: int, codes: tuple[str, ...]) -> Callable[[], int]:
    def assign() -> int:
        with db.work() as session:
            batch = classes.assign(
                session, actor, classroom_id=classroom_id, target=classes.Target(codes=codes)
            )
            return batch.count

    return assign


def _state(db: Db, classroom_id: int) -> tuple[list[str], dict[int | None, int], list[int], list[int]]:
    """(enrolled codes, enrolments per batch, batch counts, audited counts), all sorted."""
    with db.work() as session:
        codes = session.scalars(
            select(User.officer_code)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.classroom_id == classroom_id, Enrolment.status == "active")
            .order_by(User.officer_code)
        ).all()
        per_batch = dict(
            session.execute(
                select(Enrolment.batch_id, func.count())
                .where(Enrolment.classroom_id == classroom_id)
                .group_by(Enrolment.batch_id)
            ).all()
        )
        batches = session.execute(
            select(AssignmentBatch.id, AssignmentBatch.count).where(
                AssignmentBatch.classroom_id == classroom_id
            )
        ).all()
        audited = [
            int(details["count"])
            for details in session.scalars(
                select(AuditEvent.details).where(
                    AuditEvent.action == "enrolment.assign", AuditEvent.target_id == str(classroom_id)
                )
            )
        ]
    for batch_id, count in batches:
        assert per_batch.get(batch_id, 0) == count
    return list(codes), per_batch, sorted(c for _, c in batches), sorted(audited)


def test_the_same_officers_assigned_twice_at_once_are_enrolled_once(
    db: Db, world: World, coordinators: tuple[Actor, Actor]
) -> None:
    first, second = coordinators
    for round_ in range(ROUNDS):
        classroom_id = _open_class(db, world, first, f"CUNG-{round_}")
        outcomes = race(
            _assigning(db, first, classroom_id, CODES), _assigning(db, second, classroom_id, CODES)
        )
        assert sorted(outcomes, key=str) == [0, 6]
        codes, _, counts, audited = _state(db, classroom_id)
        assert codes == list(CODES)
        assert counts == audited == [0, 6]


def test_overlapping_assignments_at_once_enrol_everyone_once_and_count_what_each_wrote(
    db: Db, world: World, coordinators: tuple[Actor, Actor]
) -> None:
    first, second = coordinators
    for round_ in range(ROUNDS):
        classroom_id = _open_class(db, world, first, f"GIAO-{round_}")
        outcomes = race(
            _assigning(db, first, classroom_id, CODES[:4]), _assigning(db, second, classroom_id, CODES[2:])
        )
        # Whoever came second found two of its four already enrolled.
        assert sorted(outcomes, key=str) == [2, 4]
        codes, per_batch, counts, audited = _state(db, classroom_id)
        assert codes == list(CODES)
        assert sum(per_batch.values()) == len(CODES)
        assert counts == audited == [2, 4]


def test_two_assignments_that_would_overfill_a_class_leave_it_full_not_over(
    db: Db, world: World, coordinators: tuple[Actor, Actor]
) -> None:
    first, second = coordinators
    for round_ in range(ROUNDS):
        classroom_id = _open_class(db, world, first, f"CHO-{round_}", capacity=4)
        outcomes = race(
            _assigning(db, first, classroom_id, CODES[:3]), _assigning(db, second, classroom_id, CODES[3:])
        )
        refused = [o for o in outcomes if isinstance(o, Conflict)]
        assert [str(r) for r in refused] == ["The class would exceed its capacity."]
        assert [o for o in outcomes if not isinstance(o, Conflict)] == [3]
        codes, _, counts, audited = _state(db, classroom_id)
        assert len(codes) == 3
        assert counts == audited == [3]


def test_two_officers_taking_the_last_seat_at_once_leave_one_without_it(
    db: Db, world: World, coordinators: tuple[Actor, Actor]
) -> None:
    first, _ = coordinators
    for round_ in range(ROUNDS):
        classroom_id = _open_class(db, world, first, f"TU-{round_}", capacity=1, self_enrol=True)
        with db.work() as session:
            officers = [
                actor_for(
                    session, session.scalars(select(User).where(User.officer_code == code)).one(), ip=None
                )
                for code in CODES[:2]
            ]

        def joining(actor: Actor) -> Callable[[], int]:
            def join() -> int:
                with db.work() as session:
                    return changes.join_class(
                        session, actor, classroom_id=classroom_id, today=date(2026, 9, 2)
                    ).id

            return join

        outcomes = race(*(joining(o) for o in officers))
        assert sorted(str(o) for o in outcomes) == sorted([str(classroom_id), "The class is full."])
        assert len(_state(db, classroom_id)[0]) == 1
