"""Changing a class after it opens, finding officers to assign one by one, and self-enrolment:
officers joining a class that allows it, within the units the class is organised for."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.roster_files import RosterUnreadable, table_rows
from app.accounts.service import officer_matches
from app.audit.recorder import record
from app.classrooms.models import Classroom, ClassStatus, Enrolment, EnrolmentStatus
from app.classrooms.service import ClassForm, get_class, managed_scope, validate_form
from app.courses.models import Course
from app.db import lock_row, utcnow
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor, Permission
from app.orgs.service import get_unit
from app.text import fold, nfc, search_terms

FIND_LIMIT = 20


def update_class(session: Session, actor: Actor, *, classroom_id: int, form: ClassForm) -> Classroom:
    """Edit a class. The course stays: officers' progress belongs to it. Every changed field is
    audited with its old and new value."""
    classroom, _ = get_class(session, actor, classroom_id)
    validate_form(form)
    unit = get_unit(session, actor, form.owner_unit_id)
    actor.require(Permission.CLASSES_MANAGE, unit.path)
    code = nfc(form.code).strip()
    clash = session.scalar(
        select(Classroom.id).where(
            Classroom.owner_unit_id == unit.id, Classroom.code == code, Classroom.id != classroom.id
        )
    )
    if clash is not None:
        raise Conflict("The class code %(code)s is already used in this unit.", code=code)
    if form.capacity is not None:
        active = _active_count(session, classroom.id)
        if form.capacity < active:
            raise Conflict("The class already has more officers than this capacity.")
    wanted: dict[str, Any] = {
        "code": code,
        "title": " ".join(nfc(form.title).split()),
        "owner_unit_id": unit.id,
        "opens_on": form.opens_on,
        "closes_on": form.closes_on,
        "due_on": form.due_on,
        "capacity": form.capacity,
        "self_enrol": form.self_enrol,
    }
    changed = {}
    for name, value in wanted.items():
        old = getattr(classroom, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(classroom, name, value)
    if changed:
        record(
            session, actor, "class.update", target_type="classroom", target_id=classroom.id, details=changed
        )
    return classroom


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _active_count(session: Session, classroom_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.classroom_id == classroom_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        )
        or 0
    )


CODE_HEADERS = {"ma can bo", "ma", "officer code", "code"}
MAX_CODES = 20000


def code_list(items: Iterable[str]) -> tuple[str, ...]:
    """Officer codes as pasted into the form (one a line, or separated by commas, semicolons or
    spaces) or sent by the API as a list: trimmed, in NFC, each once, in the order given."""
    codes = [nfc(word) for item in items for word in item.replace(",", " ").replace(";", " ").split()]
    unique = tuple(dict.fromkeys(codes))
    if len(unique) > MAX_CODES:
        raise InvalidInput("A list may hold at most 20,000 officer codes.")
    return unique


def codes_from_file(filename: str, data: bytes) -> tuple[str, ...]:
    """Officer codes from the first column of an uploaded list (.csv, .txt or .xlsx); a header
    cell such as "Mã cán bộ" is skipped."""
    if not filename.lower().endswith((".csv", ".txt", ".xlsx")):
        raise InvalidInput("Use a .csv, .txt or .xlsx file for the list of officer codes.")
    codes: list[str] = []
    try:
        for number, row in enumerate(table_rows(filename, data), start=1):
            first = str(row[0]).strip() if row and row[0] is not None else ""
            if not first or (number == 1 and fold(first) in CODE_HEADERS):
                continue
            codes.append(nfc(first))
            if len(codes) > MAX_CODES:
                raise InvalidInput("A list may hold at most 20,000 officer codes.")
    except RosterUnreadable:
        raise InvalidInput("The list cannot be read: save it as CSV UTF-8 or as an .xlsx workbook.") from None
    if not codes:
        raise InvalidInput("The file holds no officer codes.")
    return tuple(dict.fromkeys(codes))


# Suggestions read over every officer in the actor's units: at a province's size that scan costs
# more than the rest of a class page, so each server process keeps them a few minutes per scope.
# They are only suggestions; a rank imported a minute ago may be typed in full meanwhile.
CHOICES_SECONDS = 300.0
_choices: dict[tuple[object, ...], tuple[float, dict[str, list[str]]]] = {}


def filter_choices(session: Session, actor: Actor) -> dict[str, list[str]]:
    """The job positions and ranks that occur among the actor's officers, offered as suggestions
    so the unit filter matches the roster's own spelling."""
    key = (actor.system, *sorted(actor.paths_with(Permission.CLASSES_MANAGE)))
    now = time.monotonic()
    kept = _choices.get(key)
    if kept is not None and now - kept[0] < CHOICES_SECONDS:
        return kept[1]
    result = _read_choices(session, actor)
    if len(_choices) >= 1000:
        _choices.clear()
    _choices[key] = (now, result)
    return result


