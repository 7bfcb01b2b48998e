"""Classes and assignment: create and edit classes within one's units, preview an assignment,
write it as one INSERT … SELECT, withdraw with a reason, and undo a whole batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.recorder import record
from app.classrooms.models import AssignmentBatch, Classroom, ClassStatus, Enrolment, EnrolmentStatus
from app.courses.models import Course
from app.db import lock_row, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.models import OrgUnit
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Permission
from app.orgs.scope import within
from app.orgs.service import get_unit
from app.text import has_control, nfc


@dataclass(frozen=True)
class ClassForm:
    code: str
    title: str
    course_slug: str
    owner_unit_id: int
    opens_on: date
    closes_on: date | None = None
    due_on: date | None = None
    capacity: int | None = None
    self_enrol: bool = False


@dataclass(frozen=True)
class Target:
    """Who to assign: some officers, a unit's subtree (optionally filtered), or a list of codes."""

    user_ids: tuple[int, ...] = ()
    unit_id: int | None = None
    category: str | None = None
    job_position: str | None = None
    rank: str | None = None
    codes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "unit" if self.unit_id is not None else "list" if self.codes else "people"


@dataclass
class Preview:
    new: int = 0
    already: int = 0
    outside: int = 0
    unknown_codes: list[str] = field(default_factory=list)
    sample: list[str] = field(default_factory=list)


def managed_scope(actor: Actor) -> ColumnElement[bool]:
    return within(actor, Permission.CLASSES_MANAGE, OrgUnit.path)


def get_class(session: Session, actor: Actor, classroom_id: int) -> tuple[Classroom, OrgUnit]:
    row = session.execute(
        select(Classroom, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Classroom.owner_unit_id)
        .where(Classroom.id == classroom_id)
    ).one_or_none()
    if row is None:
        raise NotFound(OUT_OF_SCOPE)
    classroom, unit = row
    actor.require(Permission.CLASSES_MANAGE, unit.path)
    return classroom, unit


def visible_classes(session: Session, actor: Actor) -> Sequence[Classroom]:
    actor.require_any(Permission.CLASSES_MANAGE)
    return session.scalars(
        select(Classroom)
        .join(OrgUnit, OrgUnit.id == Classroom.owner_unit_id)
        .where(managed_scope(actor))
        .order_by(Classroom.opens_on.desc(), Classroom.code)
    ).all()


def validate_form(form: ClassForm) -> None:
    if not form.code.strip() or len(form.code) > 50 or not form.title.strip():
        raise InvalidInput("A class needs a code (at most 50 characters) and a title.")
    if has_control(form.code):
        raise InvalidInput("A code cannot hold line breaks or other control characters.")
    if form.closes_on and form.closes_on < form.opens_on:
        raise InvalidInput("A class cannot close before it opens.")
    if form.due_on and form.due_on < form.opens_on:
        raise InvalidInput("The due date cannot be before the class opens.")
    if form.capacity is not None and form.capacity < 1:
        raise InvalidInput("The capacity must be at least 1, or left empty.")


def create_class(session: Session, actor: Actor, form: ClassForm) -> Classroom:
    validate_form(form)
    unit = get_unit(session, actor, form.owner_unit_id)
    actor.require(Permission.CLASSES_MANAGE, unit.path)
    course = session.scalar(select(Course).where(Course.slug == form.course_slug, Course.published.is_(True)))
    if course is None:
        raise NotFound("No course with this address.")
    code = nfc(form.code).strip()
    # Unique within the owner unit only: a code taken in another unit is free here, so a refusal
    # never tells a coordinator what other units have named their classes.
    taken = select(Classroom.id).where(Classroom.owner_unit_id == unit.id, Classroom.code == code)
    if session.scalar(taken) is not None:
        raise Conflict("The class code %(code)s is already used in this unit.", code=code)
    classroom = Classroom(
        code=code,
        title=" ".join(nfc(form.title).split()),
        course_id=course.id,
        owner_unit_id=unit.id,
        opens_on=form.opens_on,
        closes_on=form.closes_on,
        due_on=form.due_on,
        capacity=form.capacity,
        self_enrol=form.self_enrol,
        created_by_id=actor.user_id,
    )
    session.add(classroom)
    session.flush()
    record(
        session,
        actor,
        "class.create",
        target_type="classroom",
        target_id=classroom.id,
        details={"code": code, "course": course.slug, "unit": unit.code},
    )
    return classroom


