"""JSON endpoints that change things: roster imports, activation codes, the org tree and role
grants. An API token needs no CSRF token; a browser session must send X-CSRF-Token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.accounts import activation, grants, reorg
from app.accounts import roster_import as roster
from app.api.deps import Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT, UPLOAD_ERRORS, either
from app.config import get_settings
from app.errors import InvalidInput
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.i18n import today
from app.orgs import service as orgs
from app.reports import audit_log as audit

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["administration"], responses=API_ERRORS
)


class RowProblem(BaseModel):
    row: int
    column: str | None
    message: str


class RosterResult(BaseModel):
    filename: str
    rows: int
    new: int
    updated: int
    moved: int
    unchanged: int
    reactivated: int
    deactivated: int
    written: bool
    problems: list[RowProblem]


@router.post(
    "/roster-imports",
    response_model=RosterResult,
    responses=UPLOAD_ERRORS | either(422, RosterResult, "The file has problems; nothing was written"),
)
def import_roster(
    session: SessionDep,
    actor: Writer,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Query()] = False,
    deactivate_missing: Annotated[bool, Query()] = False,
) -> RosterResult | JSONResponse:
    data = file.file.read(get_settings().max_upload_bytes + 1)
    if len(data) > get_settings().max_upload_bytes:
        raise InvalidInput("The file is too large.")
    plan = roster.import_roster(
        session,
        actor,
        filename=file.filename or "roster.csv",
        data=data,
        on=today(),
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
    )
    result = RosterResult(
        filename=plan.filename,
        rows=plan.rows,
        new=len(plan.new),
        updated=len(plan.updates),
        moved=len(plan.moves),
        unchanged=plan.unchanged,
        reactivated=len(plan.reactivate),
        deactivated=len(plan.deactivate),
        written=plan.ok and not dry_run,
        problems=[RowProblem(row=e.row, column=e.column, message=e.message) for e in plan.errors],
    )
    if not plan.ok:
        return JSONResponse(result.model_dump(), status_code=422)
    return result


class CodesRequest(BaseModel):
    user_ids: list[int] = Field(min_length=1, max_length=5000)


class IssuedCodeRead(BaseModel):
    user_id: int
    officer_code: str
    full_name: str
    unit: str
    code: str
    expires_at: datetime


@router.post("/activation-codes", response_model=list[IssuedCodeRead], responses=BODY_ERRORS)
def issue_activation_codes(session: SessionDep, actor: Writer, body: CodesRequest) -> list[IssuedCodeRead]:
    return [
        IssuedCodeRead(
            user_id=i.user.id,
            officer_code=i.user.officer_code,
            full_name=i.user.full_name,
            unit=i.unit_name,
            code=i.code,
            expires_at=i.expires_at,
        )
        for i in activation.issue_codes(session, actor, user_ids=body.user_ids)
    ]


class UnitRead(BaseModel):
    id: int
    code: str
    name: str
    parent_id: int | None
    status: str


class UnitCreate(BaseModel):
    code: str = Field(max_length=50)
    name: str = Field(max_length=300)
    parent_id: int
    effective_on: date


class UnitChange(BaseModel):
    effective_on: date
    name: str | None = Field(default=None, max_length=300)
    parent_id: int | None = None
    into_id: int | None = None


def _unit(unit: object) -> UnitRead:
    return UnitRead.model_validate(unit, from_attributes=True)


@router.post("/units", response_model=UnitRead, status_code=201, responses=BODY_ERRORS)
def create_unit(session: SessionDep, actor: Writer, body: UnitCreate) -> UnitRead:
    return _unit(
        orgs.create_unit(
            session,
            actor,
            code=body.code,
            name=body.name,
            parent_id=body.parent_id,
            effective_on=body.effective_on,
        )
    )


@router.post("/units/{unit_id}/{change}", response_model=UnitRead, responses=BODY_ERRORS)
def change_unit(session: SessionDep, actor: Writer, unit_id: int, change: str, body: UnitChange) -> UnitRead:
    """change is rename (name), move (parent_id), merge (into_id) or close."""
    on = body.effective_on
    if change == "rename" and body.name:
        return _unit(orgs.rename_unit(session, actor, unit_id=unit_id, name=body.name, effective_on=on))
    if change == "move" and body.parent_id:
        return _unit(
            orgs.move_unit(session, actor, unit_id=unit_id, new_parent_id=body.parent_id, effective_on=on)
        )
    if change == "merge" and body.into_id:
        return _unit(reorg.merge_unit(session, actor, unit_id=unit_id, into_id=body.into_id, effective_on=on))
    if change == "close":
        return _unit(reorg.close_unit(session, actor, unit_id=unit_id, effective_on=on))
    raise InvalidInput("Use rename with name, move with parent_id, merge with into_id, or close.")


class GrantCreate(BaseModel):
    officer_code: str = Field(max_length=50)
    role: str = Field(max_length=20)
    unit_id: int


class GrantRead(BaseModel):
    id: int
    officer_code: str
    role: str
    unit_id: int


@router.get("/grants", response_model=list[GrantRead])
def list_grants(session: SessionDep, actor: Reader) -> list[GrantRead]:
    return [
        GrantRead(id=r.grant.id, officer_code=r.user.officer_code, role=r.grant.role, unit_id=r.unit.id)
        for r in grants.list_grants(session, actor)
    ]


@router.post("/grants", response_model=GrantRead, status_code=201, responses=BODY_ERRORS)
def grant_role(session: SessionDep, actor: Writer, body: GrantCreate) -> GrantRead:
    grant = grants.grant_role(
        session, actor, officer_code=body.officer_code, role=body.role, unit_id=body.unit_id
    )
    return GrantRead(
        id=grant.id, officer_code=body.officer_code.strip(), role=grant.role, unit_id=grant.unit_id
    )


@router.delete("/grants/{grant_id}", status_code=204, responses=CONFLICT)
def revoke_grant(session: SessionDep, actor: Writer, grant_id: int) -> None:
    grants.revoke_grant(session, actor, grant_id=grant_id)


class AuditRead(BaseModel):
    id: int
    at: datetime
    actor_label: str
    ip: str | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, object]


@router.get("/audit-events", response_model=list[AuditRead])
def list_audit_events(
    session: SessionDep,
    actor: Reader,
    action: Annotated[str, Query(max_length=50)] = "",
    who: Annotated[str, Query(max_length=50)] = "",
    before: Annotated[int | None, Query()] = None,
) -> list[AuditRead]:
    events = audit.list_events(session, actor, action=action, officer_code=who, before_id=before)
    return [AuditRead.model_validate(e, from_attributes=True) for e in events]
