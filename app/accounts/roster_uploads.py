"""A roster uploaded on the pages, kept in roster_uploads between its steps so any app server
can take each one: the upload, the column-mapping step (when a header is not recognised or a
required field has no column), the preview, the confirmation, and the page that says what the
import did and offers activation codes for the new officers. Each step plans afresh from the
kept file, so changes made meanwhile are respected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import RosterUpload, User
from app.accounts.roster import read_roster
from app.accounts.roster_columns import (
    LABELS,
    REQUIRED,
    Column,
    clean_choice,
    needs_choosing,
    problems,
    recognised,
    sample,
)
from app.accounts.roster_errors import RowError
from app.accounts.roster_files import RosterUnreadable
from app.accounts.roster_import import CHUNK, ROSTER_TOPIC, RosterPlan, apply_roster, plan_roster
from app.db import serialise, utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.orgs.permissions import Actor, Permission
from app.text import file_name

UPLOAD_TTL = timedelta(hours=2)
ROSTER_SUFFIXES = (".csv", ".txt", ".xlsx")
# As many officers as one activation-code form takes (app.web.officers, the API alike).
CODES_AT_ONCE = 5000


def require_importer(actor: Actor) -> None:
    actor.require_any(Permission.ROSTER_IMPORT)


def stage_upload(
    session: Session, actor: Actor, *, filename: str, data: bytes, deactivate_missing: bool
) -> RosterUpload:
    """Keep the file for its preview; nothing else is written."""
    actor.require_any(Permission.ROSTER_IMPORT)
    safe_name = file_name(filename, "roster")
    if not safe_name.lower().endswith(ROSTER_SUFFIXES):
        raise InvalidInput("Use a .csv or .xlsx file.")
    if not data:
        raise InvalidInput("The file is empty.")
    upload = RosterUpload(
        user_id=actor.user_id, filename=safe_name, data=data, deactivate_missing=deactivate_missing
    )
    session.add(upload)
    session.flush()
    return upload


def _own(session: Session, actor: Actor, upload_id: int, *, pending: bool = True) -> RosterUpload:
    actor.require_any(Permission.ROSTER_IMPORT)
    upload = session.get(RosterUpload, upload_id)
    if upload is None or upload.user_id != actor.user_id:
        raise NotFound("No such upload.")
    if pending and upload.applied_at is not None:
        raise Conflict("This file has already been imported.")
    if pending and utcnow() - upload.created_at > UPLOAD_TTL:
        raise Conflict("The preview is too old; upload the file again.")
    return upload


@dataclass(frozen=True)
class ColumnChoice:
    """The mapping page: each column of the file with its field (recognised or chosen), the
    first rows as a sample, and what is wrong with the mapping as it stands."""

    upload: RosterUpload
    columns: list[Column]
    fields: list[str | None]
    rows: list[list[str]]
    problems: list[RowError]
    labels: dict[str, str] = field(default_factory=lambda: LABELS)
    required: tuple[str, ...] = REQUIRED


@dataclass(frozen=True)
class Review:
    upload: RosterUpload
    # The mapping page comes first when this is set; otherwise the plan is the preview.
    choice: ColumnChoice | None
    plan: RosterPlan | None


def _choice(upload: RosterUpload) -> ColumnChoice | None:
    try:
        first = sample(upload.filename, upload.data)
    except RosterUnreadable:
        return None  # the preview names the problem
    if not first.columns:
        return None
    fields = clean_choice(first.columns, [f or "" for f in upload.fields or recognised(first.columns)])
    return ColumnChoice(upload, first.columns, fields, first.rows, problems(first.columns, fields))


def column_choice(session: Session, actor: Actor, *, upload_id: int) -> ColumnChoice:
    """The mapping page of a staged upload, asked for from its preview."""
    choice = _choice(_own(session, actor, upload_id))
    if choice is None:
        raise Conflict("The file cannot be read; correct it and upload it again.")
    return choice


def review_upload(session: Session, actor: Actor, *, upload_id: int) -> Review:
    """The mapping page when the columns need choosing, otherwise what importing would do."""
    upload = _own(session, actor, upload_id)
    choice = _choice(upload)
    if choice is not None and (choice.problems or (upload.fields is None and needs_choosing(choice.columns))):
        return Review(upload, choice, None)
    return Review(upload, None, _plan(session, actor, upload))


def choose_columns(session: Session, actor: Actor, *, upload_id: int, chosen: list[str]) -> None:
    """Keep the field chosen for each column ("" ignores it); the preview checks the mapping."""
    upload = _own(session, actor, upload_id)
    choice = _choice(upload)
    if choice is None:
        raise Conflict("The file cannot be read; correct it and upload it again.")
    if any(name and name not in LABELS for name in chosen) or len(chosen) != len(choice.columns):
        raise InvalidInput("Choose a field or 'skip this column' for each column.")
    upload.fields = clean_choice(choice.columns, chosen)


def _plan(session: Session, actor: Actor, upload: RosterUpload) -> RosterPlan:
    return plan_roster(
        session,
        actor,
        read_roster(upload.filename, upload.data, upload.fields),
        filename=upload.filename,
        deactivate_missing=upload.deactivate_missing,
    )


def apply_upload(session: Session, actor: Actor, *, upload_id: int, on: date) -> RosterPlan:
    """Import a previewed file, planned afresh so changes since the preview are respected."""
    actor.require_any(Permission.ROSTER_IMPORT)
    serialise(session, ROSTER_TOPIC)
    upload = _own(session, actor, upload_id)
    plan = _plan(session, actor, upload)
    apply_roster(session, actor, plan, on=on)
    codes = [row["officer_code"] for row in plan.new[:CODES_AT_ONCE]]
    new_ids: list[int] = []
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        new_ids += session.scalars(select(User.id).where(User.officer_code.in_(chunk)).order_by(User.id))
    upload.outcome = {**plan.summary(), "new_ids": sorted(new_ids)}
    upload.applied_at = utcnow()
    upload.data = b""
    return plan


@dataclass(frozen=True)
class Outcome:
    filename: str
    counts: dict[str, int]
    # The new officers (the first CODES_AT_ONCE), in the file's order: id, code, name.
    new: list[tuple[int, str, str]]


def import_outcome(session: Session, actor: Actor, *, upload_id: int) -> Outcome:
    """What a confirmed import did, for its uploader."""
    upload = _own(session, actor, upload_id, pending=False)
    if upload.applied_at is None or upload.outcome is None:
        raise NotFound("No such upload.")
    found: dict[str, Any] = dict(upload.outcome)
    ids = [int(i) for i in found.pop("new_ids", [])]
    new = [
        (row.id, row.officer_code, row.full_name)
        for start in range(0, len(ids), CHUNK)
        for row in session.execute(
            select(User.id, User.officer_code, User.full_name)
            .where(User.id.in_(ids[start : start + CHUNK]))
            .order_by(User.id)
        )
    ]
    return Outcome(upload.filename, {k: int(v) for k, v in found.items()}, new)