def set_class_status(session: Session, actor: Actor, *, classroom_id: int, status: str) -> Classroom:
    if status not in tuple(ClassStatus):
        raise InvalidInput("A class is open or closed.")
    classroom, _ = get_class(session, actor, classroom_id)
    classroom.status = status
    record(
        session,
        actor,
        f"class.{'reopen' if status == 'open' else 'close'}",
        target_type="classroom",
        target_id=classroom.id,
    )
    return classroom


def _target_select(session: Session, actor: Actor, target: Target, *, in_scope: bool) -> Any:
    stmt = select(User.id).join(OrgUnit, OrgUnit.id == User.unit_id).where(User.active.is_(True))
    if target.kind == "unit":
        unit = get_unit(session, actor, int(target.unit_id or 0))
        stmt = stmt.where(OrgUnit.path.startswith(unit.path, autoescape=True))
        for name in ("category", "job_position", "rank"):
            value = getattr(target, name)
            if value:
                stmt = stmt.where(getattr(User, name) == value)
    elif target.kind == "list":
        stmt = stmt.where(User.officer_code.in_(target.codes))
    else:
        stmt = stmt.where(User.id.in_(target.user_ids))
    return stmt.where(managed_scope(actor) if in_scope else ~managed_scope(actor))


def preview(session: Session, actor: Actor, *, classroom_id: int, target: Target) -> Preview:
    classroom, _ = get_class(session, actor, classroom_id)
    result = Preview()
    inside = _target_select(session, actor, target, in_scope=True).subquery()
    already = select(Enrolment.user_id).where(
        Enrolment.classroom_id == classroom.id, Enrolment.status == EnrolmentStatus.ACTIVE
    )
    result.already = (
        session.scalar(select(func.count()).select_from(inside).where(inside.c.id.in_(already))) or 0
    )
    result.new = (session.scalar(select(func.count()).select_from(inside)) or 0) - result.already
    if target.kind == "unit":
        # The actor sees the unit; that some of its officers are not theirs to assign is no news.
        outside = _target_select(session, actor, target, in_scope=False).subquery()
        result.outside = session.scalar(select(func.count()).select_from(outside)) or 0
    elif target.kind == "list":
        # A code missing everywhere and a code of another unit's officer read the same, so the
        # preview does not tell a coordinator which codes exist outside their units.
        found = set(session.scalars(select(User.officer_code).where(User.id.in_(select(inside.c.id)))))
        result.unknown_codes = [c for c in target.codes if c not in found]
    else:
        result.outside = len(set(target.user_ids)) - result.new - result.already
    result.sample = list(
        session.scalars(
            select(User.full_name)
            .where(User.id.in_(select(inside.c.id)), ~User.id.in_(already))
            .order_by(User.name_sort)
            .limit(10)
        )
    )
    return result