def clear_choices() -> None:
    """Forget the suggestions kept (a roster import changes them; tests start from nothing)."""
    _choices.clear()


def _read_choices(session: Session, actor: Actor) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name in ("job_position", "rank"):
        column = getattr(User, name)
        result[name] = list(
            session.scalars(
                select(column)
                .join(OrgUnit, OrgUnit.id == User.unit_id)
                .where(User.active.is_(True), column.is_not(None), managed_scope(actor))
                .distinct()
                .order_by(column)
                .limit(300)
            )
        )
    return result


@dataclass(frozen=True)
class FoundOfficer:
    user: User
    unit_name: str
    enrolled: bool


def find_officers(session: Session, actor: Actor, *, classroom_id: int, query: str) -> list[FoundOfficer]:
    """Officers within the actor's units whose name or code matches, for assigning one by one."""
    classroom, _ = get_class(session, actor, classroom_id)
    if not search_terms(query):
        return []
    stmt = (
        select(User, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .where(User.active.is_(True), managed_scope(actor))
        .order_by(User.name_sort)
        .limit(FIND_LIMIT)
    )
    stmt = stmt.where(*officer_matches(query))
    rows = session.execute(stmt).all()
    enrolled = set(
        session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.classroom_id == classroom.id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
                Enrolment.user_id.in_([u.id for u, _ in rows] or [-1]),
            )
        )
    )
    return [FoundOfficer(user, unit_name, user.id in enrolled) for user, unit_name in rows]


@dataclass(frozen=True)
class OpenClass:
    classroom: Classroom
    course: Course
    seats_left: int | None


def _joinable(session: Session, user_id: int, today: date) -> Any:
    """Open self-enrolment classes organised by the officer's unit or a unit above it."""
    officer_path = (
        select(OrgUnit.path)
        .join(User, User.unit_id == OrgUnit.id)
        .where(User.id == user_id)
        .scalar_subquery()
    )
    mine = select(Enrolment.classroom_id).where(
        Enrolment.user_id == user_id, Enrolment.status == EnrolmentStatus.ACTIVE
    )
    return (
        select(Classroom, Course)
        .join(Course, Course.id == Classroom.course_id)
        .join(OrgUnit, OrgUnit.id == Classroom.owner_unit_id)
        .where(
            Classroom.self_enrol.is_(True),
            Classroom.status == ClassStatus.OPEN,
            Course.published.is_(True),
            or_(Classroom.closes_on.is_(None), Classroom.closes_on >= today),
            officer_path.startswith(OrgUnit.path),
            Classroom.id.not_in(mine),
        )
    )


def open_classes(session: Session, actor: Actor, *, today: date) -> list[OpenClass]:
    if actor.user_id is None:
        return []
    rows = session.execute(_joinable(session, actor.user_id, today).order_by(Classroom.opens_on)).all()
    limited = [c.id for c, _ in rows if c.capacity is not None]
    taken = dict(
        session.execute(
            select(Enrolment.classroom_id, func.count())
            .where(Enrolment.classroom_id.in_(limited or [-1]), Enrolment.status == EnrolmentStatus.ACTIVE)
            .group_by(Enrolment.classroom_id)
        ).all()
    )
    result = []
    for classroom, course in rows:
        seats = None if classroom.capacity is None else classroom.capacity - int(taken.get(classroom.id, 0))
        if seats is None or seats > 0:
            result.append(OpenClass(classroom, course, seats))
    return result


def join_class(session: Session, actor: Actor, *, classroom_id: int, today: date) -> Classroom:
    """The officer enrols themself; the class must allow it and have a seat left."""
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    row = session.execute(
        _joinable(session, actor.user_id, today).where(Classroom.id == classroom_id)
    ).one_or_none()
    if row is None:
        raise NotFound("This class is not open for you to join.")
    classroom: Classroom = row[0]
    # Two officers taking the last seat at once: the second counts after the first has joined.
    lock_row(session, classroom)
    if classroom.capacity is not None and _active_count(session, classroom.id) >= classroom.capacity:
        raise Conflict("The class is full.")
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.classroom_id == classroom.id, Enrolment.user_id == actor.user_id)
    )
    if enrolment is None:
        session.add(
            Enrolment(
                classroom_id=classroom.id, user_id=actor.user_id, source="self", enrolled_by_id=actor.user_id
            )
        )
    else:
        enrolment.status, enrolment.source, enrolment.batch_id = EnrolmentStatus.ACTIVE, "self", None
        enrolment.enrolled_at, enrolment.enrolled_by_id = utcnow(), actor.user_id
        enrolment.withdrawn_at = enrolment.withdrawn_by_id = enrolment.withdrawn_reason = None
    record(session, actor, "enrolment.self", target_type="classroom", target_id=classroom.id)
    return classroom