def assign(session: Session, actor: Actor, *, classroom_id: int, target: Target) -> AssignmentBatch:
    """Enrol everyone the target names within the actor's units, in one INSERT … SELECT (plus one
    UPDATE for those who had withdrawn); officers outside the actor's units are left out."""
    classroom, _ = get_class(session, actor, classroom_id)
    # Assignments to one class queue here, so the counts, the capacity check and the audit
    # record below are those of the rows this one writes, not of a moment before another's.
    lock_row(session, classroom)
    if classroom.status != ClassStatus.OPEN:
        raise Conflict("The class is closed; reopen it first.")
    counts = preview(session, actor, classroom_id=classroom_id, target=target)
    if classroom.capacity is not None:
        active = (
            session.scalar(
                select(func.count())
                .select_from(Enrolment)
                .where(Enrolment.classroom_id == classroom.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            )
            or 0
        )
        if active + counts.new > classroom.capacity:
            raise Conflict("The class would exceed its capacity.")
    batch = AssignmentBatch(
        classroom_id=classroom.id, kind=target.kind, actor_id=actor.user_id, count=counts.new
    )
    session.add(batch)
    session.flush()
    now = utcnow()
    chosen = _target_select(session, actor, target, in_scope=True).subquery()
    session.execute(
        update(Enrolment)
        .where(
            Enrolment.classroom_id == classroom.id,
            Enrolment.status == EnrolmentStatus.WITHDRAWN,
            Enrolment.user_id.in_(select(chosen.c.id)),
        )
        .values(
            status=EnrolmentStatus.ACTIVE,
            source=target.kind,
            batch_id=batch.id,
            enrolled_at=now,
            enrolled_by_id=actor.user_id,
            withdrawn_at=None,
            withdrawn_by_id=None,
            withdrawn_reason=None,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        insert(Enrolment).from_select(
            ["classroom_id", "user_id", "status", "source", "batch_id", "enrolled_at", "enrolled_by_id"],
            select(
                literal(classroom.id),
                chosen.c.id,
                literal(EnrolmentStatus.ACTIVE.value),
                literal(target.kind),
                literal(batch.id),
                literal(now, Enrolment.enrolled_at.type),
                literal(actor.user_id, Enrolment.enrolled_by_id.type),
            ).where(
                ~exists().where(
                    and_(Enrolment.classroom_id == classroom.id, Enrolment.user_id == chosen.c.id)
                )
            ),
        )
    )
    record(
        session,
        actor,
        "enrolment.assign",
        target_type="classroom",
        target_id=classroom.id,
        details={"batch": batch.id, "kind": target.kind, "count": counts.new},
    )
    return batch


def withdraw(
    session: Session, actor: Actor, *, classroom_id: int, user_ids: Sequence[int], reason: str
) -> int:
    classroom, _ = get_class(session, actor, classroom_id)
    clean = " ".join(reason.split())
    if not clean:
        raise InvalidInput("Give a reason for the withdrawal.")
    result = session.execute(
        update(Enrolment)
        .where(
            Enrolment.classroom_id == classroom.id,
            Enrolment.user_id.in_(list(user_ids)),
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .values(
            status=EnrolmentStatus.WITHDRAWN,
            withdrawn_at=utcnow(),
            withdrawn_by_id=actor.user_id,
            withdrawn_reason=clean[:300],
        )
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    record(
        session,
        actor,
        "enrolment.withdraw",
        target_type="classroom",
        target_id=classroom.id,
        details={"count": count, "reason": clean[:300], "users": list(user_ids)[:50]},
    )
    return count


def undo_batch(session: Session, actor: Actor, *, classroom_id: int, batch_id: int) -> int:
    """Withdraw, as one action, everyone a batch of this class enrolled who is still enrolled by it."""
    batch = session.get(AssignmentBatch, batch_id)
    if batch is None or batch.classroom_id != classroom_id:
        raise NotFound(OUT_OF_SCOPE)
    get_class(session, actor, batch.classroom_id)
    lock_row(session, batch)
    if batch.undone_at is not None:
        raise Conflict("This assignment has already been undone.")
    result = session.execute(
        update(Enrolment)
        .where(Enrolment.batch_id == batch.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .values(
            status=EnrolmentStatus.WITHDRAWN,
            withdrawn_at=utcnow(),
            withdrawn_by_id=actor.user_id,
            withdrawn_reason="assignment undone",
        )
        .execution_options(synchronize_session=False)
    )
    batch.undone_at = utcnow()
    count = int(getattr(result, "rowcount", 0) or 0)
    record(
        session,
        actor,
        "enrolment.undo",
        target_type="classroom",
        target_id=batch.classroom_id,
        details={"batch": batch.id, "count": count},
    )
    return count


def batches(session: Session, actor: Actor, *, classroom_id: int) -> Sequence[AssignmentBatch]:
    classroom, _ = get_class(session, actor, classroom_id)
    return session.scalars(
        select(AssignmentBatch)
        .where(AssignmentBatch.classroom_id == classroom.id)
        .order_by(AssignmentBatch.id.desc())
    ).all()
